// The exported PyTorch project: one folder a student copies to a bigger machine and trains with
// `torchrun --nproc_per_node N train.py --steps S --runs DIR`. It holds
//   codec_ref.py       bench/pytorch/codec_ref.py, byte for byte: the model, the quantizer, the losses
//                      and the weights file (the same file the gradient test holds to the engine)
//   train.py           torch-export/train.py: the DistributedDataParallel trainer that writes a Codec
//                      Lab run folder
//   experiment.json    the settings and the network's layer lists (experiment.ts)
//   split.json         the segments of the train, validation and test splits (the engine's format)
//   clips/NNN.wav      the audio at the model rate (24 kHz mono float), in split.json's clip order
//   init.weights       the weights to start from, when asked for
//   requirements.txt, README.md
// The folder appears whole: it is written beside the target under a hidden name and renamed.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../assets.js';
import { writeWav } from '../audio/wav-write.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { saveWeights } from '../nn/weights.js';
import type { Preset } from '../nn/presets.js';
import type { SplitRecord } from '../runs/split-file.js';
import { entryExists, isRealDir } from '../runs/run-files.js';
import { tempNameFor } from '../util/atomic-file.js';
import { ExportError } from './errors.js';
import type { Experiment } from './experiment.js';

/** The project's files that come from the repository as they are: [source relative to the package, name in the project]. */
export const PROJECT_SOURCES: readonly [string, string][] = [
  ['bench/pytorch/codec_ref.py', 'codec_ref.py'],
  ['torch-export/train.py', 'train.py'],
  ['torch-export/requirements.txt', 'requirements.txt'],
  ['torch-export/README.md', 'README.md'],
];

export interface TorchProject {
  experiment: Experiment;
  split: SplitRecord;
  /** The audio of each of split.clips, in that order (mono, at the model rate). */
  audio: readonly Float32Array[];
  /** The weights experiment.init names. */
  init?: { model: Preset; params: Float32Array; meta: Record<string, unknown> };
}

/** Refuse an output folder that exists and is not an empty folder (before any work is done). */
export function checkOutFolder(out: string): void {
  if (!entryExists(out)) return;
  if (!isRealDir(out)) throw new ExportError('OUT_NOT_EMPTY', `${out} exists and is not a folder: name a new or empty folder for the project`);
  if (readdirSync(out).length > 0) throw new ExportError('OUT_NOT_EMPTY', `${out} is not empty: name a new or empty folder for the project`);
}

/** Write the project into `out` (a new or empty folder); returns the files written, relative to it. */
export async function writeTorchProject(out: string, p: TorchProject): Promise<string[]> {
  checkOutFolder(out);
  if (p.audio.length !== p.split.clips.length) throw new Error(`${p.audio.length} clips of audio for ${p.split.clips.length} clips in the split`);
  if ((p.init === undefined) !== (p.experiment.init === null)) throw new Error('init weights given without experiment.init, or the other way round');
  mkdirSync(path.dirname(out), { recursive: true });
  const staging = tempNameFor(out);
  mkdirSync(path.join(staging, 'clips'), { recursive: true });
  try {
    const files: string[] = [];
    for (const [from, to] of PROJECT_SOURCES) {
      copyFileSync(path.join(PACKAGE_ROOT, from), path.join(staging, to));
      files.push(to);
    }
    writeFileSync(path.join(staging, 'experiment.json'), JSON.stringify(p.experiment, null, 2) + '\n');
    writeFileSync(path.join(staging, 'split.json'), JSON.stringify(p.split, null, 2) + '\n');
    files.push('experiment.json', 'split.json');
    for (const [i, clip] of p.experiment.clips.entries()) {
      await writeWav(path.join(staging, clip.file), [p.audio[i]], MODEL_RATE, 'float32');
      files.push(clip.file);
    }
    if (p.init && p.experiment.init) {
      saveWeights(path.join(staging, p.experiment.init.file), p.init.model, p.init.params, p.init.meta);
      files.push(p.experiment.init.file);
    }
    // An empty folder at `out` (checked above) is replaced by the rename; look again in case one appeared since.
    checkOutFolder(out);
    if (entryExists(out)) rmdirSync(out);
    renameSync(staging, out);
    return files;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
