// Which kernel build runs: the relaxed-SIMD (fused multiply-add) one wherever the runtime validates
// it, on Node 20 too (core.ts turns V8's relaxed-SIMD flag on); CODEC_LAB_KERNELS=simd asks for the
// plain one anywhere; codec-lab info says which.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { KernelCore } from '../../src/kernels/core.js';
import { REPO } from '../helpers.js';

const BIN = path.join(REPO, 'bin', 'codec-lab.js');
const info = (env: NodeJS.ProcessEnv) => JSON.parse(spawnSync(process.execPath, [BIN, 'info', '--json'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout);

describe('the kernel build', () => {
  it('can always be asked for the plain one', () => {
    expect(KernelCore.create('simd').build).toBe('simd');
  });

  it('is the relaxed one on the command line unless CODEC_LAB_KERNELS=simd asks for the plain one, and info says so', () => {
    expect(info({ CODEC_LAB_KERNELS: '' }).kernelBuild).toBe('relaxed');
    expect(info({ CODEC_LAB_KERNELS: 'relaxed' }).kernelBuild).toBe('relaxed');
    expect(info({ CODEC_LAB_KERNELS: 'simd' }).kernelBuild).toBe('simd');
  });

  it('is what this test process was asked for (the plain one in the kernels-simd test project)', () => {
    expect(KernelCore.create().build).toBe(process.env.CODEC_LAB_KERNELS === 'simd' ? 'simd' : 'relaxed');
  });
});
