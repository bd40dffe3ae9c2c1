// The web host as a browser and a hostile page see it: real HTTP against a real host on 127.0.0.1,
// a real LabService on a temporary runs folder. What matters most is what a request *without* the
// token cannot do, so several tests check the library and the runs folder after a refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startWebHost, type WebHost } from '../../src/web/host.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import type { LabEvent, LibraryEntry } from '../../src/api/contract.js';
import { EDGE_DIR, REPO, tempDir } from '../helpers.js';
import { LabClient, raw } from './client.js';

const GOOD_WAV = new Uint8Array(readFileSync(path.join(EDGE_DIR, 'ok_s16_mono_11025.wav')));
const BAD_WAV = new Uint8Array(readFileSync(path.join(EDGE_DIR, 'bad_truncated_data.wav')));
const WRONG_TOKEN = 'f'.repeat(64);

let tmp: ReturnType<typeof tempDir>;
let runsDir: string;
let staticDir: string;
let host: WebHost;
let lab: LabClient;

beforeAll(async () => {
  tmp = tempDir('codec-lab-web-');
  runsDir = path.join(tmp.dir, 'runs');
  // A stand-in for the built renderer, with secrets beside it that no URL may reach.
  const site = path.join(tmp.dir, 'site');
  staticDir = path.join(site, 'static');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>lab page</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(path.join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(staticDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(staticDir, 'assets', 'kernels.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(path.join(staticDir, 'assets', 'font.woff2'), 'wOF2');
  writeFileSync(path.join(staticDir, '.env'), 'SECRET=hidden-file');
  writeFileSync(path.join(site, 'secret.txt'), 'SECRET=outside-the-folder');
  writeFileSync(path.join(site, 'package.json'), '{"name":"SECRET-package"}');
  symlinkSync(path.join(site, 'secret.txt'), path.join(staticDir, 'assets', 'leak.txt'));
  symlinkSync(site, path.join(staticDir, 'up'));
  host = await startWebHost({ port: 0, runsDir, staticDir, pingMs: 300 });
  lab = new LabClient(host.port, host.token);
});

afterAll(async () => {
  await host?.close();
  tmp?.cleanup();
});

const auth = () => ({ 'X-Codec-Lab-Token': host.token });
const library = () => lab.result<LibraryEntry[]>('listLibrary');
const runFolders = () => (existsSync(runsDir) ? readdirSync(runsDir) : []);

describe('the web host process (npm run web)', () => {
  it('prints exactly one line with the URL, serves it, and on SIGTERM saves a running training and exits 0', async () => {
    const main = path.join(REPO, 'dist', 'web', 'main.js');
    expect(existsSync(main), `${main} is missing: run \`npm run build\` first`).toBe(true);
    const procRuns = path.join(tmp.dir, 'proc-runs');
    const child = spawn(process.execPath, [main, '--port', '0', '--runs', procRuns], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let runId_ = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const m = /^Codec Lab: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})\n$/.exec(stdout);
      expect(m, `stdout: ${JSON.stringify(stdout)}; stderr: ${stderr}`).not.toBeNull();
      const port = Number(m![1]);
      expect(port).toBeGreaterThan(0);
      const proc = new LabClient(port, m![2]);
      const lib = await proc.result<LibraryEntry[]>('listLibrary');
      expect(lib[0]).toMatchObject({ ok: true, bundled: true });
      expect((await new LabClient(port, WRONG_TOKEN).call('listLibrary')).status).toBe(401);
      // A run that is training when the signal comes must stop and keep its weights.
      const events = await proc.events();
      const { runId } = await proc.result<{ runId: string }>('startTraining', [lib[0].id], { preset: 'tiny', steps: 100_000, batch: 2, valEvery: 100_000 });
      await events.until(() => events.events.some((e) => e.type === 'train' && e.event.type === 'progress'), 20_000, 'training to start');
      runId_ = runId;
      // The event stream is still open when the signal comes: shutting down must not wait for the browser to leave.
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stdout.split('\n')).toHaveLength(2); // one line and its newline, nothing after
    expect(existsSync(path.join(procRuns, runId_, 'last.weights')), readdirSync(path.join(procRuns, runId_)).join(', ')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(procRuns, runId_, 'metrics.json'), 'utf8'))).toMatchObject({ status: 'stopped' });
  });

  it('refuses a bad --port with exit 2 and prints nothing on stdout', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'web', 'main.js'), '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });
});

