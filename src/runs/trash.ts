// Deleting a run moves its folder into `trash/` inside the runs folder; nothing is ever erased. A
// student who deleted the wrong run moves it back by hand; emptying the trash is left to them.
// The runs list never shows `trash` or anything in it (listRunDirs in run-files.ts). A discarded
// listening test (src/listening/store.ts) goes there too, as a file.
import { constants, copyFileSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { RunError } from './errors.js';
import { entryExists, isRealDir, isRegularFile, TRASH_DIR } from './run-files.js';

/** `<root>/trash`, made if missing; TRASH_UNUSABLE if something else (a file, a link) has its name. */
function openTrash(root: string): string {
  const trash = path.join(root, TRASH_DIR);
  // Never through a link: what is moved would leave the runs folder for wherever the link points.
  if (entryExists(trash) && !isRealDir(trash)) throw new RunError('TRASH_UNUSABLE', `${trash} is not a folder (a file, or a symbolic link, which is never followed): nothing can be moved there`);
  mkdirSync(trash, { recursive: true });
  return trash;
}

/**
 * Move the run folder `<root>/<name>` to `<root>/trash/<name>`, or `<name>-2`, `-3` ... when a run of
 * that name was deleted before. Returns where it went, relative to `root` (`trash/<name>`).
 */
export function moveRunToTrash(root: string, name: string): string {
  const trash = openTrash(root);
  const from = path.join(root, name);
  for (let k = 1; ; k++) {
    // Checked each time: a source that is no folder any more would fail every rename with ENOTDIR too.
    if (!isRealDir(from)) throw new RunError('RUN_NOT_FOUND', `${from} is not a run folder (missing, or a symbolic link)`);
    const target = k === 1 ? name : `${name}-${k}`;
    const to = path.join(trash, target);
    if (entryExists(to)) continue;
    try {
      // rename() may replace only an empty folder, never one with files in it (ENOTEMPTY) or a file
      // (ENOTDIR): whatever appears under this name meanwhile, nothing is lost.
      renameSync(from, to);
      return `${TRASH_DIR}/${target}`;
    } catch (e) {
      if (!['EEXIST', 'ENOTEMPTY', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
}

/**
 * Move the file `from` (a regular file in the runs folder `root`, e.g. a listening test) to
 * `<root>/trash/<its name>`, or `<stem>-2<ext>` ... when that name is taken. Returns where it went,
 * relative to `root`. A file is copied with COPYFILE_EXCL (which fails rather than replace whatever
 * appeared under the name meanwhile; rename() would replace it silently) and then unlinked: a crash
 * in between leaves it in both places, never in neither.
 */
export function moveFileToTrash(root: string, from: string): string {
  const trash = openTrash(root);
  const { name, ext } = path.parse(from);
  for (let k = 1; ; k++) {
    if (!isRegularFile(from)) throw new RunError('RUN_NOT_FOUND', `${from} is not a file (missing, or a symbolic link)`);
    const target = k === 1 ? `${name}${ext}` : `${name}-${k}${ext}`;
    const to = path.join(trash, target);
    if (entryExists(to)) continue;
    try {
      copyFileSync(from, to, constants.COPYFILE_EXCL);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    unlinkSync(from);
    return `${TRASH_DIR}/${target}`;
  }
}
