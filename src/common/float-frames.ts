// A JSON value that holds Float32Arrays, as one binary message: how the web host sends a result
// with many numbers (a spectral view: 3 images of 513 x 2048 values) without spelling each one out
// in decimal or base64. The desktop shell does not need it: IPC's structured clone carries typed
// arrays as they are. The web host encodes, the renderer's web client decodes. Pure: imports nothing.
//
// Layout: a uint32 (little-endian) n, then n bytes of UTF-8 JSON in which each Float32Array is
// replaced by {"$float32": [offset, length]} (offset in floats from the start of the data), zero
// bytes up to a multiple of 4, then the data: every array's floats, one after another. Floats are
// in the machine's byte order, little-endian on every platform the lab runs on.

const TAG = '$float32';

export function encodeFloatFrames(value: unknown): Uint8Array<ArrayBuffer> {
  const arrays: Float32Array[] = [];
  let floats = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Float32Array)) return v;
    arrays.push(v);
    floats += v.length;
    return { [TAG]: [floats - v.length, v.length] };
  });
  const head = new TextEncoder().encode(json);
  const dataStart = 4 + Math.ceil(head.length / 4) * 4;
  const out = new Uint8Array(dataStart + 4 * floats);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  const data = new Float32Array(out.buffer, dataStart, floats);
  let at = 0;
  for (const a of arrays) {
    data.set(a, at);
    at += a.length;
  }
  return out;
}

export function decodeFloatFrames<T>(buffer: ArrayBuffer): T {
  const fail = (why: string): never => {
    throw new Error(`not a float-frames message: ${why}`);
  };
  if (buffer.byteLength < 4) fail('shorter than its header');
  const n = new DataView(buffer).getUint32(0, true);
  if (4 + n > buffer.byteLength) fail(`a ${n}-byte header in ${buffer.byteLength} bytes`);
  const dataStart = 4 + Math.ceil(n / 4) * 4;
  const floats = Math.max(0, Math.floor((buffer.byteLength - dataStart) / 4));
  const data = new Float32Array(buffer, Math.min(dataStart, buffer.byteLength), floats);
  return JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)), (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, TAG)) return v;
    const [offset, length] = (v as Record<string, [number, number]>)[TAG];
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > floats) fail(`an array at ${offset}+${length} of ${floats} floats`);
    // A view, not a copy: the message's buffer is the arrays' own from here on.
    return data.subarray(offset, offset + length);
  }) as T;
}
