// Electronegativity (Doyensec's static checker for Electron misconfigurations) over the shell's
// sources. It exits 0 whatever it finds, so this test reads its report: no finding may be above
// LOW, and each LOW finding must be explained by a comment naming its check id next to the line
// it points at. Findings silenced with `eng-disable CHECK_ID` must carry a reason in the comment.
//
// Run as the CLI, with two flags that matter here:
// - `-x AvailableSecurityFixesGlobalCheck`: that check downloads Electron's release list;
// - `-e 45.4.1`: the Electron version whose defaults apply (it cannot read package.json from electron/).
// It also tries, for at most a second, to fetch translations; without network it uses its own.
// Its table goes to stdout only when no output file is given, and its CSV writer races its own
// header, so the console table is what is parsed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, tempDir } from '../helpers.js';

const ELECTRON_VERSION = '45.4.1';
const SEVERITY = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'] as const;

interface Finding {
  id: string;
  severity: (typeof SEVERITY)[number];
  confidence: string;
  file: string;
  line: number;
  column: number;
  reviewRequired: boolean;
  description: string;
}

/** The findings in electronegativity's console table (cli-table3 box drawing, one cell per column). */
export function parseTable(stdout: string): Finding[] {
  const text = stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const rows: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of text.split('\n')) {
    if (/^[┌├└]/.test(line)) {
      if (current) rows.push(current);
      current = /^[┌├]/.test(line) ? [] : null;
    } else if (line.startsWith('│') && current) {
      current.push(line.split('│').slice(1, -1).map((c) => c.trim()));
    }
  }
  const [header, ...body] = rows;
  if (!header) return [];
  expect(header.map((l) => l[0]).join(' ')).toMatch(/Check ID/);
  return body.map((lines) => {
    const col = (i: number) => lines.map((l) => l[i] ?? '').filter(Boolean);
    const idCell = col(0);
    const sev = idCell.find((l) => /\|/.test(l))!.split('|').map((s) => s.trim());
    const [line, column] = col(2).join('').split(':').map(Number);
    return {
      id: idCell[0],
      severity: sev[0] as Finding['severity'],
      confidence: sev[1],
      file: col(1).join(''),
      line,
      column,
      reviewRequired: idCell.some((l) => /Review Required/.test(l)),
      description: col(3).join(' '),
    };
  });
}

