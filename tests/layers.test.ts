// The layer rule of DESIGN.md, checked on every run rather than remembered:
// src/ (the engine) never imports Electron or the renderer; renderer/ never imports Node or engine
// runtime code (only `import type` from the API contract); electron/ may import both src/ and types.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { REPO } from './helpers.js';

const CODE = /\.(ts|js|mjs|cjs|svelte|tsx|jsx)$/;

function filesUnder(dir: string): string[] {
  const abs = path.join(REPO, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(path.join(REPO, rel)).isDirectory() ? filesUnder(rel) : CODE.test(name) ? [rel] : [];
  });
}

interface Import { spec: string; typeOnly: boolean; line: number }

/** Static imports, re-exports, dynamic import() and require() of a source file. */
export function importsOf(source: string): Import[] {
  const found: Import[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const patterns: [RegExp, (m: RegExpExecArray) => boolean][] = [
    [/^\s*import\s+(type\s+)?[^'"`;]*?\s+from\s+['"]([^'"]+)['"]/gm, (m) => Boolean(m[1])],
    [/^\s*import\s+['"]([^'"]+)['"]/gm, () => false],
    [/^\s*export\s+(type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s+)?from\s+['"]([^'"]+)['"]/gm, (m) => Boolean(m[1])],
    [/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, () => false],
    [/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, () => false],
  ];
  for (const [re, isType] of patterns) {
    for (let m = re.exec(source); m; m = re.exec(source)) {
      const spec = m[m.length - 1];
      found.push({ spec, typeOnly: isType(m), line: lineOf(m.index) });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isNode = (spec: string) => nodeBuiltins.has(spec) || spec.startsWith('node:');

function resolvesInto(file: string, spec: string, layer: string): boolean {
  if (!spec.startsWith('.')) return false;
  const target = path.normalize(path.join(path.dirname(file), spec));
  return target === layer || target.startsWith(layer + path.sep);
}

/** Build configuration (vite.config.ts, svelte.config.js) runs in Node at build time, not in the app. */
const isBuildConfig = (file: string) => /(^|[\\/])(vite|svelte|vitest)\.config\.(ts|js|mjs|cjs)$/.test(file);

function violations(layer: string, bad: (file: string, imp: Import) => string | null): string[] {
  return filesUnder(layer).filter((file) => !isBuildConfig(file)).flatMap((file) =>
    importsOf(readFileSync(path.join(REPO, file), 'utf8')).flatMap((imp) => {
      const why = bad(file, imp);
      return why ? [`${file}:${imp.line} imports '${imp.spec}': ${why}`] : [];
    }),
  );
}

export const engineRule = (file: string, imp: Import): string | null => {
  if (imp.spec === 'electron' || imp.spec.startsWith('electron/')) return 'the engine must run without Electron';
  if (resolvesInto(file, imp.spec, 'renderer')) return 'the engine must not depend on the renderer';
  if (resolvesInto(file, imp.spec, 'electron')) return 'the engine must not depend on the Electron shell';
  return null;
};

export const rendererRule = (file: string, imp: Import): string | null => {
  if (isNode(imp.spec)) return 'the renderer runs in a browser and never sees Node';
  if (imp.spec === 'electron') return 'the renderer talks to the typed API, not to Electron';
  if (resolvesInto(file, imp.spec, 'src') && !imp.typeOnly) return 'only `import type` from the engine API contract';
  if (resolvesInto(file, imp.spec, 'electron') && !imp.typeOnly) return 'only `import type` from the shell';
  return null;
};

describe('layer rule (DESIGN.md)', () => {
  it('finds the engine sources it is meant to check', () => {
    expect(filesUnder('src').length).toBeGreaterThan(5);
  });

  it('src/ imports neither Electron nor renderer/', () => {
    expect(violations('src', engineRule)).toEqual([]);
  });

  it('renderer/ imports no Node module and no engine runtime code', () => {
    expect(violations('renderer', rendererRule)).toEqual([]);
  });

  it('catches the imports it forbids (the rule itself can fail)', () => {
    const engineSrc = [
      "import { app } from 'electron';",
      "const { ipcMain } = require('electron');",
      "import Panel from '../../renderer/Panel.svelte';",
      "export * from '../../electron/main';",
    ].join('\n');
    expect(importsOf(engineSrc).map((i) => engineRule('src/cli/x.ts', i)).filter(Boolean)).toHaveLength(4);

    const rendererSrc = [
      "import fs from 'node:fs';",
      "import { readFile } from 'fs';",
      "import { readWav } from '../src/audio/wav-read.js';",
      "const w = await import('worker_threads');",
      "import type { Api } from '../src/api/contract.js';",
    ].join('\n');
    const found = importsOf(rendererSrc).map((i) => rendererRule('renderer/App.ts', i));
    expect(found.slice(0, 4).every(Boolean)).toBe(true);
    expect(found[4]).toBeNull();
  });
});
