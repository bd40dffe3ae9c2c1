// The lab bench's state: the library, the train options, the runs, the live run and the loss
// curves. One instance, shared by the panels; everything it knows comes from the API.
import { api, describeError, transport } from './api.js';
import type { LabEvent, LibraryEntry, LogEntry, LossName, QueueView, ReadableRun, RunSummary, TrainOptions, ValMetrics } from './types.js';
import type { Measure, StepRecord } from './curves.js';
import type { XAxis } from './x-axis.js';
import { stepRecord } from './dynamics.js';
import { restoredDraft, trainRequest, type TrainDraft } from './train-draft.js';

export interface Curve {
  /** [step, loss] pairs, plain values (the plot converts to dB). */
  train: [number, number][];
  val: [number, number][];
  /** [step, the validation on the common yardstick] (runs logged before it existed have none). */
  metrics: [number, ValMetrics][];
  /** The learning rate, norms and times at the logged steps (streamed steps: rate and time only). */
  dynamics: StepRecord[];
}

const emptyCurve = (): Curve => ({ train: [], val: [], metrics: [], dynamics: [] });

/** A running run's log is read again at a validation (the norms are in the log only), at most this often. */
const LOG_RELOAD_MS = 5000;

const CONFIG_KEY = 'codec-lab-train-config';

/** The Train settings of the last visit over the engine's defaults (lib/train-draft.ts says what is kept). */
function restoredConfig(options: TrainOptions): TrainDraft {
  let saved: unknown = null;
  try {
    saved = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? 'null');
  } catch {
    // A damaged entry: start from the defaults.
  }
  return restoredDraft(options, saved);
}

export type LivePhase = 'starting' | 'training' | 'paused' | 'evaluating' | 'done' | 'failed';

