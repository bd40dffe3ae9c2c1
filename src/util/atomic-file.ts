// Files are written to a temporary name beside the target, flushed, then renamed over it: a rename
// within one folder is atomic, so a crash at any moment leaves either the old file or the new one,
// never half of one.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A hidden name beside `file`, unique to this process and this call: `.name.PID-xxxxxxxx.tmp`. The pid
 * says whose it is, so a clean-up can remove the ones whose writer is gone (src/runs/run-dir.ts).
 */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Node's error for a failed write() (a full disk) names no file, and one from open() names the
 * temporary: make it name the file that could not be written, keeping its code.
 */
function namingFile(e: unknown, file: string, tmp: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err instanceof Error && typeof err.syscall === 'string' && (err.path === undefined || err.path === tmp)) {
    err.path = file;
    err.message = `${err.message} (writing ${file})`;
  }
  return e;
}

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempNameFor(file);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    // The clean-up fails whenever the write could not even start (a folder on the way that is a file:
    // ENOTDIR again, naming the temporary); its error must never hide the one that says what went wrong.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw namingFile(e, file, tmp);
  }
}

/** The same for code that must not yield (a worker saving weights between steps, an exit handler). */
export function writeFileAtomicSync(file: string, data: Uint8Array | string): void {
  const tmp = tempNameFor(file);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // As above: the write's own error is the one to report.
    }
    throw namingFile(e, file, tmp);
  }
}
