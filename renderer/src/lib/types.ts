// The API contract, as types only: the one thing the renderer knows about the engine.
export type {
  LabApi, DesktopApi, DesktopExtras, LabEvent, LibraryEntry, LossChoice, TrainOptions, RunSummary, CrossEvalRow,
  AudioRef, ExportOptions, ExportResult, TrainConfig, TrainEvent, RunStatus, Evaluation, LogEntry, LossName, ValMetrics, SplitRecord, SpectralView, ViewSpace,
  AbxAnswerReply, AbxTrial, ListeningSummary, ListeningTestView, MushraStart, MushraRatings, MushraTestView, MushraSlotView, MushraResult, MushraRole,
  ListeningResults, AgreementRow, ConditionAggregate, ListenerScreen, MeasureName, AnchorCutoff,
  QueueView, QueueItem, RunGroup, RaceSpec, LrRangeOptions, LrRangePoint, LrRangeResult, OptimizerName,
} from '../../../src/api/contract.js';

import type { RunSummary } from '../../../src/api/contract.js';

/** A run the panels can show, plot, hear and score: any but a damaged one, so its config is known. */
export type ReadableRun = RunSummary & { status: Exclude<RunSummary['status'], 'damaged'>; config: NonNullable<RunSummary['config']> };
