// Where the files that ship with Codec Lab are, whether it runs from src/ (tests) or dist/ (installed).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder: one level above src/ or dist/. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The clip loaded on first start and used by commands given no file (see assets/README.md). */
export const BUNDLED_CLIP = path.join(PACKAGE_ROOT, 'assets', 'folk_wesnoth_traveling_minstrels.wav');