describe('electronegativity over electron/', () => {
  // A copy of electron/ in which preload.cts is named preload.ts: electronegativity only reads
  // .js/.ts/.html files, and the preload must not go unscanned.
  const scan = tempDir('codec-lab-eng-');
  const original = new Map<string, string>();
  let stdout = '';
  let findings: Finding[] = [];

  beforeAll(async () => {
    for (const name of readdirSync(path.join(REPO, 'electron'))) {
      if (!/\.(c?ts)$/.test(name)) continue;
      const copy = name.replace(/\.cts$/, '.ts');
      copyFileSync(path.join(REPO, 'electron', name), path.join(scan.dir, copy));
      original.set(copy, `electron/${name}`);
    }
    const cli = path.join(REPO, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
    const result = await promisify(execFile)(process.execPath, [cli, '-i', scan.dir, '-r', '-e', ELECTRON_VERSION, '-x', 'AvailableSecurityFixesGlobalCheck'], {
      cwd: REPO,
      // LANG picks its message file: keep the English one the parser expects.
      env: { ...process.env, LANG: 'en-US', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    stdout = result.stdout;
    findings = parseTable(stdout);
    const report = findings.map((f) => `  ${f.severity.padEnd(6)} ${f.confidence.padEnd(9)} ${f.id} ${original.get(f.file) ?? f.file}:${f.line}  ${f.description}`);
    console.log(`electronegativity ${ELECTRON_VERSION}: ${findings.length} finding(s)\n${report.join('\n') || '  none'}`);
    const silenced = suppressions();
    console.log(`silenced with eng-disable (reviewed):\n${silenced.map((s) => `  ${s.ids.join(',')} ${s.file}:${s.line}  ${s.reason}`).join('\n') || '  none'}`);
  }, 150_000);

  afterAll(() => scan.cleanup());

  /** Every `eng-disable` comment in electron/, with the reason written next to it. */
  function suppressions(): { file: string; line: number; ids: string[]; reason: string }[] {
    const out: { file: string; line: number; ids: string[]; reason: string }[] = [];
    for (const [copy, file] of original) {
      const lines = readFileSync(path.join(scan.dir, copy), 'utf8').split('\n');
      lines.forEach((text, i) => {
        const m = /eng-disable\s+([A-Z_ ,]+)/.exec(text);
        if (!m) return;
        // The reason: the rest of the comment, or the comment lines just above.
        const above = [];
        for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]); j--) above.unshift(lines[j].replace(/^\s*\/\/\s?/, ''));
        out.push({ file, line: i + 1, ids: m[1].split(/[ ,]+/).filter(Boolean), reason: [text.slice(m.index + m[0].length).trim(), ...above].filter(Boolean).join(' ') });
      });
    }
    return out;
  }

  it('ran its checks over every shell source', () => {
    expect(stdout).toMatch(/(\d+) check\(s\) successfully loaded/);
    expect(Number(/(\d+) check\(s\) successfully loaded/.exec(stdout)![1])).toBeGreaterThan(30);
    expect(stdout).not.toMatch(/Error parsing/);
    expect([...original.values()]).toEqual(expect.arrayContaining(['electron/main.ts', 'electron/preload.cts', 'electron/ipc.ts', 'electron/security.ts']));
    // Either a table or the "nothing found" line: never neither (a changed output format).
    expect(findings.length > 0 || /No issues were found/.test(stdout)).toBe(true);
  });

  it('finds nothing above LOW', () => {
    const serious = findings.filter((f) => SEVERITY.indexOf(f.severity) > SEVERITY.indexOf('LOW'));
    expect(serious.map((f) => `${f.severity} ${f.id} ${original.get(f.file) ?? f.file}:${f.line} ${f.description}`)).toEqual([]);
  });

  it('has each LOW finding explained by a comment naming its check id near the line', () => {
    for (const f of findings) {
      const file = original.get(f.file) ?? f.file;
      if (f.file === 'N/A') throw new Error(`${f.id} points at no line, so no comment can explain it: ${f.description}`);
      const lines = readFileSync(path.join(REPO, file), 'utf8').split('\n');
      const near = lines.slice(Math.max(0, f.line - 9), f.line + 1).join('\n');
      expect(near, `${f.id} at ${file}:${f.line} needs a comment that names it and says why it is acceptable`).toMatch(new RegExp(`//.*\\b${f.id}\\b`));
    }
  });

  it('has a reason beside every eng-disable', () => {
    for (const s of suppressions()) {
      expect(s.ids.every((id) => /^[A-Z_]+_CHECK$/.test(id)), `${s.file}:${s.line}`).toBe(true);
      expect(s.reason.length, `${s.file}:${s.line} silences ${s.ids.join(',')} without saying why`).toBeGreaterThan(40);
    }
  });

  it('reads the table it is given (the parser itself can fail)', () => {
    const table = [
      '┌──────────────────┬──────────┬──────────┬──────────────┐',
      '│ Check ID         │ Affected File │ Location │ Issue Description │',
      '├──────────────────┼──────────┼──────────┼──────────────┤',
      '│ NODE_INTEGRATION_JS_CHECK │ main.ts │ 12:4 │ Disable nodeIntegration │',
      '│ *Review Required* │          │          │ for untrusted origins │',
      '│ HIGH | FIRM      │          │          │ https://git.io/x │',
      '└──────────────────┴──────────┴──────────┴──────────────┘',
    ].join('\n');
    expect(parseTable(table)).toEqual([
      { id: 'NODE_INTEGRATION_JS_CHECK', severity: 'HIGH', confidence: 'FIRM', file: 'main.ts', line: 12, column: 4, reviewRequired: true, description: 'Disable nodeIntegration for untrusted origins https://git.io/x' },
    ]);
  });
});
