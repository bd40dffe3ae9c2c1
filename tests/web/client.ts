// A small HTTP client for the web host tests. Raw node:http (not fetch) where the test must control
// exactly what goes on the wire: the Host header, an unnormalised path, a body without a length.
import http from 'node:http';
import type { LabEvent } from '../../src/api/contract.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): any;
  text(): string;
}

export interface RawRequest {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: Uint8Array | string;
  /** Write the body in pieces without a Content-Length (chunked), stopping early if the answer arrives. */
  chunks?: { size: number; count: number };
}

/** One request on a fresh connection; resolves with the answer even if the server cut the upload short. */
export function raw(r: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: r.port, method: r.method ?? 'GET', path: r.path, headers: r.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')), text: () => body.toString('utf8') });
      });
      res.on('error', reject);
    });
    let answered = false;
    req.on('response', () => (answered = true));
    // Once the server has answered (a 401 or 413 before the body was read) it may close while we
    // still write; that write error is expected and the answer already in hand is what counts.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (r.chunks) {
      const chunk = Buffer.alloc(r.chunks.size, 7);
      let sent = 0;
      const pump = () => {
        while (!answered && sent < r.chunks!.count) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else req.end(r.body);
  });
}

/** A client bound to one host and token, speaking the protocol the renderer speaks. */
export class LabClient {
  constructor(
    readonly port: number,
    readonly token: string,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** POST /api/call/METHOD with the token header; the parsed reply and status. */
  async call(method: string, args: unknown[] = [], headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.origin}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Codec-Lab-Token': this.token, ...headers },
      body: JSON.stringify({ args }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** The result of a call that must succeed. */
  async result<T = any>(method: string, ...args: unknown[]): Promise<T> {
    const { status, body } = await this.call(method, args);
    if (status !== 200) throw new Error(`${method} answered ${status}: ${JSON.stringify(body)}`);
    return body.result as T;
  }

  async upload(name: string, bytes: Uint8Array, token = this.token): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.origin}/api/upload?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Codec-Lab-Token': token },
      body: bytes,
    });
    return { status: res.status, body: await res.json() };
  }

  /** Subscribe to /api/events and collect what arrives. */
  async events(): Promise<EventStream> {
    const ac = new AbortController();
    const res = await fetch(`${this.origin}/api/events`, { headers: { 'X-Codec-Lab-Token': this.token }, signal: ac.signal });
    if (res.status !== 200) throw new Error(`events answered ${res.status}`);
    return new EventStream(res, ac);
  }
}

export class EventStream {
  readonly events: LabEvent[] = [];
  readonly comments: string[] = [];
  readonly contentType: string | null;
  private waiters: (() => void)[] = [];
  private done: Promise<void>;

  constructor(
    res: Response,
    private readonly ac: AbortController,
  ) {
    this.contentType = res.headers.get('content-type');
    this.done = this.read(res.body!.getReader()).catch(() => undefined);
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else if (line.startsWith('data: ')) this.events.push(JSON.parse(line.slice(6)));
        }
      }
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolve once `pred` holds for what has arrived, or fail after `ms`. */
  async until(pred: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => (e.type === 'train' ? e.event.type : e.type)))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.done;
  }
}
