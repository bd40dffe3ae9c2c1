// Error messages leave the engine for a page (the desktop window, or a browser on the web host),
// which has no business learning where the engine keeps its files: the runs folder, the package,
// the home and temporary folders. Every message the dispatch sends goes through here. Paths inside
// the runs folder become `runs/<run>/<file>`, which is what the user knows them as; any other
// absolute path keeps only its last part, the file's own name, which is what the message is about.
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** A POSIX absolute path, alone or after a space, quote, bracket, '=' or ':' (a URL's `file:`). */
const POSIX_PATH = /(^|[\s'"`([=:])(\/[^\s'"`)\]<>|,;]+)/g;
/** A Windows absolute path: a drive letter or a UNC share. */
const WINDOWS_PATH = /(^|[\s'"`([=])((?:[A-Za-z]:|\\\\[^\\\s]+)\\[^\s'"`)\]<>|,;]+)/g;

/** Its last part, keeping a sentence's trailing punctuation ('… /x/a.wav: bad' -> '… a.wav: bad'). */
function lastPart(p: string, parse: typeof path.posix): string {
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

/** Returns a function that rewrites the paths in a message as described above. */
export function pathHider(runsDir?: string): (message: string) => string {
  // The folder as given and as it really is (a temporary folder under a symlinked /tmp, say).
  const roots = runsDir ? [...new Set([path.resolve(runsDir), realOrSame(path.resolve(runsDir))])].sort((a, b) => b.length - a.length) : [];
  return (message) => {
    let out = message;
    for (const root of roots) out = out.split(root + path.sep).join('runs/').split(root).join('runs');
    out = out.replace(POSIX_PATH, (_m, before: string, p: string) => before + lastPart(p, path.posix));
    return out.replace(WINDOWS_PATH, (_m, before: string, p: string) => before + lastPart(p, path.win32));
  };
}
