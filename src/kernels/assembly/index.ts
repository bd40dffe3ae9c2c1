// The kernel core: one WebAssembly module, built twice by scripts/build-wasm.mjs (plain SIMD and
// relaxed SIMD). Every tensor lives in this module's linear memory; TypeScript passes byte offsets.
// Memory is handed out by `alloc` from the stub runtime's bump allocator and never freed: the engine
// allocates everything a model and its optimizer need once, up front, so a training step allocates nothing.

/** Reserve `bytes` bytes aligned to 16, zero-filled; returns the byte offset. */
export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes + 16);
  const aligned = (ptr + 15) & ~(<usize>15);
  memory.fill(aligned, 0, bytes);
  return aligned;
}

/** 1 when this build uses relaxed SIMD (fused multiply-add), 0 for the plain SIMD build. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

export * from './ops';
export * from './fft';
export * from './optim';
export * from './conv';
export * from './dropout';
export * from './gemm-ceiling';