describe('where the host listens', () => {
  it('is bound to 127.0.0.1 only and refuses to be bound elsewhere', async () => {
    expect(host.server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: host.port });
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    await expect(startWebHost({ port: 0, runsDir, host: '0.0.0.0' })).rejects.toThrow(/only on 127\.0\.0\.1/);
    await expect(startWebHost({ port: 0, runsDir, host: '::' })).rejects.toThrow(/only on 127\.0\.0\.1/);
  });

  it('cannot be reached on a non-loopback address of this machine, nor on ::1', async (ctx) => {
    const refused = (address: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect({ host: address, port: host.port, timeout: 3000 });
        s.on('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('timeout', () => {
          s.destroy();
          resolve('timeout');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    const v6 = await refused('::1');
    expect(v6).not.toBe('connected');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (!external) {
      console.log('skipped the non-loopback check: this machine has no non-loopback IPv4 address');
      ctx.skip();
      return;
    }
    expect(await refused(external.address)).not.toBe('connected');
  });
});

describe('requests without the token', () => {
  it('get 401 with a JSON error on the API and the events', async () => {
    const cases: [string, string, Record<string, string>][] = [
      ['POST', '/api/call/listLibrary', {}],
      ['POST', '/api/call/listLibrary', { 'X-Codec-Lab-Token': WRONG_TOKEN }],
      ['POST', '/api/call/listLibrary', { 'X-Codec-Lab-Token': host.token.slice(0, 63) }],
      // The right token, but not in the header: a cookie, or the query of a call, is no way in.
      ['POST', '/api/call/listLibrary', { Cookie: `codec_lab_token=${host.token}` }],
      ['POST', `/api/call/listLibrary?token=${host.token}`, {}],
      ['POST', `/api/upload?name=x.wav&token=${host.token}`, {}],
      ['POST', `/api/audio?token=${host.token}`, {}],
      ['POST', '/api/call/nonexistent', {}],
      ['POST', '/api/audio', {}],
      ['GET', '/api/events', {}],
      ['GET', `/api/events?token=${WRONG_TOKEN}`, {}],
      ['GET', '/api/events', { Cookie: `codec_lab_token=${host.token}` }],
      ['GET', '/api/nothing', {}],
    ];
    for (const [method, p, headers] of cases) {
      const r = await raw({ port: host.port, method, path: p, headers, body: method === 'POST' ? '{"args":[]}' : undefined });
      expect(r.status, `${method} ${p}`).toBe(401);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.json().error.code).toBe('UNAUTHORIZED');
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.text()).not.toContain('lab page');
    }
  });

  it('get the page and its assets, the public build output, but still only through this loopback host', async () => {
    for (const p of ['/', `/?token=${WRONG_TOKEN}`, '/index.html', '/assets/app.js']) {
      const r = await raw({ port: host.port, path: p });
      expect(r.status, p).toBe(200);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    expect((await raw({ port: host.port, path: '/no-such-file' })).status).toBe(404);
    expect((await raw({ port: host.port, path: '/', headers: { Host: `evil.example:${host.port}` } })).status).toBe(421);
    expect((await raw({ port: host.port, path: '/assets/app.js', headers: { Origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('cannot add to the library: an upload with no or a wrong token adds nothing', async () => {
    const before = (await library()).length;
    expect((await lab.upload('sneaky.wav', GOOD_WAV, WRONG_TOKEN)).status).toBe(401);
    const noToken = await raw({ port: host.port, method: 'POST', path: '/api/upload?name=sneaky.wav', body: GOOD_WAV });
    expect(noToken.status).toBe(401);
    const lib = await library();
    expect(lib).toHaveLength(before);
    expect(lib.some((e) => e.name === 'sneaky.wav')).toBe(false);
  });

  it('cannot train: an unauthorised startTraining creates no run folder', async () => {
    const clip = (await library())[0];
    const r = await raw({
      port: host.port, method: 'POST', path: '/api/call/startTraining', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args: [[clip.id], { preset: 'tiny', steps: 4, batch: 2 }] }),
    });
    expect(r.status).toBe(401);
    await new Promise((res) => setTimeout(res, 200));
    expect(runFolders()).toEqual([]);
    expect(await lab.result('listRuns')).toEqual([]);
  });
});

describe('DNS rebinding and cross-origin defences', () => {
  it('refuses a Host header that is not this loopback port, even with the token', async () => {
    for (const h of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, '127.0.0.1', `[::1]:${host.port}`, `0.0.0.0:${host.port}`]) {
      const r = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: { ...auth(), Host: h }, body: '{}' });
      expect(r.status, h).toBe(421);
      expect(r.json().error.code).toBe('BAD_HOST');
    }
    for (const h of [`127.0.0.1:${host.port}`, `localhost:${host.port}`, `LOCALHOST:${host.port}`]) {
      const r = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: { ...auth(), Host: h }, body: '{}' });
      expect(r.status, h).toBe(200);
    }
  });

  it('refuses a POST from another origin (another site or another localhost port) and does nothing', async () => {
    const clip = (await library())[0];
    const start = JSON.stringify({ args: [[clip.id], { preset: 'tiny', steps: 4, batch: 2 }] });
    for (const origin of ['http://evil.example', `http://127.0.0.1:${host.port + 1}`, `https://127.0.0.1:${host.port}`, 'null']) {
      const r = await raw({ port: host.port, method: 'POST', path: '/api/call/startTraining', headers: { ...auth(), Origin: origin }, body: start });
      expect(r.status, origin).toBe(403);
      expect(r.json().error.code).toBe('BAD_ORIGIN');
    }
    const site = await raw({ port: host.port, method: 'POST', path: '/api/call/startTraining', headers: { ...auth(), 'Sec-Fetch-Site': 'same-site' }, body: start });
    expect(site.status).toBe(403);
    expect(runFolders()).toEqual([]);
    for (const origin of [`http://127.0.0.1:${host.port}`, `http://localhost:${host.port}`]) {
      const r = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: { ...auth(), Origin: origin, 'Sec-Fetch-Site': 'same-origin' }, body: '{}' });
      expect(r.status, origin).toBe(200);
    }
  });
});