export interface LiveRun {
  runId: string;
  phase: LivePhase;
  step: number;
  steps: number;
  stepsPerSec: number;
  etaSec: number;
  elapsedSec: number;
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  params: number;
  segments: { train: number; val: number; test: number } | null;
  skipped: { name: string; reason: string }[];
  message: string | null;
  status: string | null;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Lab {
  library = $state<LibraryEntry[]>([]);
  /** Clips checked for training. */
  selected = $state<string[]>([]);
  options = $state<TrainOptions | null>(null);
  /** The Train panel's settings as edited (empty fields: the engine's defaults). */
  config = $state<TrainDraft | null>(null);
  /** The run queue (races), as the engine last told it; null until asked. */
  queue = $state.raw<QueueView | null>(null);
  runs = $state<ReadableRun[]>([]);
  /** Run folders whose files cannot be read as a run; shown with the reason, never plotted, heard or scored. */
  damagedRuns = $state<RunSummary[]>([]);
  live = $state<LiveRun | null>(null);
  /** Runs drawn on the loss plot. */
  plotted = $state<string[]>([]);
  /** Runs ticked in Compare (scored and heard there). */
  comparePicked = $state<string[]>([]);
  /** What the loss plot measures the runs in: each run's own loss, one loss space for all, or SI-SDR / SNR. */
  measure = $state<Measure>('own');
  /** The loss plot's x axis: steps, epochs or seconds of training. */
  xAxis = $state<XAxis>('step');
  /** Bumped when any curve changes; the plot redraws at most once per frame. */
  curveVersion = $state(0);
  notices = $state<Notice[]>([]);
  uploading = $state(0);
  ready = $state(false);
  loadError = $state<string | null>(null);
  /** Set by the Listen panel while it shows a run and a clip: what the File menu's "Export reconstruction..." saves. */
  exportCurrent: (() => Promise<void>) | null = null;

  /** Curves are plain (not deeply reactive): they grow by hundreds of points. */
  readonly curves = new Map<string, Curve>();
  private readonly startedLoss = new Map<string, LossName>();
  private noticeId = 0;
  private runsRefreshedAt = 0;
  private readonly logReadAt = new Map<string, number>();

  async init(): Promise<void> {
    api.subscribe((e) => this.onEvent(e));
    if (transport.web) transport.web.onReconnect = () => void this.refreshRuns();
    try {
      const [library, options, runs] = await Promise.all([api.listLibrary(), api.trainOptions(), api.listRuns()]);
      this.library = library;
      this.options = options;
      this.config = restoredConfig(options);
      // The Train settings survive a reload: saved whenever they change.
      $effect.root(() => {
        $effect(() => {
          const snapshot = $state.snapshot(this.config);
          try {
            if (snapshot) localStorage.setItem(CONFIG_KEY, JSON.stringify(snapshot));
          } catch {
            // Storage full or disabled: the settings then last as long as the page.
          }
        });
      });
      this.selected = library.filter((c) => c.ok && c.bundled).map((c) => c.id);
      if (this.selected.length === 0) this.selected = library.filter((c) => c.ok).slice(0, 1).map((c) => c.id);
      this.setRuns(runs);
      const running = this.runs.find((r) => r.status === 'running');
      if (running) await this.adoptRunning(running);
      this.ready = true;
    } catch (e) {
      const { code, message } = describeError(e);
      this.loadError = `${code}: ${message}`;
    }
  }

  notify(kind: Notice['kind'], text: string): void {
    const id = ++this.noticeId;
    this.notices = [...this.notices, { id, kind, text }];
    setTimeout(() => this.dismiss(id), kind === 'error' ? 12000 : 5000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  fail(what: string, e: unknown): void {
    const { code, message } = describeError(e);
    this.notify('error', `${what}: ${message} (${code})`);
  }

  // ---- library ----

  async addFiles(files: File[]): Promise<void> {
    const wavs = files.filter((f) => f.size >= 0);
    this.uploading += wavs.length;
    // One at a time: a refused file never stops the others.
    for (const f of wavs) {
      try {
        const entry = await api.addFileData(f.name, await f.arrayBuffer());
        this.library = [...this.library, entry];
        // A file the student adds is one they mean to train on.
        if (entry.ok) this.selected = [...this.selected, entry.id];
      } catch (e) {
        const { code, message } = describeError(e);
        this.library = [...this.library, { id: `local-${++this.noticeId}`, name: f.name, ok: false, error: { code, message } }];
      } finally {
        this.uploading--;
      }
    }
  }

  async addFromDialog(): Promise<void> {
    if (!transport.desktop) return;
    try {
      const added = await transport.desktop.openFilesDialog();
      this.library = [...this.library, ...added];
      this.selected = [...this.selected, ...added.filter((c) => c.ok).map((c) => c.id)];
    } catch (e) {
      this.fail('Adding files failed', e);
    }
  }

  async removeClip(id: string): Promise<void> {
    try {
      if (!id.startsWith('local-')) await api.removeClip(id);
    } catch (e) {
      this.fail('Removing the clip failed', e);
      return;
    }
    this.library = this.library.filter((c) => c.id !== id);
    this.selected = this.selected.filter((c) => c !== id);
  }

  toggleSelected(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((c) => c !== id) : [...this.selected, id];
  }

  get okClips() {
    return this.library.filter((c): c is Extract<LibraryEntry, { ok: true }> => c.ok);
  }

  // ---- training ----

  get active(): boolean {
    return this.live !== null && (this.live.phase === 'starting' || this.live.phase === 'training' || this.live.phase === 'paused' || this.live.phase === 'evaluating');
  }

  async start(): Promise<void> {
    if (!this.config || !this.options || this.active) return;
    const clips = this.selected.filter((id) => this.okClips.some((c) => c.id === id));
    if (clips.length === 0) {
      this.notify('error', 'Select at least one loaded clip to train on.');
      return;
    }
    const defaults = this.options.defaults;
    const cfg = trainRequest($state.snapshot(this.config) as TrainDraft, defaults);
    this.live = {
      runId: '', phase: 'starting', step: 0, steps: cfg.steps ?? defaults.steps, stepsPerSec: 0, etaSec: NaN, elapsedSec: 0, trainLoss: null,
      valLoss: null, bestValLoss: null, params: 0, segments: null, skipped: [], message: null, status: null,
    };
    try {
      const { runId } = await api.startTraining(clips, cfg);
      this.live.runId = runId;
      if (!this.curves.has(runId)) this.curves.set(runId, emptyCurve());
      this.startedLoss.set(runId, cfg.loss ?? defaults.loss);
      this.plotted = [...this.plotted.filter((id) => id !== runId), runId];
      void this.refreshRuns();
    } catch (e) {
      const { code, message } = describeError(e);
      this.live.phase = 'failed';
      this.live.message = `${message} (${code})`;
    }
  }

  async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    const id = this.live?.runId;
    if (!id) return;
    try {
      if (action === 'pause') await api.pauseTraining(id);
      else if (action === 'resume') await api.resumeTraining(id);
      else await api.stopTraining(id);
    } catch (e) {
      this.fail(`Could not ${action} the run`, e);
    }
  }

  /** A run already training when the page opened (a reload): pick up its log, then follow its events. */
  private async adoptRunning(run: ReadableRun): Promise<void> {
    this.live = {
      runId: run.id, phase: 'training', step: run.steps, steps: run.config.steps, stepsPerSec: 0, etaSec: NaN, elapsedSec: 0,
      trainLoss: run.finalTrainLoss, valLoss: null, bestValLoss: run.bestValLoss, params: 0, segments: null, skipped: [], message: null, status: null,
    };
    await this.loadCurve(run.id);
    this.plotted = [...this.plotted, run.id];
  }

  private onEvent(e: LabEvent): void {
    if (e.type === 'queue') {
      this.queue = e.queue;
      // A queued run that starts or ends changes the runs list.
      void this.refreshRuns();
      return;
    }
    const live = this.live && (this.live.runId === e.runId || (this.live.runId === '' && this.live.phase === 'starting')) ? this.live : null;
    if (e.type === 'train-error') {
      if (live) {
        live.phase = 'failed';
        live.message = `${e.message} (${e.code})`;
      } else this.notify('error', `Run ${e.runId} failed: ${e.message} (${e.code})`);
      void this.refreshRuns();
      return;
    }
    const ev = e.event;
    let curve = this.curves.get(e.runId);
    if (!curve) {
      curve = emptyCurve();
      this.curves.set(e.runId, curve);
    }
    switch (ev.type) {
      case 'started':
        if (live) {
          live.phase = 'training';
          live.params = ev.params;
          live.segments = ev.segments;
          live.skipped = ev.skipped;
        }
        break;
      case 'progress':
        if (curve.train.length === 0 || curve.train[curve.train.length - 1][0] < ev.step) {
          curve.train.push([ev.step, ev.trainLoss]);
          curve.dynamics.push({ step: ev.step, lr: ev.lr, elapsedSec: ev.elapsedSec });
        }
        this.curveVersion++;
        // The runs lists (steps, best validation, whether it can be heard yet) follow a running run.
        if (performance.now() - this.runsRefreshedAt > 5000) void this.refreshRuns();
        if (live) {
          if (live.phase === 'starting') live.phase = 'training';
          live.step = ev.step;
          live.steps = ev.steps;
          live.stepsPerSec = ev.stepsPerSec;
          live.etaSec = ev.etaSec;
          live.elapsedSec = ev.elapsedSec;
          live.trainLoss = ev.trainLoss;
        }
        break;
      case 'validation':
        if (curve.val.length === 0 || curve.val[curve.val.length - 1][0] < ev.step) {
          curve.val.push([ev.step, ev.valLoss]);
          if (ev.valMetrics) curve.metrics.push([ev.step, ev.valMetrics]);
        }
        this.curveVersion++;
        // The runs list shows steps and best validation loss: keep it roughly current while training,
        // and at once when this is the run's first best (its weights can be heard from now on).
        {
          const listed = this.runs.find((r) => r.id === e.runId);
          if (!listed || listed.bestValLoss === null || performance.now() - this.runsRefreshedAt > 5000) void this.refreshRuns();
        }
        if (live) {
          live.valLoss = ev.valLoss;
          live.bestValLoss = ev.bestValLoss;
        }
        // The gradient and weight norms are not streamed: the log, written before this event, has them.
        if (performance.now() - (this.logReadAt.get(e.runId) ?? -Infinity) > LOG_RELOAD_MS) void this.loadCurve(e.runId);
        break;
      case 'paused':
        if (live) live.phase = 'paused';
        break;
      case 'resumed':
        if (live) live.phase = 'training';
        break;
      case 'diverged':
        if (live) live.message = ev.message;
        break;
      case 'evaluating':
        if (live) live.phase = 'evaluating';
        break;
      case 'done':
        if (live) {
          live.phase = 'done';
          live.status = ev.result.status;
          live.step = ev.result.steps;
          live.etaSec = 0;
          if (ev.result.message) live.message = ev.result.message;
        }
        // The log on disk has every logged step; the live curve only the throttled progress events.
        void this.loadCurve(e.runId);
        void this.refreshRuns();
        break;
    }
  }

  async refreshRuns(): Promise<void> {
    this.runsRefreshedAt = performance.now();
    try {
      this.setRuns(await api.listRuns());
    } catch (e) {
      this.fail('Could not list the runs', e);
    }
  }

  private setRuns(all: RunSummary[]): void {
    this.runs = all.filter((r): r is ReadableRun => r.status !== 'damaged' && r.config !== null);
    this.damagedRuns = all.filter((r) => r.status === 'damaged' || r.config === null);
  }

  async loadCurve(runId: string): Promise<void> {
    this.logReadAt.set(runId, performance.now());
    let log: LogEntry[];
    try {
      log = await api.runLog(runId);
    } catch (e) {
      this.fail(`Could not read the log of ${runId}`, e);
      return;
    }
    const curve: Curve = {
      train: log.filter((l) => Number.isFinite(l.trainLoss)).map((l) => [l.step, l.trainLoss]),
      val: log.filter((l) => l.valLoss !== undefined).map((l) => [l.step, l.valLoss!]),
      metrics: log.filter((l) => l.valMetrics !== undefined).map((l) => [l.step, l.valMetrics!]),
      dynamics: log.map(stepRecord),
    };
    // Keep live points newer than the log (it is flushed about once a second).
    const old = this.curves.get(runId);
    const lastT = curve.train.at(-1)?.[0] ?? 0;
    const lastV = curve.val.at(-1)?.[0] ?? 0;
    if (old) {
      curve.train.push(...old.train.filter(([s]) => s > lastT));
      curve.val.push(...old.val.filter(([s]) => s > lastV));
      curve.metrics.push(...old.metrics.filter(([s]) => s > lastV));
      const lastD = curve.dynamics.at(-1)?.step ?? 0;
      curve.dynamics.push(...old.dynamics.filter((r) => r.step > lastD));
    }
    this.curves.set(runId, curve);
    this.curveVersion++;
  }

  async togglePlotted(runId: string): Promise<void> {
    if (this.plotted.includes(runId)) {
      this.plotted = this.plotted.filter((id) => id !== runId);
      return;
    }
    if (!this.curves.has(runId) || this.curves.get(runId)!.train.length === 0) await this.loadCurve(runId);
    this.plotted = [...this.plotted, runId];
  }

  /** The loss a run trains with (known from the moment this app starts it, before the runs list has it). */
  lossOf(runId: string): LossName | null {
    return this.runs.find((r) => r.id === runId)?.config.loss ?? this.startedLoss.get(runId) ?? null;
  }

  /** Runs whose best weights exist, so they can reconstruct audio. */
  get playableRuns(): ReadableRun[] {
    return this.runs.filter((r) => r.bestValLoss !== null && r.steps > 0);
  }
}

export const lab = new Lab();
