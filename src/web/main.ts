// `npm run web [-- --port N] [-- --runs DIR]`: serve the lab to a browser on this machine.
// Stdout gets exactly one line, the URL to open (scripts and the renderer's end-to-end tests read
// it); everything else goes to stderr.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startWebHost } from './host.js';

const usage = `Usage: npm run web -- [--port N] [--runs DIR] [--no-bundled-clip]

Serves Codec Lab to a browser on this machine only (127.0.0.1), behind a random token.
  --port N            port to listen on; 0 (the default) picks a free one
  --runs DIR          folder of the training runs (default ./runs)
  --no-bundled-clip   start with an empty library`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, runs: { type: 'string' }, 'no-bundled-clip': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`codec-lab web: ${(e as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(usage + '\n');
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535) {
    process.stderr.write(`codec-lab web: --port must be a whole number from 0 to 65535, not '${values.port}'\n`);
    return 2;
  }
  const runsDir = path.resolve(values.runs ?? 'runs');

  let host;
  try {
    host = await startWebHost({ port, runsDir, withBundledClip: !values['no-bundled-clip'] });
  } catch (e) {
    process.stderr.write(`codec-lab web: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`Codec Lab: ${host.url}\n`);
  process.stderr.write(`Runs are kept in ${runsDir}. Open the URL above in a browser on this machine; Ctrl+C stops.\n`);

  // The first signal stops cleanly: running trainings are told to stop and save their weights.
  // A second one while that is under way means "now".
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`codec-lab web: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`codec-lab web: ${signal}, stopping\n`);
    host.close().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`codec-lab web: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
