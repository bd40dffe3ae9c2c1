// The one contract between the lab bench (renderer/) and the engine: every call the app can make,
// and every event it can receive. The renderer imports this file with `import type` only; the
// Electron shell (one IPC channel per method) and the web host (one POST route per method) both
// serve it from the same LabService (src/api/service.ts).
import type { TrainConfig } from '../train/config.js';
import type { TrainEvent, RunStatus } from '../train/run.js';
import type { Evaluation } from '../eval/evaluate.js';
import type { LogEntry } from '../runs/run-dir.js';
import type { QueueView } from './queue-runner.js';
import type { RunGroup, QueueItem, QueueStatus } from '../runs/run-queue.js';
import type { LrRangeOptions, LrRangePoint, LrRangeResult } from '../train/lr-range.js';
import type { OptimizerName } from '../optim/optimizer.js';
import type { LossName } from '../losses/loss.js';
import type { LossDistance, LossSpace } from '../common/loss-scale.js';
import type { SpectralView, ViewTransform } from '../views/spectral-view.js';
import type { ViewSpace } from '../common/view-spaces.js';
import type { Yardstick } from '../eval/yardstick.js';
import type { SplitRecord } from '../runs/split-file.js';
import type { ExportOptions } from '../common/export-options.js';
import type { RunNotes } from '../runs/run-notes.js';
import type { AbxRecordView, AbxVerdict, Region, Side, SideLabels } from '../listening/abx-record.js';
import type { ListeningSummary } from '../listening/summary.js';
import type { MushraRatings, MushraView } from '../listening/mushra-record.js';
import type { ListeningResults } from '../listening/aggregate.js';

/** A validation scored on the common yardstick: every loss space (plain values), SI-SDR and SNR in dB. */
export type ValMetrics = Yardstick;

export type { TrainConfig, TrainEvent, RunStatus, Evaluation, LogEntry, LossName, SpectralView, ViewTransform, ViewSpace, SplitRecord, RunNotes };
export type { AbxVerdict, Region, Side, SideLabels, ListeningSummary, MushraRatings, ListeningResults };
export type { QueueView, RunGroup, QueueItem, QueueStatus, LrRangeOptions, LrRangePoint, LrRangeResult, OptimizerName };
export type { AgreementRow, ConditionAggregate, ListenerScreen, MeasureName } from '../listening/aggregate.js';
export type { ConditionMeasures, MushraResult, MushraRole, MushraSlotView } from '../listening/mushra-record.js';

/** A file in the library: loaded, or refused with the reason. */
export type LibraryEntry =
  | {
      id: string;
      name: string;
      ok: true;
      bundled: boolean;
      format: string;
      sampleRate: number;
      channels: number;
      frames: number;
      durationSec: number;
      /** SHA-256 of its 24 kHz mono samples: how a run's split.json names the clips it trained on. */
      sha256: string;
      warnings?: string[];
    }
  | { id: string; name: string; ok: false; error: { code: string; message: string } };

export interface LossChoice {
  name: LossName;
  space: string;
  /** Its place in the Train panel's space-by-distance grid; null for mrstft (a row of its own). */
  cell: { space: LossSpace; distance: LossDistance } | null;
  formula: string;
  hears: string;
  misses: string;
}

/** What the Train panel offers, with the engine's defaults. */
export interface TrainOptions {
  presets: { name: string; params: number; bitrateKbps: number }[];
  losses: LossChoice[];
  optimizers: string[];
  /** The network's shape beside its preset: each preset's own (bits, latent channels, hop, width), the hops allowed, the ranges. */
  shape: { defaults: { bits: number; latentChannels: number; hop: number; width: number }; hops: number[]; limits: { bits: { min: number; max: number }; latentChannels: { min: number; max: number }; width: { min: number; max: number } }; sampleRate: number };
  /** Each optimizer's settings when left out (momentum, nesterov, weightDecay, beta1, beta2, eps, alpha). */
  optimizerDefaults: Record<string, { momentum: number; nesterov: boolean; weightDecay: number; beta1: number; beta2: number; eps: number; alpha: number }>;
  schedules: string[];
  /** Setup B: the model predicts the spectrogram (in dB) of these losses' space; Griffin-Lim rebuilds the phase. */
  setupB: { losses: LossName[]; glIters: { default: number; min: number; max: number } };
  /** Threads sharing each batch: this machine's physical cores (the default, capped at 8) and the most a run may ask for. */
  threads: { cores: number; max: number };
  defaults: TrainConfig;
}

