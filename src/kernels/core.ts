// Loads the WebAssembly kernel core and hands out memory in it.
// Two builds exist (dist/wasm/kernels-relaxed.wasm with fused multiply-add, kernels-simd.wasm without);
// the relaxed one is used wherever the runtime validates it, the plain one elsewhere. Electron 45
// and Chromium validate relaxed SIMD as they are; Node 20 only behind V8's
// --experimental-wasm-relaxed-simd, which this module turns on when it loads (below), so the command
// line, the web host and every worker thread (V8's flags are the process's) run the fast build.
// CODEC_LAB_KERNELS=simd leaves the flag alone and keeps the plain build everywhere.
// The two builds differ only in rounding: on the whole-model gradient check against PyTorch both
// are as close to float64 as PyTorch's float32 is (tests/nn/model-grad-torch.test.ts).
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { instantiate } from '../../dist/wasm/kernels-simd.js';

/**
 * Every function the kernel core exports, with its parameters, as the AssemblyScript compiler itself
 * typed them (dist/wasm/kernels-simd.d.ts, written by `npm run build:wasm`): a wrapper that passes
 * the wrong arguments fails to compile. Both builds export the same functions.
 */
export type KernelExports = Awaited<ReturnType<typeof instantiate>>;

export type KernelBuild = 'relaxed' | 'simd';

/** The build asked for in the environment (CODEC_LAB_KERNELS=simd or relaxed), if any. */
const ASKED: KernelBuild | undefined = process.env.CODEC_LAB_KERNELS === 'simd' || process.env.CODEC_LAB_KERNELS === 'relaxed' ? process.env.CODEC_LAB_KERNELS : undefined;

function wasmDir(): string {
  // Compiled engine: dist/kernels/core.js -> dist/wasm. Source under vitest: src/kernels/core.ts -> dist/wasm.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromDist = path.resolve(here, '..', 'wasm');
  const fromSrc = path.resolve(here, '..', '..', 'dist', 'wasm');
  return here.split(path.sep).includes('src') ? fromSrc : fromDist;
}

/** Each build's bytes, read once per thread. */
const builds = new Map<KernelBuild, Uint8Array<ArrayBuffer>>();

function readBuild(build: KernelBuild): Uint8Array<ArrayBuffer> {
  const known = builds.get(build);
  if (known) return known;
  const file = path.join(wasmDir(), build === 'relaxed' ? 'kernels-relaxed.wasm' : 'kernels-simd.wasm');
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new Error(`kernel core not built: ${file} is missing. Run \`npm run build\`.`);
  }
  builds.set(build, bytes);
  return bytes;
}

/**
 * Each build compiled once per thread (null: this runtime does not validate it). Every KernelCore
 * of a thread instantiates the same module, so a new core starts on code V8 has already optimized
 * instead of compiling and tiering up again.
 */
const modules = new Map<KernelBuild, WebAssembly.Module | null>();

function compiledBuild(build: KernelBuild): WebAssembly.Module | null {
  if (!modules.has(build)) {
    const bytes = readBuild(build);
    modules.set(build, WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
  }
  return modules.get(build)!;
}

function relaxedValidates(): boolean {
  try {
    return WebAssembly.validate(readBuild('relaxed'));
  } catch {
    return false; // not built: create() says so
  }
}

// Before any module is compiled: V8 reads the flag when it validates one. Setting a flag at run time
// is allowed by V8 for flags like this one (Node documents setFlagsFromString as use-at-your-own-risk).
// Only where the relaxed build does not validate as it is: a V8 that ships relaxed SIMD on by default
// may no longer know the flag, and prints an error for an unknown one. WebAssembly.validate in
// create() still decides which build runs (the plain one where relaxed fails even with the flag).
if (ASKED !== 'simd' && !relaxedValidates()) {
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // No V8 flags here: the validation below picks what the runtime accepts.
  }
}

/**
 * One instance of the kernel core: its own linear memory, so two models (or a trainer and an
 * evaluator) never share buffers by accident.
 */
export class KernelCore {
  readonly exports: KernelExports;
  readonly build: KernelBuild;

  private constructor(exports: KernelExports, build: KernelBuild) {
    this.exports = exports;
    this.build = build;
  }

  /** Instantiate the fastest build this runtime accepts, or the one asked for (here or in CODEC_LAB_KERNELS). */
  static create(prefer: KernelBuild | undefined = ASKED): KernelCore {
    const order: KernelBuild[] = prefer === 'simd' ? ['simd'] : ['relaxed', 'simd'];
    for (const build of order) {
      const module = compiledBuild(build);
      if (!module) continue;
      const instance = new WebAssembly.Instance(module, { env: { abort: onAbort } });
      // The raw exports, not the compiler's JavaScript glue: the same functions, called directly.
      return new KernelCore(instance.exports as unknown as KernelExports, build);
    }
    throw new Error('this runtime validates neither kernel build: WebAssembly 128-bit SIMD is required');
  }

  /** Reserve room for `n` float32 values (16-byte aligned, zeroed); returns the byte offset. */
  allocF32(n: number): number {
    return this.exports.alloc(Math.max(1, n) * 4);
  }

  /**
   * A view of `n` floats at `ptr`. Views die when memory grows (after an alloc), so callers
   * allocate everything first and take views afterwards, or take them fresh each time.
   */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, n);
  }
}

function onAbort(msg: number, file: number, line: number, col: number): never {
  throw new Error(`kernel core aborted at ${line}:${col}`);
}
