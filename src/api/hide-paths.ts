// Error messages leave the engine for a page (the desktop window, or a browser on the web host),
// which has no business learning where the engine keeps its files or whose machine it runs on.
// Every message the dispatch sends goes through here, in three passes:
//
// 1. Known folders are replaced by what the user knows them as: the runs folder by `runs`, the
//    home folder by `~`, the package by `<codec-lab>`, the temporary folder by `<temp>`. This is a
//    plain substitution of the folder's own text, so it holds whatever the names contain (spaces,
//    quotes, brackets), and what follows (`runs/<run>/<file>`, `~/Music/My Song.wav`) is kept.
// 2. Any other absolute path in quotes keeps only its last part, read up to the closing quote.
// 3. Any other bare absolute path keeps only its last part too. Where a bare path ends cannot be
//    known for sure; it is taken to run on over a space while the next word still holds a separator
//    (`/Volumes/Ext Disk/My Song.wav` -> `My Song.wav`: the last part's own spaces stay as text).
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../assets.js';

/** A folder to replace, and what it is shown as. */
interface Root {
  dir: string;
  as: string;
}

/** Characters that stop a bare path: whitespace, quotes, brackets, and list punctuation. */
const STOP = `\\s'"\`)\\]<>|,;`;
/** A bare POSIX path (after a space, quote, bracket, '=' or ':' as in `file:`), running on over spaces while a separator follows. */
const POSIX_PATH = new RegExp(`(^|[\\s'"\`([=:])(/[^${STOP}]+(?: +[^${STOP}/]+/[^${STOP}]*)*)`, 'g');
/** A bare Windows path: a drive letter or a UNC share, running on over spaces in the same way. */
const WINDOWS_PATH = new RegExp(`(^|[\\s'"\`([=])((?:[A-Za-z]:|\\\\\\\\[^\\\\\\s]+)\\\\[^${STOP}]+(?: +[^${STOP}\\\\]+\\\\[^${STOP}]*)*)`, 'g');
/** An absolute path (POSIX, drive letter or UNC share) in quotes, up to the same closing quote. */
const QUOTED_PATH = /(['"`])((?:\/|[A-Za-z]:\\|\\\\)[^\n]*?)\1/g;

/** Its last part, keeping a sentence's trailing punctuation ('… /x/a.wav: bad' -> '… a.wav: bad'). */
function lastPart(p: string): string {
  const parse = p.startsWith('/') ? path.posix : path.win32;
  const trail = /[.:]+$/.exec(p)?.[0] ?? '';
  const bare = p.slice(0, p.length - trail.length);
  return (parse.basename(bare) || '…') + trail;
}

function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A root's pattern: its text, not inside a longer name on either side (the home folder /home/jo is
 * not in /home/joan, nor in /backup/home/jo), though a sentence's full stop may follow it.
 */
function rootPattern(dir: string): RegExp {
  const name = '[\\p{L}\\p{N}_.~-]';
  return new RegExp(`(?<!${name})${escapeRegExp(dir)}(?![\\p{L}\\p{N}_~-]|\\.${name})`, process.platform === 'win32' ? 'giu' : 'gu');
}

/** The folders as given and as they really are (a temporary folder under a symlinked /tmp, say); never a filesystem root. */
function roots(runsDir: string | undefined): { pattern: RegExp; as: string }[] {
  const given: Root[] = [
    ...(runsDir ? [{ dir: runsDir, as: 'runs' }] : []),
    { dir: PACKAGE_ROOT, as: '<codec-lab>' },
    { dir: os.tmpdir(), as: '<temp>' },
    { dir: os.homedir(), as: '~' },
  ];
  const all = new Map<string, string>();
  for (const { dir, as } of given) {
    if (!dir) continue;
    for (const d of [path.resolve(dir), realOrSame(path.resolve(dir))]) {
      if (d === path.parse(d).root || all.has(d)) continue;
      all.set(d, as);
    }
  }
  // Longest first: a runs folder in the home folder is `runs`, a temporary folder in it `<temp>`.
  return [...all].sort(([a], [b]) => b.length - a.length).map(([dir, as]) => ({ pattern: rootPattern(dir), as }));
}

/** Returns a function that rewrites the paths in a message as described above. */
export function pathHider(runsDir?: string): (message: string) => string {
  const known = roots(runsDir);
  return (message) => {
    let out = message;
    for (const { pattern, as } of known) out = out.replace(pattern, () => as);
    out = out.replace(QUOTED_PATH, (_m, quote: string, p: string) => quote + lastPart(p) + quote);
    out = out.replace(POSIX_PATH, (_m, before: string, p: string) => before + lastPart(p));
    return out.replace(WINDOWS_PATH, (_m, before: string, p: string) => before + lastPart(p));
  };
}