/**
 * config.json of a run trained outside the lab, by the PyTorch project `codec-lab export-torch` writes
 * (torch-export/train.py): the framework and its version, the processes and the device.
 */
export interface TrainedWith {
  framework: 'pytorch';
  torch: string;
  processes: number;
  device: string;
}

export interface RunSummary {
  id: string;
  /** The run's settings; null only for a damaged run whose config.json cannot be used. */
  config: (TrainConfig & { clips?: string[]; group?: RunGroup; trainedWith?: TrainedWith }) | null;
  /**
   * 'running' while this app trains it; 'incomplete' for a run that stopped without finishing (a
   * crash); 'damaged' for a folder whose files cannot be read as a run (see `damaged`). A damaged
   * run has no figures (steps 0, losses and metrics null) and cannot be heard or scored.
   */
  status: RunStatus | 'running' | 'incomplete' | 'damaged';
  /** Why the run is damaged: which file, and what is wrong with it. Only with status 'damaged'. */
  damaged?: string;
  steps: number;
  finalTrainLoss: number | null;
  bestValLoss: number | null;
  bestStep: number;
  metrics: Evaluation | null;
  createdAt: string;
  /**
   * The student's name for the run (notes.json), shown instead of its id; the id and folder stay the
   * same. A notes.json that cannot be read is treated as absent (src/runs/run-notes.ts).
   */
  title?: string;
  /** The student's note on the run (notes.json). */
  note?: string;
}

export type { ExportOptions };

/** An exported file: where, how large, and how many samples a 16-bit export clipped to full scale (0 for float). */
export interface ExportResult {
  path: string;
  bytes: number;
  clipped?: number;
}

/** Audio the renderer can fetch as WAV bytes. */
export type AudioRef =
  | { kind: 'clip'; clipId: string }
  | { kind: 'run'; runId: string; file: 'test_original' | 'test_reconstruction' | 'val_original' | 'val_reconstruction' }
  /** A library clip put through a run's codec (best weights), mono at 24 kHz. */
  | { kind: 'reconstruction'; runId: string; clipId: string }
  /** The same clip, mono at 24 kHz: the reference a reconstruction is compared with. */
  | { kind: 'model-input'; clipId: string }
  /**
   * The "oracle" of Setup B, mono at 24 kHz: Griffin-Lim (`glIters` iterations, GL_ITERS of
   * src/nn/presets.ts) from the original's own STFT magnitude ('stft'), or from its 64-band mel
   * spectrogram mapped back to a magnitude first ('mel'): the best phase reconstruction alone can
   * do. The original is a library clip's model input, or a run's held-out original.
   */
  | { kind: 'oracle'; of: OracleOriginal; space: OracleSpace; glIters: number }
  /**
   * X of an ABX test's trial (counted from 1): A's audio or B's, as the test's plan says, which this
   * reference does not tell. Heard only while that trial is the current one (or once the test is
   * finished); never viewed or exported, which would tell which side it is.
   */
  | { kind: 'abx-x'; testId: string; trial: number }
  /**
   * A MUSHRA anchor (ITU-R BS.1534-3 §5.1), mono at 24 kHz: the original low-pass filtered at
   * `cutoffHz` (3500, the mandatory anchor, or 7000, the optional mid anchor) by a linear-phase FIR
   * whose delay is compensated, so it stays in sync with the original (src/audio/lowpass-anchor.ts).
   */
  | { kind: 'anchor'; of: OracleOriginal; cutoffHz: AnchorCutoff }
  /**
   * The condition a MUSHRA test presents at `slot` (counted from 1, in the listener's random order),
   * which this reference does not tell. Heard any time; viewed or exported only once the test is
   * finished, when what each slot was is revealed anyway.
   */
  | { kind: 'mushra-slot'; testId: string; slot: number };

