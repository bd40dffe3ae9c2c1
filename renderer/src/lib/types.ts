// The API contract, as types only: the one thing the renderer knows about the engine.
export type {
  LabApi, DesktopApi, DesktopExtras, LabEvent, LibraryEntry, LossChoice, TrainOptions, RunSummary, CrossEvalRow,
  AudioRef, TrainConfig, TrainEvent, RunStatus, Evaluation, LogEntry, LossName,
} from '../../../src/api/contract.js';
