// A whole training run: the loop around a TrainingSession, with validation, early stopping, the NaN
// guard, pause/resume/stop, and everything written to the run folder as it goes. The trainer runs
// this in a worker thread; it reports through `emit` and asks `control` between steps.
import path from 'node:path';
import { gatherSegments, type Clip } from '../data/dataset.js';
import { Codec } from '../nn/codec.js';
import { saveWeights } from '../nn/weights.js';
import { writeWav } from '../audio/wav-write.js';
import { concatAudio, evaluateCodec, type Evaluation } from '../eval/evaluate.js';
import { newRunDir, RunLog, writeJson } from '../runs/run-dir.js';
import { DivergedError, TrainingSession } from './session.js';
import type { TrainConfig } from './config.js';
import { presetInfo } from '../nn/presets.js';

export type RunStatus = 'completed' | 'early-stopped' | 'stopped' | 'diverged';

export interface TrainResult {
  runDir: string;
  status: RunStatus;
  message?: string;
  steps: number;
  finalTrainLoss: number | null;
  bestValLoss: number | null;
  bestStep: number;
  metrics: Evaluation | null;
}

export type TrainEvent =
  | { type: 'started'; runDir: string; params: number; segments: { train: number; val: number; test: number }; skipped: { name: string; reason: string }[] }
  | { type: 'progress'; step: number; steps: number; trainLoss: number; lr: number; stepsPerSec: number; etaSec: number; elapsedSec: number }
  | { type: 'validation'; step: number; valLoss: number; bestValLoss: number; improved: boolean }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'diverged'; step: number; message: string }
  | { type: 'evaluating' }
  | { type: 'done'; result: TrainResult };

export type ControlMessage = 'pause' | 'resume' | 'stop';

export interface RunOptions {
  /** Folder that holds run folders (a new one is made inside), or the exact folder with `exactDir`. */
  outDir: string;
  exactDir?: boolean;
  clipNames: string[];
  emit(event: TrainEvent): void;
  /** Non-blocking: the next control message, if any. */
  poll(): ControlMessage | null;
  /** Blocking: wait for the next control message (used while paused). */
  wait(): ControlMessage;
}

/** Progress events at most this often; the log file at most this often (and always at the end). */
const PROGRESS_MS = 200;
const LOG_FLUSH_MS = 1000;

