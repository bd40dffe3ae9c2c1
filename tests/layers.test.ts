// The layer rules of DESIGN.md and the README, checked on every run rather than remembered:
// - src/ (the engine) never imports Electron, renderer/ or electron/, and keeps its own order:
//   kernels (and audio I/O), then nn/losses/optim, then data/eval/runs, then train, then api, then
//   the front ends (cli, web, bench); a folder imports its own rank or a lower one, never a higher.
// - renderer/ never imports Node, Electron or engine code: only `import type` from the API
//   contract (src/api/contract.ts) and the pure code both sides share (src/common), nothing from
//   electron/.
// - src/common is that shared code: it imports nothing (no Node, no browser, no other engine folder).
// - electron/ imports Electron, Node and the engine's API (src/api) only, never renderer/ nor the
//   engine's inner folders: the dispatch in src/api is its one door into the engine.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * The repository path a relative import names, or null for a package. The shell's compiled files
 * sit in dist/electron beside the engine's in dist/, so electron/ imports the engine at run time as
 * '../api/x.js' (electron/tsconfig.json "rootDirs"): such a path means src/api/x.ts.
 */
export function resolveImport(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.normalize(path.join(path.dirname(file), spec));
  const top = target.split(path.sep)[0];
  if (file.startsWith(`electron${path.sep}`) && !existsSync(path.join(REPO, top)) && existsSync(path.join(REPO, 'src', top))) return path.join('src', target);
  return target;
}

function resolvesInto(file: string, spec: string, layer: string): boolean {
  const target = resolveImport(file, spec);
  return target !== null && (target === layer || target.startsWith(layer + path.sep));
}

/** The API contract, whichever extension the import names it by. */
const isContract = (target: string | null) => target !== null && /^src[\\/]api[\\/]contract(\.(ts|js))?$/.test(target);

/**
 * The engine's order: each folder of src/ (and the loose files at its root) by rank. A file may
 * import its own rank and lower ranks. A new folder must be placed here before it can import or
 * be imported.
 */
export const ENGINE_ORDER: Readonly<Record<string, number>> = {
  // Leaves: no engine imports of their own (util), declarations (types), where the package is (assets.ts).
  util: 0, types: 0, 'assets.ts': 0,
  // Pure code shared with the renderer (see commonRule).
  common: 0,
  // Foundations: the WebAssembly kernel core, and reading and writing audio.
  kernels: 1, audio: 1,
  // The model, what it is judged by, and how it learns.
  nn: 2, losses: 2, optim: 2,
  // Phase reconstruction (Griffin-Lim, mel inversion): the kernels' FFT and the losses' filterbank, used by nn's Setup B.
  phase: 2,
  // Data, scores, run folders.
  data: 3, eval: 3, runs: 3, views: 3,
  // Listening tests (blind ABX, MUSHRA): their records, plans, anchors and files in the runs folder.
  listening: 3,
  // Training, and the other heavy jobs in workers.
  train: 4, jobs: 4,
  // An experiment written out as a PyTorch project (src/export/): a training config, its split and audio.
  export: 4,
  // The one door: contract, service, dispatch.
  api: 5,
  // Front ends: the command line, the web host, the benchmarks.
  cli: 6, web: 6, bench: 6,
};

/** The engine folder (or root file, as its .ts source) a path under src/ belongs to. */
const engineUnit = (p: string) => p.split(path.sep)[1].replace(/\.js$/, '.ts');

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

/** The engine's order (ENGINE_ORDER), for type imports as much as for run-time ones. */
export const engineOrderRule = (file: string, imp: Import): string | null => {
  const target = resolveImport(file, imp.spec);
  if (target === null || !target.startsWith(`src${path.sep}`)) return null;
  const from = engineUnit(file);
  const to = engineUnit(target);
  if (from === to) return null;
  const [a, b] = [ENGINE_ORDER[from], ENGINE_ORDER[to]];
  if (a === undefined) return `src/${from} has no place in the engine's order (ENGINE_ORDER in tests/layers.test.ts)`;
  if (b === undefined) return `src/${to} has no place in the engine's order (ENGINE_ORDER in tests/layers.test.ts)`;
  return b > a ? `src/${from} (rank ${a}) must not import src/${to} (rank ${b}): the engine's order runs kernels, nn/losses/optim, data/eval, train, api` : null;
};

export const rendererRule = (file: string, imp: Import): string | null => {
  if (isNode(imp.spec)) return 'the renderer runs in a browser and never sees Node';
  if (imp.spec === 'electron') return 'the renderer talks to the typed API, not to Electron';
  if (resolvesInto(file, imp.spec, 'electron')) return 'the renderer knows only the API contract, not the shell';
  if (resolvesInto(file, imp.spec, path.join('src', 'common'))) return null;
  if (resolvesInto(file, imp.spec, 'src')) {
    if (!isContract(resolveImport(file, imp.spec))) return 'only the API contract (src/api/contract.ts) of the engine';
    if (!imp.typeOnly) return 'only `import type` from the API contract';
  }
  return null;
};

