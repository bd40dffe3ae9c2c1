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
// A Setup B model (its decoder predicts a spectrogram, src/nn/presets.ts setupBPreset) adds
//          "setup": "B", "spectrogram": {"space": "mel-db", "glIters": 32}
// so that whoever opens the file builds the same decoder and makes audio the same way; a file
// without "setup" is Setup A (every file written before Setup B existed). A network whose shape is
// not its preset's own (src/nn/presets.ts ModelShape) adds
//          "shape": {"bits": 2, "latentChannels": 8, "hop": 128, "width": 1}
// and a file without "shape" has the preset's (every file written before shapes existed).
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { getPreset, GL_ITERS, hasDefaultShape, presetShape, setupBPreset, shapedPreset, type ModelShape, type Preset, type PresetName } from './presets.js';
import { paramLayout } from './model.js';

const MAGIC = 'CLWEIGHT';

export interface WeightsFile {
  preset: PresetName;
  /** The network the weights are for: the preset, or its Setup B variant. */
  model: Preset;
  params: Float32Array;
  /** Anything else the writer stored (step, loss ...). */
  meta: Record<string, unknown>;
}

/** `model`: a preset's name (Setup A), or the network itself (either setup). */
export function encodeWeights(model: PresetName | Preset, params: Float32Array, meta: Record<string, unknown> = {}): Uint8Array {
  const net = typeof model === 'string' ? getPreset(model) : model;
  const preset = net.name;
  const layout = paramLayout(net);
  if (params.length !== layout.total) throw new Error(`expected ${layout.total} parameters for '${preset}', got ${params.length}`);
  const tensors = layout.entries.flatMap((e) => [
    { name: `${e.name}.weight`, shape: e.shape, offset: e.w },
    { name: `${e.name}.bias`, shape: [e.bSize], offset: e.b },
  ]);
  const setupB = net.spectrogram ? { setup: 'B', spectrogram: { space: net.spectrogram.space, glIters: net.spectrogram.glIters } } : {};
  const shape = hasDefaultShape(net) ? {} : { shape: presetShape(net) };
  let header = JSON.stringify({ format: 'codec-lab-weights', version: 1, preset, ...setupB, ...shape, total: layout.total, tensors, meta });
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
  let header: { format?: string; preset?: string; setup?: unknown; spectrogram?: { space?: unknown; glIters?: unknown }; shape?: unknown; total?: number; meta?: Record<string, unknown> };
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hLen)).toString('utf8'));
  } catch {
    return fail('header is not JSON');
  }
  if (header.format !== 'codec-lab-weights') fail('wrong format tag');
  const preset = getPreset(String(header.preset)).name;
  let model = getPreset(preset);
  if (header.shape !== undefined) {
    const s = header.shape;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) fail(`shape ${JSON.stringify(s)} is not an object`);
    const { bits, latentChannels, hop, width } = s as Partial<Record<keyof ModelShape, unknown>>;
    try {
      model = shapedPreset(model, { bits, latentChannels, hop, width } as ModelShape);
    } catch (e) {
      fail(`shape: ${(e as Error).message}`);
    }
  }
  if (header.setup !== undefined) {
    const { space, glIters } = header.spectrogram ?? {};
    if (header.setup !== 'B') fail(`unknown setup ${JSON.stringify(header.setup)}`);
    if (space !== 'stft-db' && space !== 'mel-db') fail(`unknown spectrogram space ${JSON.stringify(space)}`);
    if (typeof glIters !== 'number' || !Number.isInteger(glIters) || glIters < GL_ITERS.min || glIters > GL_ITERS.max) fail(`Griffin-Lim iterations ${JSON.stringify(glIters)} out of [${GL_ITERS.min}, ${GL_ITERS.max}]`);
    model = setupBPreset(model, space as 'stft-db' | 'mel-db', glIters as number);
  }
  const total = paramLayout(model).total;
  if (header.total !== total) fail(`${header.total} parameters, preset '${preset}'${header.shape === undefined ? '' : ' of this shape'} has ${total}`);
  const start = 12 + hLen;
  if (bytes.length - start !== total * 4) fail(`expected ${total * 4} bytes of values, found ${bytes.length - start}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, total * 4);
  const params = new Float32Array(total);
  for (let i = 0; i < total; i++) params[i] = view.getFloat32(i * 4, true);
  if (!params.every(Number.isFinite)) fail('non-finite values');
  return { preset, model, params, meta: header.meta ?? {} };
}

export function saveWeights(file: string, model: PresetName | Preset, params: Float32Array, meta: Record<string, unknown> = {}): void {
  writeFileAtomicSync(file, encodeWeights(model, params, meta));
}

export function loadWeights(file: string): WeightsFile {
  return decodeWeights(new Uint8Array(readFileSync(file)), file);
}
