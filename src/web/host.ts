// The web host: the same LabApi the desktop shell serves, offered to a browser over HTTP on the
// loopback interface. One POST route per call, uploads and audio as raw bytes, events as a
// server-sent event stream, and the renderer's built files. The protocol is described in
// src/web/README.md; the renderer's web client is written against exactly that.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PACKAGE_ROOT } from '../assets.js';
import { LAB_METHODS, type LabEvent } from '../api/contract.js';
import { createDispatch, type CallResult } from '../api/dispatch.js';
import { PATH_METHODS } from '../api/validate.js';
import { LabService } from '../api/service.js';
import { BodyError, readBody } from './body.js';
import { newToken, RequestGuard, type Refusal } from './guard.js';
import { statusOf } from './status.js';
import { NOT_BUILT_PAGE, openStatic, resolveStatic } from './static-files.js';
import { encodeFloatFrames } from '../common/float-frames.js';

/** The only interface the host listens on. */
export const LOOPBACK = '127.0.0.1';

export const DEFAULT_STATIC_DIR = path.join(PACKAGE_ROOT, 'dist', 'renderer');
export const JSON_LIMIT = 1024 * 1024;
export const UPLOAD_LIMIT = 512 * 1024 * 1024;
export const PING_MS = 15_000;

export interface WebHostOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Folder of the run folders; needed unless a service is given. */
  runsDir?: string;
  /** Load the bundled clip at start (default true); ignored when a service is given. */
  withBundledClip?: boolean;
  /** Folder of the built renderer (default dist/renderer of this package). */
  staticDir?: string;
  /** Serve this service instead of making one; the caller then owns its shutdown. */
  service?: LabService;
  /** Accepted only as '127.0.0.1': the host never listens on another interface. */
  host?: string;
  /** Smaller limits and ping interval, for tests. */
  jsonLimit?: number;
  uploadLimit?: number;
  pingMs?: number;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/?token=TOKEN`: what a browser opens. */
  url: string;
  port: number;
  token: string;
  service: LabService;
  server: Server;
  /** Stop listening, end event streams and, if the host made the service, stop its trainings (they save weights). */
  close(): Promise<void>;
}

/** Calls that take server-side file paths (PATH_METHODS): a browser uploads and downloads instead. */
const NOT_IN_BROWSER: ReadonlySet<string> = new Set(PATH_METHODS);
/** Calls that move bytes, each with its own route. */
// A Map, not an object literal: a method name like `constructor` must not find Object.prototype's.
const OWN_ROUTE = new Map<string, string>([
  ['addFileData', 'POST /api/upload?name=NAME'],
  ['audio', 'POST /api/audio'],
  ['spectralView', 'POST /api/view'],
]);
const CALLABLE = new Set<string>(LAB_METHODS.filter((m) => !NOT_IN_BROWSER.has(m) && !OWN_ROUTE.has(m)));

/** Sent on every response; the CSP also covers JSON and files, which costs nothing and stops a served SVG from running script. */
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "media-src 'self' blob:; connect-src 'self'; worker-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export async function startWebHost(opts: WebHostOptions = {}): Promise<WebHost> {
  if (opts.host !== undefined && opts.host !== LOOPBACK) throw new Error(`the web host listens only on ${LOOPBACK}, not ${opts.host}`);
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${port}`);
  if (!opts.service && !opts.runsDir) throw new Error('startWebHost needs a runsDir (or a service)');
  const ownsService = !opts.service;
  const service = opts.service ?? new LabService({ runsDir: opts.runsDir!, withBundledClip: opts.withBundledClip });
  const staticDir = path.resolve(opts.staticDir ?? DEFAULT_STATIC_DIR);
  const jsonLimit = opts.jsonLimit ?? JSON_LIMIT;
  const uploadLimit = opts.uploadLimit ?? UPLOAD_LIMIT;
  const pingMs = opts.pingMs ?? PING_MS;
  const token = newToken();
  // The browser reaches the service only through this (argument checks, one error mapping).
  const dispatch = createDispatch(service, { runsDir: service.runsDir });

  // The guard needs the port, which is known only once listening (port 0); until then nothing is accepted.
  let guard: RequestGuard | null = null;
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      // Last line of defence: a bug in a handler answers 500 (or drops the connection if the
      // answer had begun) but never takes the host down.
      process.stderr.write(`codec-lab web: ${req.method} ${req.url}: ${(e as Error)?.stack ?? e}\n`);
      if (!res.headersSent) sendError(req, res, 'INTERNAL', 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const raw = req.url ?? '/';
    // Only origin-form targets ("/path?query"); absolute-form and "*" have no business here.
    if (!raw.startsWith('/')) return sendError(req, res, 'BAD_REQUEST', 'bad request target');
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const isApi = rawPath === '/api' || rawPath.startsWith('/api/');

    const kind = !isApi ? 'static' : rawPath === '/api/events' ? 'events' : 'api';
    const refusal: Refusal | null = guard ? guard.check(req, query, kind) : { code: 'STARTING', message: 'starting' };
    if (refusal) return sendError(req, res, refusal.code, refusal.message);

    if (isApi) return api(req, res, rawPath, query);
    return serveStatic(req, res, rawPath);
  }

  async function api(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams): Promise<void> {
    const call = /^\/api\/call\/([^/]+)$/.exec(rawPath);
    if (call) {
      if (req.method !== 'POST') return methodNotAllowed(req, res, 'POST');
      let method: string;
      try {
        method = decodeURIComponent(call[1]);
      } catch {
        return sendError(req, res, 'NOT_FOUND', 'no such method');
      }
      if (NOT_IN_BROWSER.has(method)) {
        return sendError(req, res, 'NOT_AVAILABLE', `${method} takes file paths on the host's machine, which a browser may not name; upload files with POST /api/upload and download audio with POST /api/audio instead`);
      }
      const own = OWN_ROUTE.get(method);
      if (own) return sendError(req, res, 'BAD_REQUEST', `${method} moves bytes; use ${own}`);
      // Looked up in our own list, never on an object (and the dispatch looks it up again in its own Map).
      if (!CALLABLE.has(method)) return sendError(req, res, 'NOT_FOUND', `no method '${method.slice(0, 60)}'`);
      const body = await jsonBody(req, res);
      if (!body) return;
      if (body.args !== undefined && !Array.isArray(body.args)) return sendError(req, res, 'BAD_REQUEST', '"args" must be a list');
      return answer(req, res, await dispatch.call(method, (body.args as unknown[] | undefined) ?? []));
    }

    switch (rawPath) {
      case '/api/upload': {
        if (req.method !== 'POST') return methodNotAllowed(req, res, 'POST');
        const name = query.get('name');
        if (!name) return sendError(req, res, 'BAD_REQUEST', 'the upload needs ?name=FILE_NAME');
        const bytes = await bodyOrError(req, res, uploadLimit);
        if (!bytes) return;
        // readBody returns a Uint8Array owning its whole ArrayBuffer, so this hands over exactly the file.
        return answer(req, res, await dispatch.call('addFileData', [name, bytes.buffer as ArrayBuffer]));
      }
      case '/api/audio': {
        if (req.method !== 'POST') return methodNotAllowed(req, res, 'POST');
        const body = await jsonBody(req, res);
        if (!body) return;
        // The export options are optional: a body without them plays the audio as the lab does.
        const result = await dispatch.call('audio', body.opts === undefined ? [body.ref] : [body.ref, body.opts]);
        if (!result.ok) return sendError(req, res, result.error.code, result.error.message);
        const wav = result.value as ArrayBuffer;
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': wav.byteLength, 'Cache-Control': 'no-store' });
        res.end(Buffer.from(wav));
        return;
      }
      case '/api/view': {
        // A spectral view is mostly float32 images: sent as binary (src/common/float-frames.ts), not as JSON numbers.
        if (req.method !== 'POST') return methodNotAllowed(req, res, 'POST');
        const body = await jsonBody(req, res);
        if (!body) return;
        if (body.args !== undefined && !Array.isArray(body.args)) return sendError(req, res, 'BAD_REQUEST', '"args" must be a list');
        const result = await dispatch.call('spectralView', (body.args as unknown[] | undefined) ?? []);
        if (!result.ok) return sendError(req, res, result.error.code, result.error.message);
        const bytes = encodeFloatFrames(result.value);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Cache-Control': 'no-store' });
        res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return;
      }
      case '/api/events':
        if (req.method !== 'GET') return methodNotAllowed(req, res, 'GET');
        return events(req, res);
      default:
        return sendError(req, res, 'NOT_FOUND', `no route ${rawPath.slice(0, 100)}`);
    }
  }

  /** The JSON object body, or null after answering 400/413 itself. */
  async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
    const bytes = await bodyOrError(req, res, jsonLimit);
    if (!bytes) return null;
    if (bytes.length === 0) return {};
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch {
      sendError(req, res, 'BAD_REQUEST', 'the body is not JSON');
      return null;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      sendError(req, res, 'BAD_REQUEST', 'the body must be a JSON object');
      return null;
    }
    return value as Record<string, unknown>;
  }

  async function bodyOrError(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Uint8Array | null> {
    try {
      return await readBody(req, limit);
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      if (e.code !== 'CLIENT_GONE') sendError(req, res, e.code, e.message);
      else res.destroy();
      return null;
    }
  }

  function answer(req: IncomingMessage, res: ServerResponse, result: CallResult): void {
    if (!result.ok) return sendError(req, res, result.error.code, result.error.message);
    sendJson(req, res, 200, { result: result.value === undefined ? null : result.value });
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    // `Connection: close`: the stream holds its connection until it ends, and then the socket goes
    // too, so stopping the host never waits on an idle keep-alive left behind by a browser tab.
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
    res.write(': connected\n\n');
    streams.add(res);
    const send = (e: LabEvent) => {
      // A client that stopped reading would make us hold every event for it; let it go instead
      // (EventSource reconnects, and the renderer reloads state with listRuns).
      if (res.writableLength > 8 * 1024 * 1024) return res.destroy();
      res.write(`data: ${JSON.stringify(e)}\n\n`);
    };
    const unsubscribe = dispatch.subscribe(send);
    // Comments keep idle connections (and any proxy between) from timing out and show a dead client.
    const ping = setInterval(() => res.write(': ping\n\n'), pingMs);
    ping.unref();
    res.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, rawPath: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(req, res, 'GET, HEAD');
    const isIndex = rawPath === '/' || rawPath === '/index.html';
    const file = resolveStatic(staticDir, isIndex ? '/index.html' : rawPath);
    if (!file) {
      if (isIndex) {
        const page = Buffer.from(NOT_BUILT_PAGE);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': page.length, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : page);
        return;
      }
      return sendError(req, res, 'NOT_FOUND', 'no such file');
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.size,
      // The page is never cached (a rebuilt renderer shows at once); built assets may be, with a check.
      'Cache-Control': isIndex ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = openStatic(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // An error on the listening socket after start is logged, not thrown at nobody.
  server.on('error', (e) => process.stderr.write(`codec-lab web: ${e.message}\n`));
  const actual = (server.address() as AddressInfo).port;
  guard = new RequestGuard(token, actual);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of streams) s.end();
      server.closeIdleConnections();
      // Give calls in flight a moment to answer, then cut what is left (an upload half-sent, a stuck client).
      const cut = setTimeout(() => server.closeAllConnections(), 2000);
      cut.unref();
      await closed;
      clearTimeout(cut);
      if (ownsService) await service.shutdown();
    })());

  return { url: `http://${LOOPBACK}:${actual}/?token=${token}`, port: actual, token, service, server, close };
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = Buffer.from(JSON.stringify(value));
  // An answer given before the request body was read (a refusal, a size limit): close the
  // connection after it, so the rest of that body is not read in as the next request.
  if (!req.complete && hasBody(req)) res.setHeader('Connection', 'close');
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** An error answer; the status comes from the code (src/web/status.ts), so one code always means one status. */
function sendError(req: IncomingMessage, res: ServerResponse, code: string, message: string): void {
  sendJson(req, res, statusOf(code), { error: { code, message } });
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendError(req, res, 'METHOD_NOT_ALLOWED', `use ${allow}`);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
