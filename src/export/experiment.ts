// experiment.json: everything the exported PyTorch trainer (torch-export/train.py) needs besides the
// audio and split.json: the resolved settings, the network as the engine's own layer lists (so the
// PyTorch model is built from the engine's definition, whatever the shape), and the clips in
// split.json's order.
import { hasDefaultShape, presetInfo, presetShape, type LayerSpec, type ModelShape, type PresetName } from '../nn/presets.js';
import { modelPreset, runLabel, type TrainConfig } from '../train/config.js';
import type { SplitRecord } from '../runs/split-file.js';
import { ExportError } from './errors.js';

export const EXPERIMENT_FORMAT = 'codec-lab-torch-experiment';

export interface ExperimentClip {
  /** The clip's name as the run records it (config.json's `clips`). */
  name: string;
  /** The 24 kHz mono float WAV in the project, relative to it. */
  file: string;
  sha256: string;
  samples: number;
}

export interface Experiment {
  format: typeof EXPERIMENT_FORMAT;
  version: 1;
  config: TrainConfig;
  /** The run folder's label (runLabel): what the trained run's folder is named after. */
  label: string;
  model: {
    preset: PresetName;
    /** Absent: the preset's own shape (and the weights file's header has none). */
    shape?: ModelShape;
    encoder: LayerSpec[];
    decoder: LayerSpec[];
    params: { encoder: number; decoder: number; total: number };
  };
  clips: ExperimentClip[];
  /** config.json's `clips`: the files the run trains on, as the engine records them. */
  clipNames: string[];
  /** The weights training starts from (a file of the project), or null: fresh weights from the seed. */
  init: { file: string; fromRun: string; step: number | null } | null;
  exportedFrom: { run: string | null; codecLab: string };
  exportedAt: string;
}

/**
 * Refuse what train.py does not reproduce: Setup B's spectrogram decoder and Griffin-Lim, and the
 * tilt augmentation (a recursive filter per example, which would need a per-sample Python loop).
 */
export function checkExportable(config: TrainConfig): void {
  if (config.setup === 'B') throw new ExportError('EXPORT_UNSUPPORTED', 'Setup B (a decoder that predicts a spectrogram, audio by Griffin-Lim) cannot be exported to PyTorch yet; export a Setup A run');
  if (config.augment.tiltDb > 0) throw new ExportError('EXPORT_UNSUPPORTED', `the tilt augmentation (--augment-tilt ${config.augment.tiltDb}) cannot be exported to PyTorch yet; export a run without it`);
}

export function makeExperiment(o: {
  config: TrainConfig;
  split: SplitRecord;
  clipNames: string[];
  init: Experiment['init'];
  fromRun: string | null;
  version: string;
}): Experiment {
  checkExportable(o.config);
  const net = modelPreset(o.config);
  return {
    format: EXPERIMENT_FORMAT,
    version: 1,
    config: o.config,
    label: runLabel(o.config),
    model: {
      preset: net.name,
      ...(hasDefaultShape(net) ? {} : { shape: presetShape(net) }),
      encoder: net.encoder,
      decoder: net.decoder,
      params: presetInfo(net).params,
    },
    clips: o.split.clips.map((c, i) => ({ name: c.name, file: clipFile(i), sha256: c.sha256, samples: c.samples })),
    clipNames: o.clipNames,
    init: o.init,
    exportedFrom: { run: o.fromRun, codecLab: o.version },
    exportedAt: new Date().toISOString(),
  };
}

/** The project's file for clip i (by index, so any clip name is a safe file name). */
export const clipFile = (i: number) => `clips/${String(i).padStart(3, '0')}.wav`;
