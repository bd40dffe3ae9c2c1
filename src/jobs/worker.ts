// An engine worker: runs the host's heavy jobs (src/jobs/protocol.ts) one at a time, off the main
// thread. It keeps one kernel core for its whole life, one codec per preset on that core (each with
// the bounded set of graphs of src/nn/codec.ts), and the weights of the runs it used last in a
// small cache; a run's weights are copied into its preset's codec before each job, which costs
// microseconds, where a codec per run cost a kernel core (50 to 100 MB) per run, kept for ever.
import { audioSha256 } from '../runs/split-file.js';
import { parentPort } from 'node:worker_threads';
import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readWavFile } from '../audio/wav-read.js';
import { decodeModelMono } from '../audio/model-mono.js';
import { describeError } from '../audio/errors.js';
import { parseWavLayout } from '../audio/riff.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { exportWav, writeWavBytes } from '../audio/wav-write.js';
import { encodeModelAudio } from '../audio/export-encode.js';
import { KernelCore } from '../kernels/core.js';
import { Codec } from '../nn/codec.js';
import { ParallelCodec } from '../nn/parallel-codec.js';
import { DEFAULT_THREADS } from '../train/thread-count.js';
import type { Preset } from '../nn/presets.js';
import { decodeWeights } from '../nn/weights.js';
import { evaluateCodec, type EvalClip } from '../eval/evaluate.js';
import { readJson, readTestSplit } from '../runs/run-dir.js';
import { readRunFile, statStamp } from '../runs/run-files.js';
import { toThreadError } from '../util/thread-error.js';
import { spectralView } from '../views/spectral-view.js';
import { chunkedOracle } from '../phase/oracle.js';
import { lowPassAnchor } from '../listening/lowpass-anchor.js';
import { conditionMeasures, excerpt } from '../eval/condition-measures.js';
import { lrRangeTest } from '../train/lr-range.js';
import { JobError, sharedAudio, sharedBytes, type JobMessage, type JobReply, type JobRequest, type LoadResult, type AnchorJob, type OracleJob, type SharedAudio, type SharedBytes, type ViewSource, type WeightsRef } from './protocol.js';

/** How many runs' weights stay loaded (a small run's weights are 0.6 MB; the codecs are shared). */
const WEIGHTS_CACHE_SIZE = 8;

const core = KernelCore.create();
/**
 * Keyed by modelKey: a preset's two setups (and Setup B's spaces) are different networks. A long
 * clip's windows run over CODEC_THREADS threads (src/nn/parallel-codec.ts); the codec's worker
 * threads start on the first long clip and live as long as this worker.
 */
const codecs = new Map<string, ParallelCodec>();
/**
 * The pool runs two jobs at once (src/jobs/pool.ts), so each job's codec takes half the physical
 * cores: two long jobs then fill the machine without fighting over it, and each codec thread's own
 * graphs (about 100 MB for small) are not multiplied by the whole core count twice over.
 */
const CODEC_THREADS = Math.max(1, Math.floor(DEFAULT_THREADS / 2));
/** Weights by file, most recently used last; `stamp` tells a file rewritten since (a run still training). */
const weightsCache = new Map<string, { stamp: string; model: Preset; params: Float32Array }>();

const modelKey = (m: Preset) => (m.spectrogram ? `${m.name}:B:${m.spectrogram.space}:${m.spectrogram.glIters}` : m.name);

