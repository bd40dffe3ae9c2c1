// Reading in the runs folder without following symbolic links. A run folder copied from someone
// else or edited by hand could hold a link to any file on the machine, and the web host serves run
// files to the browser; so a run folder must be a real folder, and every file read from it a regular
// file, opened with O_NOFOLLOW where the platform has it (elsewhere checked with lstat first).
// A FIFO (named pipe) in a run folder is refused too: opened for reading it would wait for a writer
// for ever, and runs are listed on the host's main thread.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { RunError } from './errors.js';

/** The folder in the runs folder that holds deleted runs (src/runs/trash.ts); never listed as a run. */
export const TRASH_DIR = 'trash';
/** The folder in the runs folder that holds the listening tests (src/listening/store.ts); never listed as a run. */
export const LISTENING_DIR = 'listening';

/**
 * What changes when a file is replaced or rewritten: inode (a rename of a new file into place), size
 * and modification time. Files written atomically (util/atomic-file.ts) always get a new inode.
 */
export function statStamp(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** statStamp of `p`, or 'none' when there is no such entry. */
export function fileStamp(p: string): string {
  try {
    return statStamp(lstatSync(p));
  } catch {
    return 'none';
  }
}

/** True if `p` is a folder itself, not a link to one. */
export function isRealDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** True if `p` is a regular file itself, not a link to one. */
export function isRegularFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}

/** True if anything (a file, a folder, a link, even a broken one) has this name. */
export function entryExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The run folders in `root`: real folders, not hidden (a hidden one is a run still being made), and
 * not `trash` (deleted runs, src/runs/trash.ts) or `listening` (listening tests), sorted.
 */
export function listRunDirs(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  // Dirent types come from the folder entry itself (lstat), so a link to a folder is not a directory here.
  return entries.filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== TRASH_DIR && d.name !== LISTENING_DIR).map((d) => d.name).sort();
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/**
 * open() of a FIFO for reading blocks until a writer opens it; with O_NONBLOCK it returns at once
 * (fstat then refuses it). On a regular file the flag changes nothing. Windows has no such flag, and
 * no FIFOs in folders either (its named pipes live in their own namespace).
 */
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * The bytes of a file in a run folder. Its folder must be a real folder and the file a regular file;
 * a symbolic link in either place, a missing file, or anything but a regular file (a FIFO, a device,
 * a folder) is a RunError RUN_DAMAGED naming the file.
 */
export function readRunFile(file: string): Buffer {
  const dir = path.dirname(file);
  if (!isRealDir(dir)) throw new RunError('RUN_NOT_FOUND', `${dir} is not a run folder (missing, or a symbolic link, which is never followed)`);
  if (!NOFOLLOW && lstatIsLink(file)) throw linkError(file);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw linkError(file);
    if (code === 'ENOENT') throw new RunError('RUN_DAMAGED', `${file} is missing`);
    throw e;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new RunError('RUN_DAMAGED', `${file} is ${kindOf(stats)}, not a regular file`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a file that is not a regular one is, in words. */
function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isDirectory()) return 'a folder';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'something else';
}

function lstatIsLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkError(file: string): RunError {
  return new RunError('RUN_DAMAGED', `${file} is a symbolic link; files in a run folder are never followed through links`);
}
