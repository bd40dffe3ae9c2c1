// The listening tests of a runs folder: one JSON file per test in `<runs>/listening/<id>.json`, each
// written whole (a temporary file renamed over it, src/util/atomic-file.ts), so a crash at any
// moment leaves the previous state of a test or the next, never half of one. A test is written when
// it starts and after every answer, so an unfinished one survives a restart and can be resumed (its
// file has no result) or discarded (moved to `<runs>/trash/`, never erased). A file that cannot be
// read as a test is listed as damaged with the reason; it never breaks the list.
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeJson } from '../runs/run-dir.js';
import { entryExists, isRealDir, LISTENING_DIR, readRunFile } from '../runs/run-files.js';
import { moveFileToTrash } from '../runs/trash.js';
import { RunError } from '../runs/errors.js';
import { parseListeningRecord, type ListeningKind, type ListeningRecord } from './record.js';
import type { RefCheck } from './parse-fields.js';
import { ListeningError } from './errors.js';

/** A test's id: the name of its file without `.json`. Never hidden, never a path. */
const TEST_ID = /^[\w][\w.-]*$/;
/** Far above any real test (100 trials take about 20 kB): a larger file is not one this engine wrote. */
const MAX_FILE_BYTES = 1024 * 1024;

/** One file of the listening folder: a test, or why it is none. `modifiedAt` orders the damaged ones. */
export type StoredTest<Ref> = { id: string; record: ListeningRecord<Ref> } | { id: string; damaged: string; modifiedAt: string };

export class ListeningStore<Ref> {
  /** `<runs>/listening`. */
  readonly dir: string;

  /** `checkRef` judges the sides' audio references read from a file (the API's own check). */
  constructor(
    readonly runsDir: string,
    private readonly checkRef: RefCheck<Ref>,
  ) {
    this.dir = path.join(runsDir, LISTENING_DIR);
  }

  private file(id: string): string {
    if (!TEST_ID.test(id)) throw new ListeningError('LISTENING_NOT_FOUND', `no listening test ${JSON.stringify(id.slice(0, 60))}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** True if the folder is usable or absent; LISTENING_UNUSABLE if a file or a link has its name. */
  private folderIsReal(): boolean {
    if (!entryExists(this.dir)) return false;
    if (!isRealDir(this.dir)) throw new ListeningError('LISTENING_UNUSABLE', `${this.dir} is not a folder (a file, or a symbolic link, which is never followed): listening tests cannot be kept there`);
    return true;
  }

  /** A fresh id that sorts by time and says the kind: `20260301-142233-abx-3fa2c1`. */
  newId(kind: ListeningKind): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    for (;;) {
      const id = `${stamp}-${kind}-${randomBytes(3).toString('hex')}`;
      if (!entryExists(this.file(id))) return id;
    }
  }

  write(record: ListeningRecord<Ref>): void {
    const file = this.file(record.id);
    if (!this.folderIsReal()) mkdirSync(this.dir, { recursive: true });
    writeJson(path.dirname(file), path.basename(file), record);
  }

  /** The test `id`: LISTENING_NOT_FOUND if there is none, LISTENING_DAMAGED (with why) if its file is no test. */
  read(id: string): ListeningRecord<Ref> {
    const file = this.file(id);
    if (!this.folderIsReal() || !entryExists(file)) throw new ListeningError('LISTENING_NOT_FOUND', `no listening test ${id}`);
    let size: number;
    try {
      size = lstatSync(file).size;
    } catch {
      throw new ListeningError('LISTENING_NOT_FOUND', `no listening test ${id}`);
    }
    if (size > MAX_FILE_BYTES) throw new ListeningError('LISTENING_DAMAGED', `listening test ${id}: ${file} is ${size} bytes, far larger than a test`);
    let text: string;
    try {
      text = readRunFile(file).toString('utf8');
    } catch (e) {
      // Not a regular file (a link, a folder, a FIFO): the reader's reason, as this store's damage.
      if (e instanceof RunError) throw new ListeningError('LISTENING_DAMAGED', `listening test ${id}: ${e.message}`);
      throw e;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ListeningError('LISTENING_DAMAGED', `listening test ${id}: ${file} is not JSON`);
    }
    return parseListeningRecord(value, id, this.checkRef);
  }

  /** Every file of the folder ending in `.json` (hidden temporaries left out), read or damaged, by id. */
  list(): StoredTest<Ref>[] {
    if (!this.folderIsReal()) return [];
    const ids = readdirSync(this.dir)
      .filter((name) => name.endsWith('.json') && TEST_ID.test(name.slice(0, -'.json'.length)))
      .map((name) => name.slice(0, -'.json'.length))
      .sort();
    const out: StoredTest<Ref>[] = [];
    for (const id of ids) {
      try {
        out.push({ id, record: this.read(id) });
      } catch (e) {
        if (!(e instanceof ListeningError)) throw e;
        // Gone since the folder was read: not listed. Anything else that is wrong is shown.
        if (e.code === 'LISTENING_NOT_FOUND') continue;
        out.push({ id, damaged: e.message, modifiedAt: modifiedAt(this.file(id)) });
      }
    }
    return out;
  }

  /**
   * Move a test's file (finished, unfinished or damaged) to `<runs>/trash/`; returns where it went
   * (`trash/<id>.json`, with a suffix if that name is taken). Nothing is erased.
   */
  discard(id: string): string {
    const file = this.file(id);
    if (!this.folderIsReal() || !entryExists(file)) throw new ListeningError('LISTENING_NOT_FOUND', `no listening test ${id}`);
    try {
      return moveFileToTrash(this.runsDir, file);
    } catch (e) {
      if (e instanceof RunError && e.code === 'RUN_NOT_FOUND') throw new ListeningError('LISTENING_NOT_FOUND', `no listening test ${id} (its file is missing or a symbolic link)`);
      throw e;
    }
  }
}

function modifiedAt(file: string): string {
  try {
    return lstatSync(file).mtime.toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}