function codecFor(ref: WeightsRef): ParallelCodec {
  // lstat and readRunFile: a weights file in a run folder is never read through a symbolic link.
  let st;
  try {
    st = lstatSync(ref.file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new JobError('NO_WEIGHTS', `no weights yet: ${ref.file} does not exist`);
    throw e;
  }
  // A run saves its weights under a temporary name and renames it into place: a new inode, however
  // quickly after the last one and whatever its size.
  const stamp = statStamp(st);
  let w = weightsCache.get(ref.file);
  if (w?.stamp !== stamp) {
    const file = decodeWeights(new Uint8Array(readRunFile(ref.file)), ref.file);
    w = { stamp, model: file.model, params: file.params };
  }
  weightsCache.delete(ref.file);
  weightsCache.set(ref.file, w);
  while (weightsCache.size > WEIGHTS_CACHE_SIZE) weightsCache.delete(weightsCache.keys().next().value!);
  let codec = codecs.get(modelKey(w.model));
  if (!codec) {
    codec = new ParallelCodec(new Codec(w.model, w.params, core), CODEC_THREADS);
    codecs.set(modelKey(w.model), codec);
  } else codec.loadParams(w.params);
  return codec;
}

async function load(job: Extract<JobRequest, { kind: 'load' }>): Promise<LoadResult> {
  try {
    // The file's bytes are read (or copied, when handed over) straight to shared memory, which the
    // library keeps; loading then costs the model-rate mono and a few small buffers on top.
    let bytes!: SharedBytes;
    if (job.bytes) {
      bytes = sharedBytes(job.bytes.byteLength);
      bytes.set(new Uint8Array(job.bytes));
    } else await readWavFile(job.path!, (n) => (bytes = sharedBytes(n)));
    // What the library would hold: the file and its mono at the model rate. Refused before decoding.
    const layout = parseWavLayout(bytes);
    const monoBytes = 4 * Math.ceil((layout.frames * MODEL_RATE) / layout.fmt.sampleRate);
    if (bytes.byteLength + monoBytes > job.budget) {
      // The need rounded up and the room rounded down, so the two never read as equal.
      const needMb = Math.ceil((bytes.byteLength + monoBytes) / 2 ** 20);
      const freeMb = Math.floor(Math.max(0, job.budget) / 2 ** 20);
      return { ok: false, error: { code: 'LIBRARY_FULL', message: `${job.name} needs ${needMb} MB in the library (the file and its 24 kHz mono), which has ${freeMb} MB free; remove clips to make room` } };
    }
    // Decoded, mixed and resampled a chunk at a time, into shared memory: the file's channels are never held whole.
    const { info: wav, mono } = await decodeModelMono(bytes, sharedAudio);
    const info = { format: wav.format, sampleRate: wav.sampleRate, channels: wav.channels, frames: wav.frames, durationSec: wav.durationSec, warnings: wav.warnings, sha256: audioSha256(mono) };
    return { ok: true, info, bytes, mono };
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

/** Bytes as a transferable buffer of their own (a copy when they are a view of a larger buffer). */
function ownBuffer(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b.buffer : (b.slice().buffer as ArrayBuffer);
}

function answerBytes(b: Uint8Array): { value: ArrayBuffer; transfer: ArrayBuffer[] } {
  const buffer = ownBuffer(b);
  return { value: buffer, transfer: [buffer] };
}

/** A view's audio as the losses see it: 24 kHz mono (a run's files are written so; a clip's mono is prepared so). */
async function viewAudio(source: ViewSource): Promise<Float32Array> {
  const audio = await namedAudio(source);
  // Chunked: a long clip's oracle makes no kernel buffers beyond a fixed few (the core never frees).
  if (source.oracle) return chunkedOracle(core, audio, source.oracle.space, source.oracle.glIters);
  return source.anchor ? lowPassAnchor(audio, MODEL_RATE, source.anchor.cutoffHz) : audio;
}

async function namedAudio(source: ViewSource): Promise<Float32Array> {
  if ('file' in source) return (await decodeModelMono(new Uint8Array(readRunFile(source.file)), (n) => new Float32Array(n))).mono;
  return source.weights ? codecFor(source.weights).reconstruct(source.audio) : source.audio;
}

/** The model audio an encode or write job names: a run's file, a reconstruction of `audio`, or `audio` itself. */
async function modelAudio(job: { audio?: SharedAudio; from?: string; weights?: WeightsRef; oracle?: OracleJob; anchor?: AnchorJob }): Promise<Float32Array> {
  if (job.from !== undefined) return viewAudio({ file: job.from, oracle: job.oracle, anchor: job.anchor });
  if (!job.audio) throw new Error('an encode job needs its audio or a file to read');
  return viewAudio({ audio: job.audio, weights: job.weights, oracle: job.oracle, anchor: job.anchor });
}

async function run(job: JobRequest): Promise<{ value: unknown; transfer?: ArrayBuffer[] }> {
  switch (job.kind) {
    case 'load':
      return { value: await load(job) };
    case 'reconstruct':
      return answerBytes((await encodeModelAudio(codecFor(job.weights).reconstruct(job.audio), job.encoding)).bytes);
    case 'encode-wav':
      return answerBytes((await encodeModelAudio(await modelAudio(job), job.encoding)).bytes);
    case 'write-wav': {
      const { bytes, clipped } = await encodeModelAudio(await modelAudio(job), job.encoding);
      await writeWavBytes(job.path, bytes);
      return { value: { path: job.path, bytes: (await stat(job.path)).size, clipped } };
    }
    case 'export-wav-file': {
      await exportWav(job.path, job.bytes ?? new Uint8Array(readRunFile(job.from!)));
      return { value: { path: job.path, bytes: (await stat(job.path)).size } };
    }
    case 'evaluate': {
      const rows = [];
      for (const r of job.runs) {
        const { loss } = readJson<{ loss: string }>(path.join(r.dir, 'config.json'));
        let clips: EvalClip[] | null = job.clips;
        let block: number | undefined;
        if (!clips) ({ clips, segment: block } = readTestSplit(r.dir));
        const codec = codecFor(r.weights);
        rows.push({ runId: r.runId, loss, scores: evaluateCodec(codec, clips, { block }).evaluation });
      }
      return { value: rows };
    }
    case 'spectral-view': {
      const view = spectralView(core, await viewAudio(job.a), await viewAudio(job.b), job.space, { maxColumns: job.maxColumns });
      // The three images are the bulk of the answer: handed over, not copied.
      return { value: view, transfer: [view.a.buffer, view.b.buffer, view.diff.buffer] as ArrayBuffer[] };
    }
    case 'lr-range':
      // Its own session and kernel core, dropped when it ends: the worker's codecs stay as they were.
      return { value: lrRangeTest(job.clips.map((c) => ({ name: c.name, audio: c.audio })), job.config, job.range) };
    case 'measure': {
      const ref = excerpt(await viewAudio(job.reference), MODEL_RATE, job.region);
      const out = [];
      for (const c of job.conditions) out.push(c === null ? null : conditionMeasures(core, ref, excerpt(await viewAudio(c), MODEL_RATE, job.region), MODEL_RATE));
      return { value: out };
    }
  }
}

// One job at a time, in order: the core and the codecs are this thread's, and the pool gives a busy
// worker's next job to another worker when it can.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (m: JobMessage) => {
  queue = queue
    .then(async () => {
      let reply: JobReply;
      let transfer: ArrayBuffer[] = [];
      try {
        const r = await run(m.job);
        reply = { id: m.id, ok: true, value: r.value };
        transfer = r.transfer ?? [];
      } catch (e) {
        reply = { id: m.id, ok: false, error: toThreadError(e, 'INTERNAL') };
      }
      try {
        parentPort!.postMessage(reply, transfer);
      } catch (e) {
        // A value that cannot be sent still answers its job, as an error, so no caller waits for ever.
        parentPort!.postMessage({ id: m.id, ok: false, error: toThreadError(e, 'INTERNAL') } satisfies JobReply);
      }
    })
    .catch(() => {
      // Not even the error could be sent: the pool's own checks (a worker that exits) take over.
    });
});
