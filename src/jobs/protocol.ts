// What the host's main thread asks of an engine worker, and what comes back. The main thread of the
// Electron shell or the web host only routes calls; everything that costs more than a few
// milliseconds (decoding, resampling, reconstruction, scoring, writing audio) is one of these jobs.
//
// Audio the library keeps lives in SharedArrayBuffers: a job hands a clip to a worker without a
// copy, and a clip loaded by one worker can be used by another.

import type { ViewSpace } from '../common/view-spaces.js';
import type { TrainConfig } from '../train/config.js';
import type { LrRangeOptions } from '../train/lr-range.js';
import type { WavEncoding } from '../audio/export-encode.js';
import { withSystemFields, type SystemErrorFields, type ThreadError } from '../util/thread-error.js';

/** A clip's model-rate mono samples, on shared memory. */
export type SharedAudio = Float32Array<SharedArrayBuffer>;
/** A clip's file, byte for byte, on shared memory. */
export type SharedBytes = Uint8Array<SharedArrayBuffer>;

/** Where a reconstruction's weights come from: a run's weights file (checked for changes on each use). */
export interface WeightsRef {
  file: string;
}

export type JobRequest =
  /**
   * Decode a WAV (from a path, or bytes handed over) and prepare its model-rate mono, unless the file
   * and its mono would take more than `budget` bytes (then LIBRARY_FULL, before decoding).
   */
  | { kind: 'load'; name: string; path?: string; bytes?: ArrayBuffer; budget: number }
  /** Encode and decode `audio` with a run's weights; answer the result as WAV bytes (24 kHz float, or as `encoding` says). */
  | { kind: 'reconstruct'; weights: WeightsRef; audio: SharedAudio; encoding?: WavEncoding }
  /**
   * Model audio as WAV bytes (24 kHz float, or as `encoding` says): `audio` (e.g. the model input a
   * reconstruction is heard against) or a run's 24 kHz file `from`, read without following links.
   */
  | { kind: 'encode-wav'; audio?: SharedAudio; from?: string; encoding?: WavEncoding; oracle?: OracleJob; anchor?: AnchorJob }
  /**
   * Write model audio to `path` (24 kHz float, or as `encoding` says): a reconstruction of `audio`
   * (with `weights`), `audio` itself, or a run's file `from`. Answers { path, bytes, clipped }.
   */
  | { kind: 'write-wav'; audio?: SharedAudio; from?: string; weights?: WeightsRef; path: string; encoding?: WavEncoding; oracle?: OracleJob; anchor?: AnchorJob }
  /** Write a WAV file's own samples in its own format to `path`: a clip's bytes, or a run's file read without following links. */
  | { kind: 'export-wav-file'; bytes?: SharedBytes; from?: string; path: string }
  /** Score runs in every output space, on the clips given or on each run's own test split. */
  | { kind: 'evaluate'; runs: { runId: string; dir: string; weights: WeightsRef }[]; clips: { name: string; audio: SharedAudio }[] | null }
  /** A and B, and their difference, in an output space of the losses (src/views); answers a SpectralView. */
  | { kind: 'spectral-view'; a: ViewSource; b: ViewSource; space: ViewSpace; maxColumns: number }
  /**
   * Each condition (null: none to measure) against the reference, on the excerpt `region` (seconds;
   * all the audio when null): every loss in dB, SI-SDR, SNR, LSD, MCD. Answers (ConditionMeasures | null)[].
   */
  | { kind: 'measure'; reference: ViewSource; conditions: (ViewSource | null)[]; region: { start: number; end: number } | null }
  /** The learning-rate range test (src/train/lr-range.ts) on these clips with this config; answers an LrRangeResult. */
  | { kind: 'lr-range'; clips: { name: string; audio: SharedAudio }[]; config: TrainConfig; range: LrRangeOptions };

/**
 * Model-rate audio for a view: samples (put through a run's codec when `weights` is given), or a
 * run's 24 kHz WAV file; with `oracle`, that audio's oracle instead.
 */
export type ViewSource = ({ audio: SharedAudio; weights?: WeightsRef } | { file: string }) & { oracle?: OracleJob; anchor?: AnchorJob };

/** Instead of the audio a job names, its MUSHRA anchor: low-pass filtered at `cutoffHz` (src/audio/lowpass-anchor.ts). */
export interface AnchorJob {
  cutoffHz: number;
}

/**
 * Instead of the audio a job names, its oracle (src/phase/oracle.ts chunkedOracle): Griffin-Lim of
 * `glIters` iterations from its own STFT magnitude, or from its mel spectrogram.
 */
export interface OracleJob {
  space: 'stft' | 'mel';
  glIters: number;
}

/** What a loaded file is, as the library shows it. */
export interface LoadedInfo {
  format: string;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
  warnings: string[];
  /** SHA-256 of the model-rate mono (as split.json names the clips a run trained on). */
  sha256: string;
}

export type LoadResult =
  | { ok: true; info: LoadedInfo; bytes: SharedBytes; mono: SharedAudio }
  | { ok: false; error: { code: string; message: string } };

export type JobMessage = { id: number; job: JobRequest };
export type JobReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError };

/**
 * An error a job ended with; `code` is the engine's own (an AudioError's, NO_TEST_SPLIT ...) or the
 * pool's (ENGINE_WORKER_FAILED, SHUTTING_DOWN); a system error keeps its errno, syscall and path.
 */
export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    system?: SystemErrorFields,
  ) {
    super(message);
    this.name = 'JobError';
    withSystemFields(this, system);
  }
}

/** `n` zeroed samples on shared memory. */
export function sharedAudio(n: number): SharedAudio {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

/** A copy of `audio` on shared memory. */
export function toSharedAudio(audio: Float32Array): SharedAudio {
  const shared = sharedAudio(audio.length);
  shared.set(audio);
  return shared;
}

/** `n` zeroed bytes on shared memory. */
export function sharedBytes(n: number): SharedBytes {
  return new Uint8Array(new SharedArrayBuffer(n));
}
