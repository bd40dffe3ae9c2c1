// A whole training run: the loop around a TrainingSession, with validation, early stopping, the NaN
// guard, pause/resume/stop, and everything written to the run folder as it goes. The trainer runs
// this in a worker thread; it reports through `emit` and asks `control` between steps.
import path from 'node:path';
import { gatherSegments, type Clip } from '../data/dataset.js';
import { saveWeights } from '../nn/weights.js';
import { writeWav } from '../audio/wav-write.js';
import { MODEL_RATE } from '../audio/prepare.js';
import type { Evaluation } from '../eval/evaluate.js';
import type { Yardstick } from '../eval/yardstick.js';
import { createRunDir, RunLog, writeJson, type LogEntry } from '../runs/run-dir.js';
import { splitRecord } from '../runs/split-file.js';
import type { RunGroup } from '../runs/run-queue.js';
import { DivergedError, TrainingSession } from './session.js';
import { runLabel, type TrainConfig } from './config.js';
import { presetInfo } from '../nn/presets.js';
import { keepAndEvaluate } from './final-evaluation.js';

export type RunStatus = 'completed' | 'early-stopped' | 'stopped' | 'diverged';

export interface TrainResult {
  runDir: string;
  status: RunStatus;
  message?: string;
  steps: number;
  finalTrainLoss: number | null;
  bestValLoss: number | null;
  bestStep: number;
  /** The best weights' scores on the test split; null when they could not be scored (see metricsUnavailable). */
  metrics: Evaluation | null;
  /** Why there are no metrics: no weights give finite audio, or the evaluation failed. The run is kept all the same. */
  metricsUnavailable?: string;
  /** Weights files that hold other weights than their name says, and why (see usable-weights.ts). */
  warnings?: string[];
}

export type TrainEvent =
  | { type: 'started'; runDir: string; params: number; segments: { train: number; val: number; test: number }; skipped: { name: string; reason: string }[] }
  | { type: 'progress'; step: number; steps: number; trainLoss: number; lr: number; stepsPerSec: number; etaSec: number; elapsedSec: number }
  | { type: 'validation'; step: number; valLoss: number; bestValLoss: number; improved: boolean; valMetrics: Yardstick | null }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'diverged'; step: number; message: string }
  | { type: 'evaluating' }
  | { type: 'done'; result: TrainResult };

export type ControlMessage = 'pause' | 'resume' | 'stop';

export interface RunOptions {
  /**
   * Folder that holds run folders (a new one is made inside), or with `exactDir` the exact folder,
   * which must not exist yet. Either way the folder appears only once training has started, whole.
   */
  outDir: string;
  exactDir?: boolean;
  clipNames: string[];
  /** The group the run belongs to (a race), recorded in config.json. */
  group?: RunGroup;
  /** The weights to start from (config.initFrom's best weights), and their step there, recorded in config.json. */
  initParams?: Float32Array;
  initStep?: number;
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
  // Everything that can refuse the run (the settings, too little audio, memory) happens here, before any folder exists.
  const session = new TrainingSession(clips, config, o.initParams);
  try {
    return await runSession(session, clips, config, o);
  } finally {
    session.close();
  }
}

/** The run folder with what the run knows before its first step: its settings and its data. */
function makeRunDir(session: TrainingSession, clips: Clip[], config: TrainConfig, o: RunOptions): Promise<string> {
  const { split } = session;
  const fill = async (dir: string) => {
    writeJson(dir, 'config.json', { ...config, clips: o.clipNames, ...(o.group ? { group: o.group } : {}), ...(o.initParams ? { initFromStep: o.initStep ?? null } : {}), params: presetInfo(session.preset).params, createdAt: new Date().toISOString() });
    await writeWav(path.join(dir, 'test_original.wav'), [gatherSegments(clips, split.test, split.segment)], MODEL_RATE, 'float32');
    await writeWav(path.join(dir, 'val_original.wav'), [gatherSegments(clips, split.val, split.segment)], MODEL_RATE, 'float32');
    writeJson(dir, 'split.json', splitRecord(clips, split));
  };
  return o.exactDir ? createRunDir(path.dirname(o.outDir), path.basename(o.outDir), fill) : createRunDir(o.outDir, { label: runLabel(config) }, fill);
}

