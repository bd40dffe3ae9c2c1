// Running the built CLI as a user does: a real process, its stdout, stderr and exit code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../helpers.js';

const run = promisify(execFile);
const BIN = path.join(REPO, 'bin', 'codec-lab.js');

export async function codecLab(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return codecLabWith({}, ...args);
}

/** The same, with these variables added to the environment. */
export async function codecLabWith(env: Record<string, string>, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}