export async function runTraining(clips: Clip[], config: TrainConfig, o: RunOptions): Promise<TrainResult> {
  const session = new TrainingSession(clips, config);
  const dir = o.exactDir ? o.outDir : newRunDir(o.outDir, `${config.preset}-${config.loss}`);
  const info = presetInfo(session.preset);
  writeJson(dir, 'config.json', { ...config, clips: o.clipNames, params: info.params, createdAt: new Date().toISOString() });
  o.emit({
    type: 'started', runDir: dir, params: session.nParams, skipped: session.split.skipped,
    segments: { train: session.split.train.length, val: session.split.val.length, test: session.split.test.length },
  });

  const log = new RunLog(dir);
  let status: RunStatus = 'completed';
  let message: string | undefined;
  let lastTrain: { trainLoss: number; lr: number } | null = null;
  const started = performance.now();
  let pausedMs = 0;
  let lastProgress = 0;
  let rate = 0;
  let rateFrom = { t: started, step: 0 };

  const saveLast = () => saveWeights(path.join(dir, 'last.weights'), config.preset, session.params(), { step: session.step });
  const saveBest = () => saveWeights(path.join(dir, 'best.weights'), config.preset, session.bestParams(), { step: session.bestStep, valLoss: session.bestValLoss });

  loop: while (session.step < config.steps) {
    const msg = o.poll();
    if (msg === 'stop') {
      status = 'stopped';
      break;
    }
    if (msg === 'pause') {
      log.flush();
      o.emit({ type: 'paused', step: session.step });
      const pausedAt = performance.now();
      for (;;) {
        const next = o.wait();
        if (next === 'stop') {
          status = 'stopped';
          break loop;
        }
        if (next === 'resume') break;
      }
      pausedMs += performance.now() - pausedAt;
      rateFrom = { t: performance.now(), step: session.step };
      o.emit({ type: 'resumed', step: session.step });
    }

    let r;
    try {
      r = session.trainStep();
    } catch (e) {
      if (!(e instanceof DivergedError)) throw e;
      status = 'diverged';
      message = `${e.message}; the last good weights were kept`;
      o.emit({ type: 'diverged', step: session.step, message });
      break;
    }
    lastTrain = r;
    if (r.step % config.logEvery === 0 || r.step === 1) log.add({ step: r.step, trainLoss: r.trainLoss, lr: r.lr });

    if (r.step % config.valEvery === 0 || r.step === config.steps) {
      const v = session.validate();
      log.addValidation(r.step, v.valLoss, r.trainLoss, r.lr);
      o.emit({ type: 'validation', step: r.step, valLoss: v.valLoss, bestValLoss: session.bestValLoss, improved: v.improved });
      if (v.improved) saveBest();
      saveLast();
      log.flush();
      if (session.shouldStopEarly()) {
        status = 'early-stopped';
        message = `validation loss did not improve for ${config.patience} validations; stopped at step ${r.step}, best at step ${session.bestStep}`;
        break;
      }
    }

    const now = performance.now();
    if (now - lastProgress >= PROGRESS_MS || r.step === config.steps) {
      const span = (now - rateFrom.t) / 1000;
      if (span > 0.5) {
        rate = (r.step - rateFrom.step) / span;
        // A sliding window: the rate follows changes (other load, a pause) within a few seconds.
        if (span > 5) rateFrom = { t: now, step: r.step };
      }
      o.emit({
        type: 'progress', step: r.step, steps: config.steps, trainLoss: r.trainLoss, lr: r.lr,
        stepsPerSec: rate, etaSec: rate > 0 ? (config.steps - r.step) / rate : NaN, elapsedSec: (now - started - pausedMs) / 1000,
      });
      lastProgress = now;
      log.flush(LOG_FLUSH_MS);
    }
  }

  session.close();
  // Whatever happened, the run keeps its weights: the best ones and the last good ones.
  if (session.step > 0 && !Number.isFinite(session.bestValLoss)) {
    const v = session.validate();
    log.addValidation(session.step, v.valLoss, lastTrain?.trainLoss ?? NaN, lastTrain?.lr ?? 0);
  }
  saveLast();
  saveBest();
  log.flush();

  o.emit({ type: 'evaluating' });
  let metrics: Evaluation | null = null;
  if (session.split.test.length > 0) {
    const codec = new Codec(session.preset, session.bestParams());
    const seg = config.segment;
    const cut = (list: typeof session.split.test) => list.map((s) => ({ name: `${s.clip}:${s.start}`, audio: clips[s.clip].audio.subarray(s.start, s.start + seg) }));
    const test = evaluateCodec(codec, cut(session.split.test), { block: seg });
    metrics = test.evaluation;
    const valReconstructions = cut(session.split.val).map((c) => codec.reconstruct(c.audio));
    await writeWav(path.join(dir, 'test_original.wav'), [gatherSegments(clips, session.split.test, seg)], 24000, 'float32');
    await writeWav(path.join(dir, 'test_reconstruction.wav'), [concatAudio(test.reconstructions)], 24000, 'float32');
    await writeWav(path.join(dir, 'val_original.wav'), [gatherSegments(clips, session.split.val, seg)], 24000, 'float32');
    await writeWav(path.join(dir, 'val_reconstruction.wav'), [concatAudio(valReconstructions)], 24000, 'float32');
  }

  const result: TrainResult = {
    runDir: dir,
    status,
    ...(message ? { message } : {}),
    steps: session.step,
    finalTrainLoss: lastTrain?.trainLoss ?? null,
    bestValLoss: Number.isFinite(session.bestValLoss) ? session.bestValLoss : null,
    bestStep: session.bestStep,
    metrics,
  };
  writeJson(dir, 'metrics.json', { ...result, split: { train: session.split.train.length, val: session.split.val.length, test: session.split.test.length }, finishedAt: new Date().toISOString() });
  o.emit({ type: 'done', result });
  return result;
}