async function runSession(session: TrainingSession, clips: Clip[], config: TrainConfig, o: RunOptions): Promise<TrainResult> {
  const dir = await makeRunDir(session, clips, config, o);
  o.emit({
    type: 'started', runDir: dir, params: session.nParams, skipped: session.split.skipped,
    segments: { train: session.split.train.length, val: session.split.val.length, test: session.split.test.length },
  });

  const log = new RunLog(dir);
  let status: RunStatus = 'completed';
  let message: string | undefined;
  /** The last step's log entry (minus validation), for a validation of a step that was not logged. */
  let lastTrain: Omit<LogEntry, 'valLoss' | 'valMetrics'> | null = null;
  const started = performance.now();
  let pausedMs = 0;
  let lastProgress = 0;
  let rate = 0;
  let rateFrom = { t: started, step: 0 };

  const saveLast = () => saveWeights(path.join(dir, 'last.weights'), session.preset, session.params(), { step: session.weightsStep });
  const saveBest = () => saveWeights(path.join(dir, 'best.weights'), session.preset, session.bestParams(), { step: session.bestStep, valLoss: session.bestValLoss });

  /** A divergence ends the loop (the session has rolled the weights back); any other error ends the run. */
  const diverged = (e: unknown) => {
    if (!(e instanceof DivergedError)) throw e;
    status = 'diverged';
    message = e.message;
    o.emit({ type: 'diverged', step: session.step, message });
  };

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
      diverged(e);
      break;
    }
    const validating = r.step % config.valEvery === 0 || r.step === config.steps;
    const logging = r.step % config.logEvery === 0 || r.step === 1 || validating;
    // The norms cost two passes over the weights: made only for the steps that are written down.
    const elapsedSec = (performance.now() - started - pausedMs) / 1000;
    lastTrain = { step: r.step, trainLoss: r.trainLoss, lr: r.lr, gradNorm: r.gradNorm, ...(logging ? session.weightDynamics() : {}), elapsedSec };
    if (logging) log.add({ ...lastTrain });

    if (validating) {
      let v;
      try {
        v = session.validate();
      } catch (e) {
        diverged(e);
        break;
      }
      log.addValidation(r.step, v.valLoss, v.valMetrics, lastTrain);
      if (v.improved) saveBest();
      saveLast();
      log.flush();
      // Said once it is on disk: a listener that lists the runs or asks for the best weights now finds them.
      o.emit({ type: 'validation', step: r.step, valLoss: v.valLoss, bestValLoss: session.bestValLoss, improved: v.improved, valMetrics: v.valMetrics });
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

  // No validation yet (a short run, or one that diverged early): validate now, so best.weights has a validation loss.
  if (session.step > 0 && !Number.isFinite(session.bestValLoss)) {
    try {
      const v = session.validate();
      log.addValidation(session.step, v.valLoss, v.valMetrics, lastTrain ? { ...lastTrain, ...session.weightDynamics() } : { trainLoss: NaN, lr: 0 });
    } catch (e) {
      // Non-finite on the validation audio: a divergence like one in the loop (rolled back, recorded,
      // said), whatever ended the loop; keepAndEvaluate then decides which weights are kept.
      diverged(e);
    }
  }
  log.flush();

  o.emit({ type: 'evaluating' });
  // Training is over: end the other training threads first, so their kernel cores are not held while
  // the evaluation builds its own (the peak memory of a run).
  session.close();
  const { metrics, metricsUnavailable, warnings } = await keepAndEvaluate(session, clips, dir);

  const result: TrainResult = {
    runDir: dir,
    status,
    ...(message ? { message } : {}),
    steps: session.step,
    finalTrainLoss: lastTrain?.trainLoss ?? null,
    bestValLoss: Number.isFinite(session.bestValLoss) ? session.bestValLoss : null,
    bestStep: session.bestStep,
    metrics,
    ...(metricsUnavailable ? { metricsUnavailable } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
  writeJson(dir, 'metrics.json', { ...result, split: { train: session.split.train.length, val: session.split.val.length, test: session.split.test.length }, finishedAt: new Date().toISOString() });
  o.emit({ type: 'done', result });
  return result;
}