/** A MUSHRA anchor's cut-off, Hz: 3.5 kHz (mandatory in BS.1534-3) or 7 kHz (the optional mid anchor). */
export { ANCHOR_CUTOFFS_HZ as ANCHOR_CUTOFFS, type AnchorCutoff } from '../listening/lowpass-anchor.js';
import type { AnchorCutoff } from '../listening/lowpass-anchor.js';

/**
 * How a MUSHRA test starts. The reference is heard openly (labelled) and hidden among the
 * conditions; so are the anchors, made from it; the runs are 1 to 8 reconstructions of the same
 * audio. Everything is looped on `region`.
 */
export interface MushraStart {
  /** The original: a clip's model input, or a run's held-out original (test_original, val_original). */
  reference: AudioRef;
  /** What the open reference is called ("original", the clip's name); one line. */
  referenceLabel: string;
  /** 1 to 8 runs' reconstructions of the reference's audio, each with what to call it once revealed. */
  runs: { audio: AudioRef; label: string }[];
  /** The low-pass anchors: [3500] without it (the mandatory one); [3500, 7000] adds the mid anchor. */
  anchors?: AnchorCutoff[];
  /** The excerpt, seconds; the whole audio without it. */
  region?: Region;
  listener?: string;
}

/** A MUSHRA test as the page may see it: slots by number until it is finished, then what each was. */
export type MushraTestView = MushraView<AudioRef, Extract<AudioRef, { kind: 'mushra-slot' }>>;

/** How an ABX test starts: the two sides and their labels, the region, the number of trials. */
export interface AbxStart {
  a: AudioRef;
  b: AudioRef;
  /** What the listener sees for each side ("original", a run's title); one line each. */
  labelA: string;
  labelB: string;
  /** Where in the clip to start looping, in seconds; the whole clip without it. */
  region?: Region;
  /** 1 to 100; 16 without it. */
  trials?: number;
  /** Tell right or wrong after each trial (practice); otherwise nothing until the end. */
  practice?: boolean;
  /** Who listens, as the student typed it; one line. */
  listener?: string;
}

/** The next trial of an ABX test: the sides, and X to hear, which does not say which side it is. */
export interface AbxTrial {
  trial: number;
  of: number;
  a: AudioRef;
  b: AudioRef;
  x: Extract<AudioRef, { kind: 'abx-x' }>;
  labels: SideLabels;
  region: Region | null;
  practice: boolean;
}

/** What an answer gives: whether the test is done, right or wrong with practice on, the verdict at the end. */
export interface AbxAnswerReply {
  done: boolean;
  /** Only in a practice test. */
  feedback?: { correct: boolean };
  /** Only once the last trial is answered. */
  result?: AbxVerdict;
}

/** A stored listening test as the page may see it (the plan only once it is finished). */
export type ListeningTestView = AbxRecordView<AudioRef> | MushraTestView;

/** What an oracle starts from: a library clip (its model input), or a run's held-out original. */
export type OracleOriginal = { clipId: string } | { runId: string; file: 'test_original' | 'val_original' };
/** The magnitude an oracle is given: the STFT's own, or the one its mel spectrogram implies. */
export type OracleSpace = 'stft' | 'mel';

export interface CrossEvalRow {
  runId: string;
  loss: LossName;
  /** Loss in every output space on the given audio (plain values; the app shows them in dB). */
  scores: Evaluation;
  /**
   * The scored library clips this run trained on (found in its split.json by the hash of their
   * samples, so a renamed copy counts too): part of the score is on audio it learned from. Empty when
   * scored on its own test split, or for a run made before runs recorded their split.
   */
  trainedOn: string[];
}

export type LabEvent =
  | { type: 'train'; runId: string; event: TrainEvent }
  | { type: 'train-error'; runId: string; code: string; message: string }
  /** The run queue changed (an item added, started, ended, moved, cancelled; paused or resumed). */
  | { type: 'queue'; queue: QueueView };

/** A race (src/train/sweep-grid.ts): one setting varied over 2 to RACE_MAX values, same seed. */
export { RACE_MAX, type RaceSpec } from '../train/sweep-grid.js';
import type { RaceSpec } from '../train/sweep-grid.js';