describe('static files', () => {
  it('serves the page and its assets with the right types and security headers', async () => {
    const page = await raw({ port: host.port, path: '/', headers: auth() });
    expect(page.status).toBe(200);
    expect(page.text()).toContain('lab page');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    // The page compiles no WebAssembly and starts no worker: the engine computes everything.
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-eval/);
    expect(page.headers['content-security-policy']).toContain("worker-src 'none'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const types: Record<string, RegExp> = {
      '/index.html': /^text\/html/,
      '/assets/app.js': /^text\/javascript/,
      '/assets/app.css': /^text\/css/,
      '/assets/logo.svg': /^image\/svg\+xml$/,
      '/assets/kernels.wasm': /^application\/wasm$/,
      '/assets/font.woff2': /^font\/woff2$/,
    };
    for (const [p, type] of Object.entries(types)) {
      const r = await raw({ port: host.port, path: p, headers: auth() });
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type'], p).toMatch(type);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    const head = await raw({ port: host.port, method: 'HEAD', path: '/assets/app.js', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await raw({ port: host.port, method: 'DELETE', path: '/assets/app.js', headers: auth() })).status).toBe(405);
  });

  it('answers 404 to every path that tries to leave the folder, without leaking a byte', async () => {
    const attempts = [
      '/../package.json', '/%2e%2e/package.json', '/%2E%2E/secret.txt', '/../secret.txt', '/assets/../../secret.txt',
      '/..%2fpackage.json', '/%2e%2e%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt', '/..\\secret.txt', '/assets/leak.txt', '/up/secret.txt', '/up/package.json', '/.env', '/assets/%00',
      '/%', '/assets/%zz', `/${'../'.repeat(20)}etc/passwd`, '/assets', '/assets/',
    ];
    for (const p of attempts) {
      const r = await raw({ port: host.port, path: p, headers: auth() });
      expect(r.status, p).toBe(404);
      expect(r.text(), p).not.toMatch(/SECRET|root:/);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    // The host is still answering after all that.
    expect((await raw({ port: host.port, path: '/assets/app.js', headers: auth() })).status).toBe(200);
  });

  it('says the renderer is not built when its folder has no index.html', async () => {
    const bare = await startWebHost({ port: 0, runsDir, staticDir: path.join(tmp.dir, 'no-such-folder'), withBundledClip: false });
    try {
      const r = await raw({ port: bare.port, path: `/?token=${bare.token}` });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.text()).toContain('npm run build');
      expect((await raw({ port: bare.port, path: `/app.js?token=${bare.token}` })).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe('the token: a header, never a cookie', () => {
  it('sets no cookie on any answer, the printed URL included, so no other port of 127.0.0.1 can be sent one', async () => {
    const answers = [
      await raw({ port: host.port, path: `/?token=${host.token}` }),
      await raw({ port: host.port, path: `/index.html?token=${host.token}` }),
      await raw({ port: host.port, path: '/assets/app.js' }),
      await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: auth(), body: '{}' }),
      await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', body: '{}' }),
      await raw({ port: host.port, method: 'POST', path: '/api/call/runLog', headers: auth(), body: '{"args":["no-such-run"]}' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 401, 404]);
    for (const r of answers) expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('takes the token in the query on the event stream only, which EventSource cannot give a header', async () => {
    const ac = new AbortController();
    const res = await fetch(`${lab.origin}/api/events?token=${host.token}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('set-cookie')).toBeNull();
    ac.abort();
    await res.body?.cancel().catch(() => undefined);
  });
});

describe('API calls', () => {
  it('lists the library with the bundled clip', async () => {
    const lib = await library();
    expect(lib[0]).toMatchObject({ ok: true, bundled: true, sampleRate: 44100, channels: 2 });
    const opts = await lab.result('trainOptions');
    expect(opts.presets.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['tiny', 'small']));
  });

  it('refuses path-taking calls with 403 NOT_AVAILABLE and byte calls with 400, and never calls them', async () => {
    const before = (await library()).length;
    const addFiles = await lab.call('addFiles', [[path.join(EDGE_DIR, 'ok_s16_mono_11025.wav')]]);
    expect(addFiles.status).toBe(403);
    expect(addFiles.body.error.code).toBe('NOT_AVAILABLE');
    const target = path.join(tmp.dir, 'exported.wav');
    const exportAudio = await lab.call('exportAudio', [{ kind: 'clip', clipId: (await library())[0].id }, target]);
    expect(exportAudio.status).toBe(403);
    expect(exportAudio.body.error.code).toBe('NOT_AVAILABLE');
    expect(existsSync(target)).toBe(false);
    expect((await library()).length).toBe(before);
    for (const m of ['addFileData', 'audio']) {
      const r = await lab.call(m, []);
      expect(r.status, m).toBe(400);
      expect(r.body.error.code).toBe('BAD_REQUEST');
    }
  });

  it('answers unknown methods 404, including what the service has but the contract does not offer', async () => {
    for (const m of ['nope', 'shutdown', 'waitForRun', 'subscribe', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'emit', '%E0%A4%A']) {
      const r = await lab.call(m);
      expect(r.status, m).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    expect((await raw({ port: host.port, path: '/api/call/listLibrary', headers: auth() })).status).toBe(405);
    expect((await raw({ port: host.port, path: '/api/nothing', headers: auth() })).status).toBe(404);
    // The host survived a call to shutdown that was refused.
    expect((await library()).length).toBeGreaterThan(0);
  });

  it('maps the service errors to statuses and refuses malformed bodies', async () => {
    const cases: [string, unknown[], number, string][] = [
      ['removeClip', ['clip-nope'], 404, 'NOT_FOUND'],
      ['removeClip', [42], 400, 'BAD_REQUEST'],
      ['pauseTraining', ['no-such-run'], 409, 'NOT_RUNNING'],
      ['runLog', ['no-such-run'], 404, 'NOT_FOUND'],
      ['runLog', ['..'], 400, 'BAD_REQUEST'],
      ['runLog', ['../runs'], 400, 'BAD_REQUEST'],
      ['startTraining', [[(await library())[0].id], { loss: 'wave-l9' }], 400, 'BAD_CONFIG'],
      ['crossEvaluate', [['no-such-run']], 404, 'NOT_FOUND'],
    ];
    for (const [m, args, status, code] of cases) {
      const r = await lab.call(m, args);
      expect(r.status, `${m}(${JSON.stringify(args)})`).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(typeof r.body.error.message).toBe('string');
    }
    const bodies: [string, number][] = [['not json', 400], ['[1,2]', 400], ['{"args": 5}', 400], ['null', 400], ['', 200], ['{}', 200]];
    for (const [body, status] of bodies) {
      const r = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: auth(), body });
      expect(r.status, JSON.stringify(body)).toBe(status);
    }
    // undefined results come back as null
    const lib = await library();
    const up = await lab.upload('to-remove.wav', GOOD_WAV);
    expect(await lab.call('removeClip', [up.body.result.id])).toEqual({ status: 200, body: { result: null } });
    expect((await library()).length).toBe(lib.length);
  });

  it('uploads a good WAV and a broken one, each judged on its own', async () => {
    const good = await lab.upload('ok s16 mono.wav', GOOD_WAV);
    expect(good.status).toBe(200);
    expect(good.body.result).toMatchObject({ ok: true, name: 'ok s16 mono.wav', sampleRate: 11025, channels: 1, bundled: false });
    const bad = await lab.upload('bad_truncated_data.wav', BAD_WAV);
    expect(bad.status).toBe(200);
    expect(bad.body.result).toMatchObject({ ok: false, name: 'bad_truncated_data.wav', error: { code: 'TRUNCATED_DATA' } });
    // A name with a path in it keeps only its last part.
    const sneaky = await lab.upload('../../etc/evil.wav', GOOD_WAV);
    expect(sneaky.body.result.name).toBe('evil.wav');
    const lib = await library();
    expect(lib.map((e) => e.id)).toEqual(expect.arrayContaining([good.body.result.id, bad.body.result.id]));
    // The uploaded clip's bytes come back unchanged.
    const wav = await fetch(`${lab.origin}/api/audio`, { method: 'POST', headers: auth(), body: JSON.stringify({ ref: { kind: 'clip', clipId: good.body.result.id } }) });
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await wav.arrayBuffer()).equals(Buffer.from(GOOD_WAV))).toBe(true);
    expect((await raw({ port: host.port, method: 'POST', path: '/api/upload', headers: auth(), body: GOOD_WAV })).status).toBe(400);
  });
});

describe('size limits', () => {
  it('answers 413 to a JSON body over 1 MB, declared or streamed, and stays up', async () => {
    const big = JSON.stringify({ args: ['x'.repeat(1024 * 1024)] });
    const declared = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: { ...auth(), 'Content-Type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.json().error.code).toBe('TOO_LARGE');
    const streamed = await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: auth(), chunks: { size: 64 * 1024, count: 40 } });
    expect(streamed.status).toBe(413);
    const justUnder = JSON.stringify({ args: [] }).padEnd(1024 * 1024 - 1, ' ');
    expect((await raw({ port: host.port, method: 'POST', path: '/api/call/listLibrary', headers: auth(), body: justUnder })).status).toBe(200);
  });

  it('answers 413 at once to an upload declared over 512 MiB, without reading it', async () => {
    // Only 1 KiB of the body is ever sent: an answer at all means the host did not wait for the rest.
    const r = await raw({ port: host.port, method: 'POST', path: '/api/upload?name=huge.wav', headers: { ...auth(), 'Content-Length': 512 * 1024 * 1024 + 1 }, chunks: { size: 1024, count: 1 } });
    expect(r.status).toBe(413);
    expect(r.headers.connection).toBe('close');
    expect((await library()).some((e) => e.name === 'huge.wav')).toBe(false);
  });

  it('stops a streamed upload as soon as it passes the limit and adds nothing', async () => {
    const small = await startWebHost({ port: 0, runsDir, staticDir, withBundledClip: false, uploadLimit: 256 * 1024 });
    try {
      const r = await raw({ port: small.port, method: 'POST', path: '/api/upload?name=stream.wav', headers: { 'X-Codec-Lab-Token': small.token }, chunks: { size: 64 * 1024, count: 10_000 } });
      expect(r.status).toBe(413);
      expect(await new LabClient(small.port, small.token).result('listLibrary')).toEqual([]);
      // An upload under the limit on the same host still works.
      expect((await new LabClient(small.port, small.token).upload('fine.wav', GOOD_WAV)).body.result.ok).toBe(true);
    } finally {
      await small.close();
    }
  });
});

describe('training over HTTP', () => {
  it('starts a tiny run, streams its progress and done events, and serves its reconstruction', async () => {
    const stream = await lab.events();
    try {
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      await stream.until(() => stream.comments.includes('connected'), 2000, 'the connected comment');
      const clip = (await library()).find((e) => e.ok && e.bundled)!;
      const { runId } = await lab.result<{ runId: string }>('startTraining', [clip.id], { preset: 'tiny', steps: 6, batch: 2, valEvery: 3 });
      const mine = (t: string) => (e: LabEvent) => e.type === 'train' && e.runId === runId && e.event.type === t;
      await stream.until(() => stream.events.some(mine('done')), 20_000, 'the done event');
      // The folder appears once training has really started (src/runs/run-dir.ts createRunDir).
      expect(runFolders()).toContain(runId);
      expect(stream.events.some(mine('progress'))).toBe(true);
      expect(stream.events.some(mine('validation'))).toBe(true);
      // The events name the run's folder as the user knows it, never by its path on this machine.
      expect(JSON.stringify(stream.events)).not.toContain(tmp.dir);
      expect(stream.events.find(mine('started'))).toMatchObject({ event: { runDir: `runs/${runId}` } });
      const done = stream.events.find(mine('done'))!;
      expect(done.type === 'train' && done.event.type === 'done' && done.event.result.steps).toBe(6);
      // Pings keep flowing (300 ms in this host).
      await stream.until(() => stream.comments.includes('ping'), 2000, 'a ping');

      const runs = await lab.result('listRuns');
      expect(runs.find((r: { id: string }) => r.id === runId)).toMatchObject({ steps: 6 });

      const res = await fetch(`${lab.origin}/api/audio`, { method: 'POST', headers: auth(), body: JSON.stringify({ ref: { kind: 'run', runId, file: 'test_reconstruction' } }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      const wav = decodeWav(bytes);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1 });
      expect(wav.frames).toBeGreaterThan(0);

      const missing = await fetch(`${lab.origin}/api/audio`, { method: 'POST', headers: auth(), body: JSON.stringify({ ref: { kind: 'run', runId: 'no-such-run', file: 'test_reconstruction' } }) });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      const escape = await fetch(`${lab.origin}/api/audio`, { method: 'POST', headers: auth(), body: JSON.stringify({ ref: { kind: 'run', runId: '..', file: 'test_original' } }) });
      expect(escape.status).toBe(400);
    } finally {
      await stream.close();
    }
    // Closing the stream unsubscribes it from the service.
    const listeners = (host.service as unknown as { listeners: Set<unknown> }).listeners;
    const deadline = Date.now() + 2000;
    while (listeners.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(listeners.size).toBe(0);
  });
});
