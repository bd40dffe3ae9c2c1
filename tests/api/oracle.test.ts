// The oracle as the app serves it (AudioRef kind 'oracle'): Griffin-Lim from a library clip's (or a
// run's held-out original's) own magnitude, heard, viewed and exported like a reconstruction; and
// the refusals of bad oracle references, with their codes, through the dispatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { createDispatch } from '../../src/api/dispatch.js';
import type { AudioRef, LibraryEntry } from '../../src/api/contract.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { writeWav } from '../../src/audio/wav-write.js';
import { KernelCore } from '../../src/kernels/core.js';
import { yardstick, type Yardstick } from '../../src/eval/yardstick.js';
import { GL_ITERS } from '../../src/nn/presets.js';
import { MUSIC_DIR, tempDir } from '../helpers.js';

const core = KernelCore.create();
/** The losses' block for scoring, as the cross-evaluation uses. */
const BLOCK = 8192;
let tmp: ReturnType<typeof tempDir>;
let lab: LabService;
/** The piano excerpt: 4 s at 44.1 kHz stereo, 96000 samples at 24 kHz, so the oracle runs in two chunks. */
let piano: Extract<LibraryEntry, { ok: true }>;
let original: Float32Array;
const RUN_ID = 'held-out-run';

const samples = (wav: ArrayBuffer) => decodeWav(new Uint8Array(wav));
const mono = async (ref: AudioRef) => samples(await lab.audio(ref)).samples[0];
const oracleOf = (space: 'stft' | 'mel', of: Extract<AudioRef, { kind: 'oracle' }>['of'] = { clipId: piano.id }): AudioRef => ({ kind: 'oracle', of, space, glIters: 32 });
const score = (est: Float32Array): Yardstick => yardstick(core, [original], [est], BLOCK);

