// spectralView through both doors: the desktop shell's IPC (a fake ipcMain; structured clone keeps the
// Float32Arrays) and the web host's POST /api/view (binary float frames). Both give the same view,
// its arguments are checked with typed codes, and a 10 s clip's answer is measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { createDispatch, type CallResult } from '../../src/api/dispatch.js';
import type { SpectralView } from '../../src/api/contract.js';
import { startWebHost, type WebHost } from '../../src/web/host.js';
import { statusOf } from '../../src/web/status.js';
import { encodeWav } from '../../src/audio/wav-write.js';
import { decodeFloatFrames } from '../../src/common/float-frames.js';
import { appWindowSenderCheck, registerLabIpc } from '../../electron/ipc.js';
import { FakeIpcMain, fakeEvent, WINDOW_CONTENTS_ID } from '../electron/fakes.js';
import { LabClient } from '../web/client.js';
import { rng, tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let service: LabService;
let host: WebHost;
let ipc: FakeIpcMain;
let clipId: string;
let shortId: string;

/** A WAV of `seconds` at 24 kHz: a tone rising through the octaves under soft noise. */
function testWav(seconds: number): ArrayBuffer {
  const n = Math.round(seconds * 24000);
  const r = rng(3);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * 110 * 2 ** ((6 * i) / n)) / 24000;
    x[i] = 0.4 * Math.sin(phase) + 0.02 * (r() - 0.5);
  }
  const bytes = encodeWav([x], 24000, 'pcm_s16');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** POST /api/view: the decoded view, or the error, with the byte count of the answer. */
async function viaHttp(args: unknown[]): Promise<CallResult<SpectralView> & { bytes: number }> {
  const res = await fetch(`http://127.0.0.1:${host.port}/api/view`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Codec-Lab-Token': host.token },
    body: JSON.stringify({ args }),
  });
  const body = await res.arrayBuffer();
  if (res.status === 200) {
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    return { ok: true, value: decodeFloatFrames<SpectralView>(body), bytes: body.byteLength };
  }
  const { error } = JSON.parse(Buffer.from(body).toString('utf8'));
  expect(res.status, JSON.stringify(error)).toBe(statusOf(error.code));
  return { ok: false, error, bytes: body.byteLength };
}

const viaIpc = (args: unknown[]) => ipc.invoke('lab:spectralView', fakeEvent(), ...args) as Promise<CallResult<SpectralView>>;

beforeAll(async () => {
  tmp = tempDir('codec-lab-views-');
  service = new LabService({ runsDir: path.join(tmp.dir, 'runs'), withBundledClip: false });
  clipId = (await service.addFileData('ten-seconds.wav', testWav(10))).id;
  shortId = (await service.addFileData('ten-ms.wav', testWav(0.01))).id;
  ipc = new FakeIpcMain();
  registerLabIpc(ipc, createDispatch(service, { dialogs: { chooseWavFiles: async () => [], chooseSavePath: async () => null } }), appWindowSenderCheck(() => ({ id: WINDOW_CONTENTS_ID, isDestroyed: () => false })));
  host = await startWebHost({ port: 0, service, staticDir: path.join(tmp.dir, 'no-site') });
});

afterAll(async () => {
  await host?.close();
  await service?.shutdown();
  tmp?.cleanup();
});