/** src/common runs in Node and in the browser: it may import only itself. */
export const commonRule = (file: string, imp: Import): string | null =>
  resolvesInto(file, imp.spec, path.join('src', 'common')) ? null : 'src/common is shared with the renderer: it imports nothing outside itself';

export const shellRule = (file: string, imp: Import): string | null => {
  if (resolvesInto(file, imp.spec, 'renderer')) return 'the shell serves the renderer as files; it does not import it';
  if (resolvesInto(file, imp.spec, 'src') && !resolvesInto(file, imp.spec, path.join('src', 'api'))) return "the shell reaches the engine only through its API (src/api)";
  return null;
};

describe('layer rule (DESIGN.md)', () => {
  it('finds the engine sources it is meant to check', () => {
    expect(filesUnder('src').length).toBeGreaterThan(5);
  });

  it('src/ imports neither Electron nor renderer/', () => {
    expect(violations('src', engineRule)).toEqual([]);
  });

  it("src/ keeps the engine's order, and every engine folder has a place in it", () => {
    expect(violations('src', engineOrderRule)).toEqual([]);
    const units = readdirSync(path.join(REPO, 'src')).filter((n) => n !== 'README.md');
    expect(units.filter((u) => ENGINE_ORDER[u] === undefined)).toEqual([]);
  });

  it('renderer/ imports no Node module, no shell code, and nothing of the engine but the types of the API contract', () => {
    expect(violations('renderer', rendererRule)).toEqual([]);
  });

  it('src/common (shared with the renderer) imports nothing outside itself', () => {
    expect(filesUnder(path.join('src', 'common')).length).toBeGreaterThan(0);
    expect(violations(path.join('src', 'common'), commonRule)).toEqual([]);
    expect(commonRule('src/common/a.ts', { spec: 'node:fs', typeOnly: false, line: 1 })).toBeTruthy();
    expect(commonRule('src/common/a.ts', { spec: '../losses/loss.js', typeOnly: true, line: 1 })).toBeTruthy();
    expect(commonRule('src/common/a.ts', { spec: './b.js', typeOnly: false, line: 1 })).toBeNull();
  });

  it('electron/ imports the engine only through src/api, and never renderer/', () => {
    expect(filesUnder('electron').length).toBeGreaterThan(3);
    expect(violations('electron', shellRule)).toEqual([]);
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
      "import type { TrainConfig } from '../src/train/config.js';",
      "import { LAB_METHODS } from '../src/api/contract.js';",
      "import type { IpcResult } from '../electron/ipc.js';",
      "import type { Api } from '../src/api/contract.js';",
    ].join('\n');
    const found = importsOf(rendererSrc).map((i) => rendererRule('renderer/App.ts', i));
    expect(found.slice(0, 7).every(Boolean), JSON.stringify(found)).toBe(true);
    expect(found[7]).toBeNull();
    expect(rendererRule('renderer/src/lib/x.ts', { spec: '../../../src/common/loss-scale.js', typeOnly: false, line: 1 })).toBeNull();

    const order = (file: string, spec: string, typeOnly = false) => engineOrderRule(file, { spec, typeOnly, line: 1 });
    expect(order('src/kernels/conv.ts', '../nn/model.js')).toMatch(/must not import src\/nn/);
    expect(order('src/nn/model.ts', '../train/config.js', true)).toMatch(/must not import src\/train/);
    expect(order('src/train/run.ts', '../api/service.js')).toMatch(/must not import src\/api/);
    expect(order('src/newfolder/x.ts', '../util/random.js')).toMatch(/src\/newfolder has no place/);
    expect(order('src/api/service.ts', '../train/trainer.js')).toBeNull();
    expect(order('src/nn/model.ts', './presets.js')).toBeNull();

    const shell = (file: string, spec: string) => shellRule(file, { spec, typeOnly: false, line: 1 });
    expect(shell('electron/main.ts', '../api/service.js')).toBeNull();
    expect(shell('electron/ipc.ts', '../src/api/contract.js')).toBeNull();
    expect(shell('electron/main.ts', '../train/trainer.js')).toMatch(/only through its API/);
    expect(shell('electron/main.ts', '../src/runs/run-dir.js')).toMatch(/only through its API/);
    expect(shell('electron/main.ts', '../renderer/src/lib/api.js')).toMatch(/does not import it/);
  });
});