beforeAll(async () => {
  tmp = tempDir('codec lab oracle ');
  lab = new LabService({ runsDir: tmp.dir, withBundledClip: false });
  const [entry] = await lab.addFiles([path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')]);
  if (!entry.ok) throw new Error(entry.error.message);
  piano = entry;
  original = await mono({ kind: 'model-input', clipId: piano.id });
  // A run folder as a run leaves it, with only what an oracle of its audio reads: config.json (what
  // makes a folder a run) and its held-out original.
  const runDir = path.join(tmp.dir, RUN_ID);
  mkdirSync(runDir);
  writeFileSync(path.join(runDir, 'config.json'), '{}');
  await writeWav(path.join(runDir, 'test_original.wav'), [original.slice(0, 24000)], 24000, 'float32');
}, 60_000);

afterAll(async () => {
  await lab.shutdown();
  tmp.cleanup();
});

describe('the oracle of a library clip', () => {
  it("has the clip's model-rate length; its magnitude comes back close, its waveform does not (the phase differs)", async () => {
    const wav = samples(await lab.audio(oracleOf('stft')));
    expect(wav.sampleRate).toBe(24000);
    const oracle = wav.samples[0];
    expect(oracle.length).toBe(original.length);
    expect(original.length).toBe(96000);
    const s = score(oracle);
    // Measured (32 iterations, two chunks crossfaded): stft-db-l1 1.84 dB (1.75 in one piece),
    // mel-db-l1 0.56 dB, SNR -2.1 dB (as far from the waveform as an unrelated signal of its level).
    expect(s.losses!['stft-db-l1']).toBeLessThan(2.5);
    expect(s.losses!['mel-db-l1']).toBeLessThan(1);
    expect(s.snrDb).toBeLessThan(3);
  }, 60_000);

  it('comes closer with more iterations, and the same reference gives the same audio', async () => {
    const once = score(await mono({ ...oracleOf('stft'), glIters: GL_ITERS.min } as AudioRef));
    const again = await mono(oracleOf('stft'));
    // Measured: 6.0 dB after one iteration (7.6 from the random initial phase), 1.84 after 32.
    expect(score(again).losses!['stft-db-l1']).toBeLessThan(once.losses!['stft-db-l1'] - 2);
    expect(again).toEqual(await mono(oracleOf('stft')));
  }, 60_000);

  it('from the mel spectrogram is further from the STFT magnitude than from the STFT magnitude itself, but close in mel', async () => {
    const stft = score(await mono(oracleOf('stft')));
    const mel = score(await mono(oracleOf('mel')));
    // Measured: stft-db-l1 6.04 dB (1.84 from the STFT magnitude); mel-db-l1 0.86 dB (0.56).
    expect(mel.losses!['stft-db-l1']).toBeGreaterThan(stft.losses!['stft-db-l1'] + 2);
    expect(mel.losses!['mel-db-l1']).toBeLessThan(1.5);
  }, 60_000);

  it('is viewed like a reconstruction: a small STFT-dB difference to the original', async () => {
    const view = await lab.spectralView({ kind: 'model-input', clipId: piano.id }, oracleOf('stft'), 'stft-db', { maxColumns: 8192 });
    expect(view.lengths).toEqual({ a: 96000, b: 96000, viewed: 96000 });
    expect(view.rows).toBe(513);
    expect(view.framesPerColumn).toBe(1);
    const meanAbsDiff = view.diff.reduce((sum, v) => sum + Math.abs(v), 0) / view.diff.length;
    // Measured: 1.27 dB over the whole signal's frames (the 8192-sample blocks of the score above
    // give 1.84: each block is cut and padded on its own, so its edges differ more).
    expect(meanAbsDiff).toBeGreaterThan(0.5);
    expect(meanAbsDiff).toBeLessThan(2);
  }, 60_000);

  it("is exported like a reconstruction: at 24 kHz, or at the clip's own rate and length", async () => {
    const out = path.join(tmp.dir, 'piano oracle.wav');
    const r = await lab.exportAudio(oracleOf('mel'), out, { sampleFormat: 'pcm16', rate: 'source' });
    const file = decodeWav(new Uint8Array(readFileSync(r.path)));
    expect(file).toMatchObject({ sampleRate: 44100, frames: piano.frames, format: 'pcm_s16', channels: 1 });
    const plain = await lab.exportAudio(oracleOf('stft'), path.join(tmp.dir, 'plain.wav'));
    expect(decodeWav(new Uint8Array(readFileSync(plain.path)))).toMatchObject({ sampleRate: 24000, frames: 96000, format: 'float32' });
  }, 60_000);
});

describe("the oracle of a run's held-out original", () => {
  it('is its own length at 24 kHz, and has no source rate to export at', async () => {
    const ref = oracleOf('stft', { runId: RUN_ID, file: 'test_original' });
    expect((await mono(ref)).length).toBe(24000);
    await expect(lab.exportAudio(ref, path.join(tmp.dir, 'split.wav'), { sampleFormat: 'float32', rate: 'source' })).rejects.toMatchObject({ code: 'NO_SOURCE_RATE' });
    await expect(lab.audio(oracleOf('stft', { runId: RUN_ID, file: 'val_original' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);
});

describe('bad oracle references are refused through the dispatch, each with its code', () => {
  const good = () => oracleOf('stft') as Record<string, unknown>;
  const cases: [string, () => unknown, string, RegExp][] = [
    ['an unknown space', () => ({ ...good(), space: 'wave' }), 'BAD_REQUEST', /argument 1\.space must be one of stft, mel$/],
    ['iterations out of range', () => ({ ...good(), glIters: GL_ITERS.max + 1 }), 'BAD_REQUEST', /argument 1\.glIters must be a whole number from 1 to 500/],
    ['fractional iterations', () => ({ ...good(), glIters: 2.5 }), 'BAD_REQUEST', /glIters must be a whole number/],
    ['no iterations given', () => ({ kind: 'oracle', of: { clipId: piano.id }, space: 'stft' }), 'BAD_REQUEST', /needs 'glIters'/],
    ['an extra key', () => ({ ...good(), weights: 'x' }), 'BAD_REQUEST', /unknown key 'weights'/],
    ['a clip and a run at once', () => ({ ...good(), of: { clipId: piano.id, runId: RUN_ID } }), 'BAD_REQUEST', /argument 1\.of has an unknown key 'runId'/],
    ['a reconstruction as the original', () => ({ ...good(), of: { runId: RUN_ID, file: 'test_reconstruction' } }), 'BAD_REQUEST', /argument 1\.of\.file must be one of test_original, val_original$/],
    ['a bad run id', () => ({ ...good(), of: { runId: '..', file: 'test_original' } }), 'BAD_REQUEST', /argument 1\.of\.runId must be an id/],
    ['an original of neither kind', () => ({ ...good(), of: 'piano' }), 'BAD_REQUEST', /argument 1\.of must be \{ clipId \} or \{ runId, file/],
    ['a clip not in the library', () => ({ ...good(), of: { clipId: 'no-such-clip' } }), 'NOT_FOUND', /no clip no-such-clip/],
    ['a run that does not exist', () => ({ ...good(), of: { runId: 'no-such-run', file: 'test_original' } }), 'NOT_FOUND', /no run no-such-run/],
  ];
  for (const [what, ref, code, message] of cases) {
    it(what, async () => {
      const dispatch = createDispatch(lab, { runsDir: tmp.dir });
      for (const method of ['audio', 'spectralView', 'exportAudio'] as const) {
        const args = method === 'audio' ? [ref()] : method === 'spectralView' ? [ref(), { kind: 'model-input', clipId: piano.id }, 'stft-db'] : [ref(), path.join(tmp.dir, 'x.wav')];
        const r = await dispatch.call(method, args);
        expect(r, `${method}: ${JSON.stringify(r)}`).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
      }
    });
  }

  it('the service refuses them itself too, for a caller not behind the dispatch', async () => {
    await expect(lab.audio({ ...good(), glIters: 0 } as unknown as AudioRef)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/glIters must be a whole number from 1 to 500/) });
    await expect(lab.audio({ ...good(), space: 'wave' } as unknown as AudioRef)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(lab.audio({ ...good(), of: null } as unknown as AudioRef)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
