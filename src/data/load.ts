// Loading the audio a run trains on: every file read and prepared (mono, 24 kHz); a refused file is
// reported and the others still load.
import path from 'node:path';
import { readWav } from '../audio/wav-read.js';
import { prepareAudio } from '../audio/prepare.js';
import { describeError } from '../audio/errors.js';
import type { Clip } from './dataset.js';

export interface LoadedAudio {
  clips: (Clip & { file: string })[];
  refused: { file: string; error: { code: string; message: string } }[];
}

export async function loadClips(files: string[]): Promise<LoadedAudio> {
  const out: LoadedAudio = { clips: [], refused: [] };
  for (const file of files) {
    try {
      const prepared = await prepareAudio(await readWav(file));
      out.clips.push({ file, name: path.basename(file), audio: prepared.mono });
    } catch (e) {
      out.refused.push({ file, error: describeError(e) });
    }
  }
  return out;
}
