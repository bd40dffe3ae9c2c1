// Compiles the AssemblyScript kernel core (src/kernels/assembly) to WebAssembly, twice:
// a plain 128-bit SIMD build that every current runtime accepts (Node 20 included), and a
// relaxed-SIMD build (fused multiply-add) that the loader picks where the runtime validates it.
// Run by `npm run build` (and so by `npm install` through `prepare`); the .wasm files are never committed.
import asc from 'assemblyscript/asc';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = 'src/kernels/assembly/index.ts';
const outDir = 'dist/wasm';
process.chdir(root);
mkdirSync(outDir, { recursive: true });

const common = [
  entry,
  '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd',
];
// The plain build also writes the compiler's own typings of the exports (kernels-simd.d.ts, with
// --bindings raw); src/kernels/core.ts types the core with them, so no wrapper restates a signature.
// The JavaScript glue that comes with them is not used (the core instantiates the module itself,
// synchronously) and is removed.
const builds = [
  { name: 'kernels-simd', extra: ['--bindings', 'raw'] },
  { name: 'kernels-relaxed', extra: ['--enable', 'relaxed-simd'] },
];

for (const b of builds) {
  const { error } = await asc.main(
    [...common, ...b.extra, '--outFile', `${outDir}/${b.name}.wasm`, '--textFile', `${outDir}/${b.name}.wat`],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) {
    process.stderr.write(`build-wasm: ${b.name} failed: ${error.message}\n`);
    process.exit(1);
  }
  rmSync(`${outDir}/${b.name}.js`, { force: true });
  process.stdout.write(`build-wasm: ${outDir}/${b.name}.wasm\n`);
}
