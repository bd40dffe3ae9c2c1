// What the end-to-end tests share: the built web host they start, and the Chromium they drive.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HOST = path.join(REPO, 'dist', 'web', 'main.js');
export const PAGE = path.join(REPO, 'dist', 'renderer', 'index.html');

/** Start the web host and read its one stdout line, `Codec Lab: http://127.0.0.1:PORT/?token=TOKEN`. */
export function startHost(runsDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [HOST, '--port', '0', '--runs', runsDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`web host did not print its URL in 20 s; stderr: ${err}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Codec Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${code}; stderr: ${err}`));
    });
  });
}

/** Stop a host started by startHost: SIGTERM (it stops its trainings, which save their weights), then wait up to 15 s for it to exit. */
export async function stopHost(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
}
