// A small real run, trained in this process (no worker thread), for the tests that read run folders.
// The settings are taken as given after the defaults are filled, without resolveConfig's bounds, so a
// test can ask for values the doors refuse (the divergence guard must hold for any input).
import path from 'node:path';
import { readWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { resolveConfig, type TrainConfig } from '../../src/train/config.js';
import { runTraining, type ControlMessage, type TrainEvent, type TrainResult } from '../../src/train/run.js';
import type { Clip } from '../../src/data/dataset.js';
import { MUSIC_DIR } from '../helpers.js';

export async function musicClip(file = 'piano_openmsx_slow_and_easy.wav'): Promise<Clip> {
  return { name: file, audio: (await prepareAudio(await readWav(path.join(MUSIC_DIR, file)))).mono };
}

export const TINY_RUN = { preset: 'tiny', loss: 'wave-l1', batch: 2, segment: 4096, steps: 2, valEvery: 1 } as const;

export async function makeRun(
  outDir: string,
  opts: { clips?: Clip[]; config?: Partial<TrainConfig>; exactDir?: boolean; events?: TrainEvent[]; poll?: () => ControlMessage | null } = {},
): Promise<TrainResult> {
  const clips = opts.clips ?? [await musicClip()];
  const config: TrainConfig = { ...resolveConfig(TINY_RUN), ...opts.config };
  return runTraining(clips, config, {
    outDir,
    exactDir: opts.exactDir,
    clipNames: clips.map((c) => c.name),
    emit: (e) => opts.events?.push(e),
    poll: opts.poll ?? (() => null),
    wait: () => 'resume',
  });
}
