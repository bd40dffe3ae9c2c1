import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          // Everything, on the kernel build the runtime picks: relaxed SIMD (fused multiply-add) on Node 20.
          name: 'default',
          include: ['tests/**/*.test.ts'],
          // Brings dist/ (workers, kernels, renderer, shell) up to date with the sources first.
          globalSetup: ['tests/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The plain SIMD build, the one that runs where relaxed SIMD does not validate: the kernels
          // and the whole model's gradient against PyTorch again, with CODEC_LAB_KERNELS=simd (not
          // conv.test.ts, which runs each build by name already). Its files are also in 'default',
          // whose global setup (run once per project, so not repeated here) builds dist/ whenever
          // one of them runs; `--project kernels-simd` alone skips it.
          name: 'kernels-simd',
          include: ['tests/kernels/**/*.test.ts', 'tests/nn/model-grad-torch.test.ts'],
          exclude: ['tests/kernels/conv.test.ts'],
          env: { CODEC_LAB_KERNELS: 'simd' },
        },
      },
    ],
  },
});
