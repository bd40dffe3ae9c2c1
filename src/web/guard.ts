// Who may talk to the web host: only a page or program that knows this start's random token, and
// only through the loopback names of this exact port. Every check here runs before a request body
// is read, a file is opened or the service is called, so a refused request touches nothing.
//
// The token never travels in a cookie. Browsers send a host name's cookies to every port of it, so
// a cookie set by 127.0.0.1:PORT would also reach any other server on 127.0.0.1; the token would
// leak to whatever else listens there. Instead the page is opened with `?token=`, the renderer's
// web client keeps it in sessionStorage (per origin, which includes the port) and sends it in the
// X-Codec-Lab-Token header on every API call. Only the event stream takes it as a query parameter,
// because EventSource cannot set headers.
//
// The page and its assets are served without the token: they are the renderer's public build
// output (the same files the npm package ships), hold no secret and no user data, and a browser
// loads them with plain <script> and <link> tags that could not carry a header. Serving the page
// without the token is also what lets a reload work once the client has taken the token out of the
// address bar. Everything that reads or changes the lab (/api/*) always needs the token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-codec-lab-token';

/** A fresh token per start: 32 random bytes as 64 hex digits. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export type Refusal = { code: string; message: string };

/** What a request asks for: the API (token in the header), the event stream (header or query), or a built file (no token). */
export type RequestKind = 'api' | 'events' | 'static';

export class RequestGuard {
  private readonly digest: Buffer;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(
    readonly token: string,
    readonly port: number,
  ) {
    this.digest = sha256(token);
    // A DNS-rebinding page reaches us under its own host name; only the loopback names of this
    // port are ours. Browsers always send the port in Host when it is not 80.
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  /** The first reason to refuse this request, or null if it may proceed. */
  check(req: IncomingMessage, query: URLSearchParams, kind: RequestKind): Refusal | null {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) return { code: 'BAD_HOST', message: `this host answers only to 127.0.0.1:${this.port} or localhost:${this.port}` };

    // Any Origin that is not ours means a page elsewhere made this request (a cross-origin fetch,
    // a form post, or a page on another localhost port). Same-origin GETs usually send no Origin.
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) return { code: 'BAD_ORIGIN', message: 'cross-origin requests are refused' };
    // Browsers that send Fetch metadata say plainly when a request comes from another site. Only
    // the API is guarded this way: following a link to the lab's page from elsewhere is fine.
    const site = req.headers['sec-fetch-site'];
    if (kind !== 'static' && (site === 'cross-site' || site === 'same-site')) return { code: 'BAD_ORIGIN', message: 'cross-site requests are refused' };

    if (kind !== 'static' && !this.authorised(req, query, kind)) return { code: 'UNAUTHORIZED', message: 'a valid token is needed: open the URL the host printed when it started' };
    return null;
  }

  /** True if the token came in the header (or, for the event stream only, in the query). */
  authorised(req: IncomingMessage, query: URLSearchParams, kind: Exclude<RequestKind, 'static'>): boolean {
    const candidates: string[] = [];
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string') candidates.push(header);
    if (kind === 'events') candidates.push(...query.getAll('token'));
    return candidates.some((c) => this.matches(c));
  }

  /** Constant-time comparison; hashing first makes the length of a wrong guess irrelevant too. */
  private matches(candidate: string): boolean {
    if (candidate.length > 1024) return false;
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
