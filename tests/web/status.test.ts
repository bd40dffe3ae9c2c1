// The web host's table of HTTP statuses (src/web/status.ts) against the codes the engine really
// uses. Many codes are thrown as plain strings (ApiError, JobError, TrainingError ...) that no type
// lists, so they are found in the sources: a new one without a row fails here instead of quietly
// answering some default status. The typed code lists are checked by the compiler as well.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_OF_CODE, statusOf, UNLISTED_CODE_STATUS } from '../../src/web/status.js';
import { REPO } from '../helpers.js';

/**
 * Not scanned: the command line is a door of its own (its codes never reach the host), the
 * kernels throw no coded errors, and the table itself would list what it should be checked against.
 */
const NOT_SCANNED = [path.join('src', 'cli'), path.join('src', 'kernels'), path.join('src', 'web', 'status.ts')];
/** Found, but never answered: the client went away, so the host drops the connection instead. */
const NEVER_ANSWERED = new Set(['CLIENT_GONE']);

const CODE = `'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'`;
/** Where a string in the sources is an error code. */
const CODE_SITES = [
  // new ApiError('NO_WEIGHTS', …), new JobError('NOT_BUILT', …)
  new RegExp(`new \\w*Error\\(\\s*${CODE}`, 'g'),
  // { code: 'LIBRARY_FULL' }, readonly code = 'BAD_CONFIG', err.code ?? 'TRAINING_FAILED', code: 'A' | 'B'
  new RegExp(`\\bcode\\??\\s*(?::|=(?!=)|\\?\\?)\\s*(${CODE}(?:\\s*\\|\\s*${CODE})*)`, 'g'),
  // Any UPPER_SNAKE string with an underscore is a code wherever it stands: sendError(req, res,
  // 'METHOD_NOT_ALLOWED', …), toThreadError(e, 'TRAINING_FAILED'). One-word codes need a site above.
  /'[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+'/g,
];
/** The members of a code union type: type AudioErrorCode = | 'FILE_NOT_FOUND' | … ; */
const CODE_TYPE = /\btype \w*Code\s*=([^;]*);/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (NOT_SCANNED.includes(rel)) return [];
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Every error code the engine's sources use, with a file that uses it. */
function engineCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (text: string, file: string) => {
    for (const m of text.matchAll(new RegExp(CODE, 'g'))) if (!found.has(m[1])) found.set(m[1], file);
  };
  for (const file of sourceFiles('src')) {
    // Comments may quote codes that are not used; they are not code sites.
    const text = readFileSync(path.join(REPO, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const site of CODE_SITES) for (const m of text.matchAll(site)) add(m[0].slice(m[0].indexOf("'")), file);
    for (const m of text.matchAll(CODE_TYPE)) add(m[1], file);
  }
  for (const code of NEVER_ANSWERED) found.delete(code);
  return found;
}

describe('HTTP statuses', () => {
  const codes = engineCodes();

  it('finds the codes in the sources (the scan itself works)', () => {
    // One of each kind of site: an ApiError, a JobError, a union member, a system code, a host refusal, a readonly field.
    for (const code of ['LIBRARY_FULL', 'ENGINE_WORKER_FAILED', 'UNSUPPORTED_SAMPLE_RATE', 'NO_TEST_SPLIT', 'NO_SPACE', 'METHOD_NOT_ALLOWED', 'NOT_ENOUGH_AUDIO', 'DIVERGED']) {
      expect(codes.has(code), code).toBe(true);
    }
    expect(codes.size).toBeGreaterThan(40);
  });

  it('gives every code the engine uses a row of its own', () => {
    const unlisted = [...codes].filter(([code]) => !STATUS_OF_CODE.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(unlisted).toEqual([]);
  });

  it('lists no code the engine does not use', () => {
    expect([...STATUS_OF_CODE.keys()].filter((code) => !codes.has(code))).toEqual([]);
  });

  it('answers each kind of condition with its status', () => {
    const expected: Record<string, number> = {
      BAD_REQUEST: 400,
      BAD_CONFIG: 400,
      RUN_NOT_FOUND: 404,
      FILE_NOT_FOUND: 404,
      NO_WEIGHTS: 409,
      NO_TEST_SPLIT: 409,
      RUN_DAMAGED: 409,
      FILE_TOO_LARGE: 413,
      CLIP_REFUSED: 422,
      UNSUPPORTED_SAMPLE_RATE: 422,
      NOT_WAV: 422,
      ENGINE_WORKER_FAILED: 500,
      WRITE_FAILED: 500,
      INTERNAL: 500,
      SHUTTING_DOWN: 503,
      NOT_BUILT: 503,
      LIBRARY_FULL: 507,
      NO_SPACE: 507,
    };
    expect(Object.fromEntries(Object.keys(expected).map((code) => [code, statusOf(code)]))).toEqual(expected);
  });

  it('answers a code it does not list as the server fault it is, whatever its name', () => {
    for (const code of ['SOMETHING_NEW', 'constructor', '__proto__', 'toString']) expect(statusOf(code), code).toBe(UNLISTED_CODE_STATUS);
    expect(UNLISTED_CODE_STATUS).toBe(500);
  });
});
