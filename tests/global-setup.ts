// Runs once before the suite: brings dist/ up to date with the sources, so the code that runs
// outside vitest's own module loader (the training and peer workers, the web host's static files,
// the built shell, the WebAssembly kernels) is the code the tests import. Without it a change in
// src/ that breaks the worker would pass until the next `npm run build`.
//
// `npm install` has built everything once; here each part is rebuilt only when it can be stale:
// the TypeScript compilers are incremental and cheap when nothing changed (a few seconds), the
// kernels and the renderer are rebuilt only when a source is newer than their output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time of the files under `dir` (0 when there are none). */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const builtAt = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : -1);

/**
 * Runs an npm build script. The TypeScript compilers emit even when a type is wrong, so a type
 * error is shown but does not stop the suite (`npm run typecheck` is the check for types); any
 * other build that fails does.
 */
function run(script: string, typeErrorsOnly = false): void {
  const r = spawnSync('npm', ['run', '-s', script], { cwd: REPO, encoding: 'utf8' });
  if (r.status === 0) return;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (typeErrorsOnly && /error TS\d+/.test(output)) {
    process.stderr.write(`global-setup: ${script} reported type errors (built anyway):\n${output}`);
    return;
  }
  throw new Error(`global-setup: npm run ${script} failed:\n${output}`);
}

export default function setup(): void {
  const wasm = path.join(REPO, 'dist', 'wasm', 'kernels-simd.wasm');
  if (builtAt(wasm) < newest(path.join(REPO, 'src', 'kernels', 'assembly'))) run('build:wasm');
  run('build:ts', true);
  const page = path.join(REPO, 'dist', 'renderer', 'index.html');
  if (builtAt(page) < newest(path.join(REPO, 'renderer'))) run('build:renderer');
  run('build:electron', true);
}