export interface LabApi {
  listLibrary(): Promise<LibraryEntry[]>;
  /** Add files by path (the desktop file dialog, or paths on the web host's machine the user typed). */
  addFiles(paths: string[]): Promise<LibraryEntry[]>;
  /** Add a file by its bytes (drag and drop, the browser's file picker). */
  addFileData(name: string, data: ArrayBuffer): Promise<LibraryEntry>;
  removeClip(id: string): Promise<void>;

  trainOptions(): Promise<TrainOptions>;
  startTraining(clipIds: string[], config: Partial<TrainConfig>): Promise<{ runId: string }>;
  pauseTraining(runId: string): Promise<void>;
  resumeTraining(runId: string): Promise<void>;
  stopTraining(runId: string): Promise<void>;
  /**
   * Queue a race: `base` trained once per value of the setting `race` varies (up to 8), same seed,
   * one after another in the background; each run's config.json names its group.
   */
  startRace(clipIds: string[], base: Partial<TrainConfig>, race: RaceSpec): Promise<{ groupId: string; items: string[] }>;
  /**
   * Queue a sweep: `base` trained once per combination of the grid's values (setting -> values, up
   * to 64 runs in all), one after another; each run's config.json names the sweep and its values.
   */
  startSweep(clipIds: string[], base: Partial<TrainConfig>, grid: Record<string, unknown[]>): Promise<{ groupId: string; items: string[] }>;
  /** The run queue: what waits, trains, ended; survives a restart. */
  runQueue(): Promise<QueueView>;
  setQueuePaused(paused: boolean): Promise<QueueView>;
  /** Cancel a queued run (a running one is stopped with stopTraining). */
  cancelQueued(itemId: string): Promise<QueueView>;
  /** Move a queued run to position `to` (0: first). */
  moveQueued(itemId: string, to: number): Promise<QueueView>;
  /** Drop the ended, failed and cancelled items from the list (their run folders stay). */
  clearQueue(): Promise<QueueView>;
  /**
   * The learning-rate range test (Smith 2017) with these settings on these clips: the training loss
   * as the rate rises exponentially over `range.steps` steps, and a suggested rate. Nothing is saved.
   */
  lrRangeTest(clipIds: string[], config: Partial<TrainConfig>, range?: Partial<LrRangeOptions>): Promise<LrRangeResult>;

  listRuns(): Promise<RunSummary[]>;
  runLog(runId: string): Promise<LogEntry[]>;
  /** The segments a run trained, validated and tested on (its split.json): which clips, and where in them. */
  runSplit(runId: string): Promise<SplitRecord>;
  /** Each run scored in every output space on the same audio (the library clips given, or each run's own test split). */
  crossEvaluate(runIds: string[], clipIds?: string[]): Promise<CrossEvalRow[]>;
  /**
   * Set a run's display title (the "rename": its folder and id stay the same) and note; returns them
   * as stored. Title at most 120 characters on one line, note at most 4000. Works while it trains.
   */
  annotateRun(runId: string, notes: RunNotes): Promise<RunNotes>;
  /**
   * Move a run's folder to `trash/` in the runs folder (never erased); returns where it went
   * (`trash/<id>`, with a suffix if that name is taken). RUN_ACTIVE for a run this app is training.
   */
  deleteRun(runId: string): Promise<{ movedTo: string }>;

