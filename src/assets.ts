// Where the files that ship with Codec Lab are, whether it runs from src/ (tests) or dist/ (installed).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder: one level above src/ or dist/. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The clip loaded on first start and used by commands given no file (see assets/README.md). */
export const BUNDLED_CLIP = path.join(PACKAGE_ROOT, 'assets', 'folk_wesnoth_traveling_minstrels.wav');

/** Codec Lab's version, as its package.json says. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A worker thread's compiled entry (dist/<rel>): worker threads run the built engine, which `npm
 * install` builds and the tests' global set-up rebuilds from the sources. Throws an error with the
 * code NOT_BUILT, naming the file relative to the package, when it is missing.
 */
export function builtWorkerFile(rel: string): string {
  const file = path.join(PACKAGE_ROOT, 'dist', rel);
  if (!existsSync(file)) throw Object.assign(new Error(`the engine is not built (dist/${rel} is missing); run \`npm run build\``), { code: 'NOT_BUILT' });
  return file;
}
