// Saved weights: one file, a JSON header then raw little-endian float32, so any language can read it.
//
//   bytes 0-7   "CLWEIGHT"                  magic
//   bytes 8-11  uint32 LE: header length H  (bytes of UTF-8 JSON)
//   bytes 12..  the JSON header, padded with spaces to a multiple of 4 bytes
//   then        float32 LE values: every convolution's weight then bias, encoder before decoder,
//               in the order and shapes the header lists (PyTorch layouts: Conv1d [out, in, k],
//               ConvTranspose1d [in, out, k])
//
// Header: {"format": "codec-lab-weights", "version": 1, "preset": "small", "total": 153609,
//          "tensors": [{"name": "encoder.0.weight", "shape": [16, 1, 7], "offset": 0}, ...], ...extra}
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { getPreset, type PresetName } from './presets.js';
import { paramLayout } from './model.js';

const MAGIC = 'CLWEIGHT';

export interface WeightsFile {
  preset: PresetName;
  params: Float32Array;
  /** Anything else the writer stored (step, loss ...). */
  meta: Record<string, unknown>;
}

export function encodeWeights(preset: PresetName, params: Float32Array, meta: Record<string, unknown> = {}): Uint8Array {
  const layout = paramLayout(getPreset(preset));
  if (params.length !== layout.total) throw new Error(`expected ${layout.total} parameters for '${preset}', got ${params.length}`);
  const tensors = layout.entries.flatMap((e) => [
    { name: `${e.name}.weight`, shape: e.shape, offset: e.w },
    { name: `${e.name}.bias`, shape: [e.bSize], offset: e.b },
  ]);
  let header = JSON.stringify({ format: 'codec-lab-weights', version: 1, preset, total: layout.total, tensors, meta });
  while ((12 + Buffer.byteLength(header)) % 4) header += ' ';
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(12 + h.length + params.length * 4);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, 12);
  const body = new DataView(out.buffer, 12 + h.length);
  for (let i = 0; i < params.length; i++) body.setFloat32(i * 4, params[i], true);
  return out;
}

export function decodeWeights(bytes: Uint8Array, what = 'weights'): WeightsFile {
  const fail = (why: string): never => {
    throw new Error(`${what}: not a Codec Lab weights file (${why})`);
  };
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== MAGIC) fail('bad magic');
  const hLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + hLen > bytes.length) fail('header runs past the end');
  let header: { format?: string; preset?: string; total?: number; meta?: Record<string, unknown> };
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hLen)).toString('utf8'));
  } catch {
    return fail('header is not JSON');
  }
  if (header.format !== 'codec-lab-weights') fail('wrong format tag');
  const preset = getPreset(String(header.preset)).name;
  const total = paramLayout(getPreset(preset)).total;
  if (header.total !== total) fail(`${header.total} parameters, preset '${preset}' has ${total}`);
  const start = 12 + hLen;
  if (bytes.length - start !== total * 4) fail(`expected ${total * 4} bytes of values, found ${bytes.length - start}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, total * 4);
  const params = new Float32Array(total);
  for (let i = 0; i < total; i++) params[i] = view.getFloat32(i * 4, true);
  if (!params.every(Number.isFinite)) fail('non-finite values');
  return { preset, params, meta: header.meta ?? {} };
}

export function saveWeights(file: string, preset: PresetName, params: Float32Array, meta: Record<string, unknown> = {}): void {
  writeFileAtomicSync(file, encodeWeights(preset, params, meta));
}

export function loadWeights(file: string): WeightsFile {
  return decodeWeights(new Uint8Array(readFileSync(file)), file);
}
