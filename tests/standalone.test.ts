// The repository stands alone: a user clones it and nothing else. No file may read or name a
// folder beside the clone (the course's material folder was one; CI had it next to its clone and
// so hid 20 tests that read from it), and what the README points at must be in the repository.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers.js';

const SKIP = new Set(['node_modules', 'dist', 'release', 'runs', '.git', '.tmp', 'test-results']);
const TEXT = /\.(ts|cts|mts|js|mjs|cjs|svelte|json|md|py|sh|yml|yaml|html|css|txt)$|^\.ci$|^run$/;

function textFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name === 'package-lock.json') return [];
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return textFiles(p);
    return TEXT.test(name) ? [p] : [];
  });
}

describe('the repository stands alone', () => {
  it('no file reads or names a folder beside the clone', () => {
    // Built from parts so that this file does not name it either.
    const sibling = ['..', 'shared'].join('/');
    const offenders = textFiles(REPO).filter((f) => readFileSync(f, 'utf8').includes(sibling)).map((f) => path.relative(REPO, f));
    expect(offenders).toEqual([]);
  });

  it('every repository path the README names in backticks exists', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/`((?:docs|bench|tests|assets|src|renderer|electron|scripts)\/[\w./-]+)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((p) => !existsSync(path.join(REPO, p)))).toEqual([]);
  });
});
