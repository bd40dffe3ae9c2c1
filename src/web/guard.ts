// Who may talk to the web host: only a page or program that knows this start's random token, and
// only through the loopback names of this exact port. Every check here runs before a request body
// is read, a file is opened or the service is called, so a refused request touches nothing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-codec-lab-token';
export const TOKEN_COOKIE = 'codec_lab_token';

/** A fresh token per start: 32 random bytes as 64 hex digits. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export type Refusal = { status: number; code: string; message: string };

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
  check(req: IncomingMessage, query: URLSearchParams, isApi: boolean): Refusal | null {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) return { status: 421, code: 'BAD_HOST', message: `this host answers only to 127.0.0.1:${this.port} or localhost:${this.port}` };

    // Any Origin that is not ours means a page elsewhere made this request (a cross-origin fetch,
    // a form post, or a page on another localhost port, which counts as the same *site* and so
    // would carry our SameSite=Strict cookie). Same-origin GETs usually send no Origin at all.
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) return { status: 403, code: 'BAD_ORIGIN', message: 'cross-origin requests are refused' };
    // Browsers that send Fetch metadata say plainly when a request comes from another site. Only
    // the API is guarded this way: following a link to the lab's page from elsewhere is fine.
    const site = req.headers['sec-fetch-site'];
    if (isApi && (site === 'cross-site' || site === 'same-site')) return { status: 403, code: 'BAD_ORIGIN', message: 'cross-site requests are refused' };

    if (!this.authorised(req, query)) return { status: 401, code: 'UNAUTHORIZED', message: 'a valid token is needed: open the URL the host printed when it started' };
    return null;
  }

  /** True if the token came by header, query or cookie. */
  authorised(req: IncomingMessage, query: URLSearchParams): boolean {
    const candidates: string[] = [];
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string') candidates.push(header);
    candidates.push(...query.getAll('token'));
    candidates.push(...cookieValues(req.headers.cookie, TOKEN_COOKIE));
    // Check every candidate, not the first: a cookie left by an earlier start on another port
    // (cookies are per host name, not per port) must not hide a good token sent beside it.
    let ok = false;
    for (const c of candidates) ok = this.matches(c) || ok;
    return ok;
  }

  /** True if the query holds the right token (the first visit, which then sets the cookie). */
  queryHasToken(query: URLSearchParams): boolean {
    return query.getAll('token').some((t) => this.matches(t));
  }

  /** Constant-time comparison; hashing first makes the length of a wrong guess irrelevant too. */
  private matches(candidate: string): boolean {
    if (candidate.length > 1024) return false;
    return timingSafeEqual(sha256(candidate), this.digest);
  }

  /** The Set-Cookie value that lets the page's own asset, API and event requests through. */
  cookie(): string {
    return `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Every value of the named cookie in a Cookie header (a browser may send the same name twice). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    out.push(value);
  }
  return out;
}
