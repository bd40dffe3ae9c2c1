// Another process holding a runs folder's queue lock, as the app or `codec-lab sweep` would: a
// Node child that takes the lock through the built module (tests/global-setup.ts keeps dist/ up to
// date) and keeps it until told to end.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LockHolder {
  pid: number;
  /** Release the lock and wait for the process to exit. */
  end(): Promise<void>;
}

export async function holdQueueLock(runsDir: string, what: string): Promise<LockHolder> {
  const built = pathToFileURL(path.resolve('dist/runs/queue-lock.js')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import { mkdirSync } from 'node:fs';
    const { acquireQueueLock } = await import(${JSON.stringify(built)});
    mkdirSync(${JSON.stringify(runsDir)}, { recursive: true });
    const lock = acquireQueueLock(${JSON.stringify(runsDir)}, ${JSON.stringify(what)});
    process.stdout.write('heldBy' in lock ? 'refused\\n' : 'held\\n');
    process.stdin.on('end', () => { lock.release?.(); process.exit(0); });
    process.stdin.resume();
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => (d.toString().includes('held') ? resolve() : reject(new Error(`the holder could not take the lock: ${d}`))));
    void exited.then(() => reject(new Error('the holder exited before taking the lock')));
  });
  return {
    pid: child.pid!,
    async end() {
      child.stdin.end();
      await exited;
    },
  };
}
