// The end of a run: which weights it keeps, and their scores. Whatever training left behind (a
// divergence, weights that overflow on audio they were not trained on), the weights files hold
// weights that give finite audio on the run's own validation and test audio, and the evaluation
// never fails the run: a run that cannot be scored says why and is kept all the same.
import path from 'node:path';
import type { Clip, DataSplit } from '../data/dataset.js';
import type { Preset } from '../nn/presets.js';
import { saveWeights } from '../nn/weights.js';
import { writeWav } from '../audio/wav-write.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { concatAudio, evaluateCodec, type Evaluation } from '../eval/evaluate.js';
import { UsableWeights, type Candidate } from './usable-weights.js';

/** What the end of a run needs of its session (a TrainingSession; tests pass their own). */
export interface EndingSession {
  readonly preset: Preset;
  readonly split: DataSplit;
  readonly bestStep: number;
  readonly bestValLoss: number;
  readonly weightsStep: number;
  bestParams(): Float32Array;
  params(): Float32Array;
  initialParams(): Float32Array;
}

export interface FinalEvaluation {
  metrics: Evaluation | null;
  metricsUnavailable?: string;
  warnings: string[];
}

/**
 * Write best.weights and last.weights, each holding weights that turn the run's validation and test
 * audio into finite audio, then score the best ones on the test split and write the reconstructions.
 * Nothing here fails the run but a failed write: unusable weights or a failed evaluation become
 * `warnings` and `metricsUnavailable`.
 */
export async function keepAndEvaluate(session: EndingSession, clips: readonly Clip[], dir: string): Promise<FinalEvaluation> {
  const { split, preset } = session;
  const seg = split.segment;
  const cut = (list: typeof split.test) => list.map((s) => ({ name: `${clips[s.clip].name}@${s.start}`, audio: clips[s.clip].audio.subarray(s.start, s.start + seg) }));
  const test = cut(split.test);
  const val = cut(split.val);
  // Validation first: its first segment builds the codec's graphs, so the test split's timings (the
  // speeds the evaluation reports) are of inference alone. The kept weights' outputs are kept too,
  // and scored and written below as they are: the end of a run runs the model once per segment.
  const usable = new UsableWeights(preset, [val.map((c) => c.audio), test.map((c) => c.audio)]);
  const best: Candidate = { what: 'the best weights', step: session.bestStep, params: session.bestParams() };
  const last: Candidate = { what: 'the last weights', step: session.weightsStep, params: session.params() };
  const initial: Candidate = { what: 'the initial weights', step: 0, params: session.initialParams() };
  const keptBest = usable.first([best, last, initial]);
  const keptLast = usable.first([last, best, initial]);
  const warnings: string[] = [];
  const save = (file: string, wanted: Candidate, kept: Candidate | undefined) => {
    const c = kept ?? wanted;
    if (kept && kept !== wanted) {
      warnings.push(`${file} holds ${kept.what} (step ${kept.step}): ${wanted.what} (step ${wanted.step}) give non-finite audio on the run's validation or test audio`);
    }
    const meta = c === best ? { step: c.step, valLoss: Number.isFinite(session.bestValLoss) ? session.bestValLoss : null } : { step: c.step };
    saveWeights(path.join(dir, file), preset, c.params, meta);
  };
  save('best.weights', best, keptBest?.candidate);
  save('last.weights', last, keptLast?.candidate);

  if (!keptBest) {
    const why = "no weights of this run (best, last or initial) turn its validation and test audio into finite audio";
    return { metrics: null, metricsUnavailable: why, warnings: [...warnings, `${why}; the weights files hold the weights as trained`] };
  }
  const [valRun, testRun] = keptBest.outputs;
  let evaluation: Evaluation;
  try {
    ({ evaluation } = evaluateCodec(keptBest.codec, test, { block: seg, inference: testRun }));
  } catch (e) {
    return { metrics: null, metricsUnavailable: `the evaluation on the test split failed: ${(e as Error).message}`, warnings };
  }
  await writeReconstructions(dir, testRun.reconstructions, valRun.reconstructions);
  return { metrics: evaluation, warnings };
}

/** A run's test and validation reconstructions, segment after segment as its originals hold them, 24 kHz float. */
export async function writeReconstructions(dir: string, test: readonly Float32Array[], val: readonly Float32Array[]): Promise<void> {
  await writeWav(path.join(dir, 'test_reconstruction.wav'), [concatAudio(test)], MODEL_RATE, 'float32');
  await writeWav(path.join(dir, 'val_reconstruction.wav'), [concatAudio(val)], MODEL_RATE, 'float32');
}
