// Reading a request body with a hard size limit. The limit is enforced while the bytes arrive, so
// an oversized upload is refused after at most `limit` bytes are held, never buffered whole.
import type { IncomingMessage } from 'node:http';

/** Why a body was not read; the host answers with the code (its HTTP status: src/web/status.ts). */
export class BodyError extends Error {
  constructor(
    readonly code: 'TOO_LARGE' | 'BAD_REQUEST' | 'CLIENT_GONE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The whole body as a Uint8Array that owns its ArrayBuffer exactly (offset 0, no spare bytes), so
 * it can be handed on as `ArrayBuffer` without copying again or leaking a pooled Buffer's neighbours.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    let expected: number | null = null;
    if (declared !== undefined) {
      expected = Number(declared);
      if (!Number.isSafeInteger(expected) || expected < 0) return reject(new BodyError('BAD_REQUEST', 'bad Content-Length'));
      // Refuse at once on the declared size: nothing of the body is read.
      if (expected > limit) return reject(new BodyError('TOO_LARGE', `the body is ${expected} bytes; the limit is ${limit}`));
    }

    // With a declared length one buffer is allocated up front (a 500 MB upload then needs 500 MB,
    // not twice that while chunks are joined); without one, chunks are kept and joined at the end.
    const whole = expected !== null ? new Uint8Array(expected) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;

    const finish = (err: BodyError | null, value?: Uint8Array) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (err) {
        // Stop pulling bytes we will not use; the caller answers and closes the connection.
        req.pause();
        reject(err);
      } else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return finish(new BodyError('TOO_LARGE', `the body is larger than the limit of ${limit} bytes`));
      if (whole) {
        // Node's parser enforces Content-Length framing, so this cannot overrun; the check is cheap insurance.
        if (received > whole.length) return finish(new BodyError('BAD_REQUEST', 'the body is longer than its Content-Length'));
        whole.set(chunk, received - chunk.length);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      if (whole) {
        if (received !== whole.length) return finish(new BodyError('BAD_REQUEST', 'the body is shorter than its Content-Length'));
        return finish(null, whole);
      }
      const out = new Uint8Array(received);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      finish(null, out);
    };
    const onGone = () => finish(new BodyError('CLIENT_GONE', 'the client went away before the body was complete'));
    const onClose = () => {
      if (!req.complete) onGone();
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}