  /** Start a blind ABX test between two sides; it is stored (in `listening/` of the runs folder) at once. */
  startAbx(o: AbxStart): Promise<{ testId: string; trials: number }>;
  /** The next unanswered trial; ABX_DONE once all are answered. Works after a restart (resume). */
  abxTrial(testId: string): Promise<AbxTrial>;
  /**
   * Answer the current trial ("X is A" or "X is B"), with the time it took and the region heard;
   * trials are answered in order, each once (ABX_OUT_OF_ORDER otherwise, ABX_DONE after the last).
   */
  answerAbx(testId: string, trial: number, answer: Side, taken: { ms: number; region?: Region }): Promise<AbxAnswerReply>;
  /**
   * Start a MUSHRA-style test (ITU-R BS.1534-3): the reference, the hidden reference, the anchors and
   * the runs, in an order drawn from a cryptographic seed; stored at once.
   */
  startMushra(o: MushraStart): Promise<{ testId: string; conditions: number }>;
  /** Save the scores and heard times so far (by slot); the test stays open. MUSHRA_DONE once finished. */
  rateMushra(testId: string, ratings: MushraRatings): Promise<MushraTestView>;
  /**
   * Save and finish: every slot must have been heard and scored (MUSHRA_INCOMPLETE otherwise). Each
   * condition is then scored by the objective measures on the excerpt (every loss space in dB,
   * SI-SDR, SNR, LSD, MCD) and the test is stored with its result; the answer reveals every slot.
   */
  submitMushra(testId: string, ratings: MushraRatings): Promise<MushraTestView>;
  /** The finished MUSHRA tests together: means and intervals per run, post-screening, and which measure agrees with the ears. */
  listeningResults(): Promise<ListeningResults>;
  /** Every stored listening test, oldest first: finished, unfinished (resumable) or damaged (with why). */
  listeningTests(): Promise<ListeningSummary[]>;
  /** A stored test; until it is finished without its seed and plan (and, unless practising, without X of the answered trials). */
  listeningTest(testId: string): Promise<ListeningTestView>;
  /** Move a test's file to `trash/` in the runs folder (never erased); returns where it went. */
  discardListeningTest(testId: string): Promise<{ movedTo: string }>;
  /** A finished test as CSV: a header and one row per trial (ABX) or per condition (MUSHRA); LISTENING_UNFINISHED before the end. */
  listeningCsv(testId: string): Promise<string>;

  /**
   * WAV bytes: model audio as 24 kHz float, or as `opts` asks (16-bit or float, 24 kHz or the clip's
   * own rate; 'source' is NO_SOURCE_RATE for a run's split files); a clip in its own format (no options).
   */
  audio(ref: AudioRef, opts?: ExportOptions): Promise<ArrayBuffer>;
  /**
   * A and B and their difference in an output space of the losses ('stft-db': |X| in dB, 513 bins;
   * 'mel-db': the 64 mel bands in dB), computed with the losses' own transform on the audio a loss
   * sees (24 kHz mono: a clip is viewed as its model input). At most `maxColumns` time columns.
   */
  spectralView(a: AudioRef, b: AudioRef, space: ViewSpace, opts?: { maxColumns?: number }): Promise<SpectralView>;
  /** Write audio to a WAV file as `audio` would answer it (the desktop save dialog picks the path). */
  exportAudio(ref: AudioRef, path: string, opts?: ExportOptions): Promise<ExportResult>;

  /** Every event of every run this app started; returns a function that unsubscribes. */
  subscribe(listener: (e: LabEvent) => void): () => void;
}

/** The methods that are plain request/response calls (everything but subscribe). */
export type LabMethod = Exclude<keyof LabApi, 'subscribe'>;

export const LAB_METHODS: readonly LabMethod[] = [
  'listLibrary', 'addFiles', 'addFileData', 'removeClip', 'trainOptions', 'startTraining', 'pauseTraining',
  'resumeTraining', 'stopTraining', 'startRace', 'startSweep', 'runQueue', 'setQueuePaused', 'cancelQueued', 'moveQueued', 'clearQueue', 'lrRangeTest', 'listRuns', 'runLog', 'runSplit', 'crossEvaluate', 'annotateRun', 'deleteRun',
  'startAbx', 'abxTrial', 'answerAbx', 'startMushra', 'rateMushra', 'submitMushra', 'listeningResults', 'listeningTests', 'listeningTest', 'discardListeningTest', 'listeningCsv', 'audio', 'spectralView', 'exportAudio',
];

/**
 * What only the desktop shell offers, on top of LabApi: native dialogs. The renderer checks for
 * them and falls back to the browser's file picker and downloads on the web host.
 */
export interface DesktopExtras {
  /** Show the native open dialog for WAV files and add the chosen ones; [] if cancelled. */
  openFilesDialog(): Promise<LibraryEntry[]>;
  /** Show the native save dialog and export the audio there; null if cancelled. */
  saveAudioDialog(ref: AudioRef, suggestedName: string, opts?: ExportOptions): Promise<ExportResult | null>;
}

/** What the preload script puts on `window.codecLab`. */
export type DesktopApi = LabApi & DesktopExtras;
