// The renderer's built files, served read-only from one folder. A path from the browser is decoded
// segment by segment and refused if any segment could climb out (`..`, encoded slashes, hidden
// names); the resolved file must then still lie inside the folder after symlinks are followed.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  file: string;
  size: number;
  type: string;
}

/**
 * The file under `root` that the raw URL path (still percent-encoded, without the query) names,
 * or null if there is none or the path is not one we serve. `root` need not exist yet.
 */
export function resolveStatic(root: string, rawPath: string): StaticFile | null {
  // Encoded separators and NUL would let a decoded segment smuggle a path through the split below.
  if (/%(2f|5c|00)/i.test(rawPath) || rawPath.includes('\\') || rawPath.includes('\0')) return null;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // No `.`/`..`, and no hidden files (a stray .env or .git in the build folder stays private).
    if (seg.startsWith('.') || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return null;
    segments.push(seg);
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return null;
  }
  const candidate = path.resolve(realRoot, ...segments);
  if (!inside(realRoot, candidate)) return null;
  try {
    // A symlink inside the folder may point anywhere; judge where it really leads.
    const real = realpathSync(candidate);
    if (!inside(realRoot, real)) return null;
    const st = statSync(real);
    if (!st.isFile()) return null;
    return { file: real, size: st.size, type: contentType(real) };
  } catch {
    return null;
  }
}

function inside(root: string, p: string): boolean {
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export function openStatic(f: StaticFile) {
  return createReadStream(f.file);
}

/** What `GET /` shows while the renderer has not been built yet (another part of the build makes it). */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Codec Lab</title></head>
<body>
<h1>Codec Lab</h1>
<p>The web host is running, but the app's page is not built yet.</p>
<p>Run <code>npm run build</code> in the codec-lab folder, then reload this page.</p>
</body>
</html>
`;
