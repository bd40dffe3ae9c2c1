#!/usr/bin/env node
// The command line of Codec Lab. The engine is TypeScript compiled to dist/ by `npm install` (the
// `prepare` script); this stub only points Node at it, with a clear word if the build is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('codec-lab: the engine is not built. Run `npm install` (or `npm run build`) in the codec-lab folder.\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