describe('spectralView', () => {
  it('views a clip against its model input: the same audio, so the difference is 0 dB everywhere; both doors agree', async () => {
    const clip = { kind: 'clip', clipId };
    const input = { kind: 'model-input', clipId };
    for (const space of ['mel-db', 'stft-db'] as const) {
      const args = [clip, input, space, { maxColumns: 600 }];
      const ipcAnswer = await viaIpc(args);
      const httpAnswer = await viaHttp(args);
      if (!ipcAnswer.ok || !httpAnswer.ok) throw new Error(JSON.stringify([ipcAnswer, httpAnswer]));
      const v = ipcAnswer.value;
      expect(v.a).toBeInstanceOf(Float32Array);
      expect(v).toMatchObject({ space, unit: 'dB', rows: space === 'mel-db' ? 64 : 513, columns: 600, frames: 1 + Math.floor(240000 / 256) });
      expect(v.lengths).toEqual({ a: 240000, b: 240000, viewed: 240000 });
      expect(v.a.length).toBe(600 * v.rows);
      expect(v.diff.every((d) => d === 0)).toBe(true);
      // The clip is audible: its loudest cell is well above the floor of -100 dB.
      expect(v.a.reduce((m, x) => Math.max(m, x), -Infinity)).toBeGreaterThan(0);
      const h = httpAnswer.value;
      expect(h.a).toBeInstanceOf(Float32Array);
      const bytesOf = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
      expect({ ...h, a: 0, b: 0, diff: 0 }).toEqual({ ...v, a: 0, b: 0, diff: 0 });
      for (const k of ['a', 'b', 'diff'] as const) expect(bytesOf(h[k]).equals(bytesOf(v[k]))).toBe(true);
      // Binary: the floats take 4 bytes each, and the rest (axes, settings) a few kB.
      const floats = 3 * 600 * v.rows;
      expect(httpAnswer.bytes - 4 * floats).toBeLessThan(space === 'mel-db' ? 4000 : 16_000);
      console.log(`[views] 10 s clip, ${space}, 600 columns: ${(httpAnswer.bytes / 1024).toFixed(0)} KiB over HTTP (${(4 * floats / 1024).toFixed(0)} KiB of float32)`);
    }
  });

  it('answers the default number of columns when none is asked for (2048, or one per frame when fewer)', async () => {
    const r = await viaIpc([{ kind: 'clip', clipId }, { kind: 'clip', clipId }, 'stft-db']);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.columns).toBe(938);
    expect(r.value.columnReduction).toBe('none: one column per frame');
    const http = await viaHttp([{ kind: 'clip', clipId }, { kind: 'clip', clipId }, 'stft-db']);
    console.log(`[views] 10 s clip, stft-db, full resolution (938 x 513): ${(http.bytes / 2 ** 20).toFixed(2)} MiB over HTTP`);
  });

  const REF = { kind: 'clip', clipId: 'x' };
  const refused: [string, () => unknown[], string, RegExp][] = [
    ['an unknown space', () => [{ kind: 'clip', clipId }, { kind: 'clip', clipId }, 'wave'], 'BAD_REQUEST', /spectralView: argument 3 must be one of stft-db, mel-db/],
    ['a space that is no string', () => [REF, REF, 7], 'BAD_REQUEST', /argument 3 must be one of stft-db, mel-db/],
    ['a path for a reference', () => [{ kind: 'file', path: '/etc/passwd' }, REF, 'mel-db'], 'BAD_REQUEST', /argument 1\.kind must be one of clip, run, reconstruction, model-input/],
    ['a reference with an extra key', () => [REF, { kind: 'clip', clipId, path: '/etc/passwd' }, 'mel-db'], 'BAD_REQUEST', /argument 2 has an unknown key 'path'/],
    ['a run file outside the run', () => [{ kind: 'run', runId: 'r', file: '../../secret' }, REF, 'mel-db'], 'BAD_REQUEST', /argument 1\.file must be one of test_original/],
    ['no B', () => [{ kind: 'clip', clipId }], 'BAD_REQUEST', /argument 2 must be an audio reference object, not nothing/],
    ['0 columns', () => [REF, REF, 'mel-db', { maxColumns: 0 }], 'BAD_REQUEST', /argument 4\.maxColumns must be a whole number from 1 to 8192, not 0/],
    ['a fraction of a column', () => [REF, REF, 'mel-db', { maxColumns: 1.5 }], 'BAD_REQUEST', /maxColumns must be a whole number/],
    ['an unknown option', () => [REF, REF, 'mel-db', { columns: 10 }], 'BAD_REQUEST', /argument 4 has an unknown key 'columns'/],
    ['five arguments', () => [REF, REF, 'mel-db', {}, 1], 'BAD_REQUEST', /spectralView takes 4 arguments, not 5/],
    ['a clip not in the library', () => [{ kind: 'clip', clipId: 'clip-nope' }, { kind: 'clip', clipId }, 'mel-db'], 'NOT_FOUND', /no clip clip-nope in the library/],
    ['a run that does not exist', () => [{ kind: 'reconstruction', runId: 'no-run', clipId }, { kind: 'clip', clipId }, 'stft-db'], 'NOT_FOUND', /no run no-run/],
    ['a clip shorter than one STFT frame', () => [{ kind: 'clip', clipId: shortId }, { kind: 'clip', clipId: shortId }, 'stft-db'], 'NOT_ENOUGH_AUDIO', /a view needs more than 512 samples/],
  ];
  for (const [door, call] of [['IPC', viaIpc], ['HTTP', viaHttp]] as const) {
    it.each(refused)(`${door}: refuses %s`, async (_what, args, code, message) => {
      const r = await call(args());
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
    });
  }

  it('is not a JSON call on the web host: /api/call/spectralView points to its own route', async () => {
    const { status, body } = await new LabClient(host.port, host.token).call('spectralView', [REF, REF, 'mel-db']);
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: 'BAD_REQUEST', message: 'spectralView moves bytes; use POST /api/view' });
  });
});
