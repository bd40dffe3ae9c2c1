// The command line: `codec-lab COMMAND [options]`. Each command is a function of its arguments
// that returns an exit status; results go to stdout, everything else to stderr.
import { parseArgs } from 'node:util';
import { packageVersion } from '../assets.js';
import { processContext, type CommandContext } from './context.js';
import { inspectCommand, inspectHelp } from './inspect.js';
import { trainCommand, trainHelp, trainOptions } from './train.js';
import { evalCommand, evalHelp } from './eval.js';
import { reconstructCommand, reconstructHelp } from './reconstruct.js';
import { infoCommand, infoHelp, infoOptions } from './info.js';
import { benchCommand, benchHelp, benchOptions } from './bench.js';
import { listeningCommand, listeningHelp } from './listening.js';
import { lrFindCommand, lrFindHelp, lrFindOptions } from './lr-find.js';
import { sweepCommand, sweepHelp, sweepOptions } from './sweep.js';
import { exportTorchCommand, exportTorchHelp, exportTorchOptions } from './export-torch.js';
import { toCallError } from '../api/call-error.js';
import { CliError } from './errors.js';

const usage = `Codec Lab: train a small neural audio codec and hear what its training objective does.

Usage: codec-lab COMMAND [options]

Commands:
  inspect [FILE...]   format, rate, channels and duration of WAV files, or why each is refused
  train [FILE...]     train a codec (on the bundled clip when no file is given) and keep the run
  eval --run DIR      score a run's model in every output space, with quality metrics and speed
  reconstruct --run DIR FILE...
                      write each file as the run's model reconstructs it (NAME.recon.wav)
  lr-find [FILE...]   the learning-rate range test: the loss as the rate rises, and a rate to use
  sweep GRID.json [FILE...]
                      train every combination of a grid of settings, one run after another
  listening [--runs DIR]
                      the stored listening tests (ABX, MUSHRA) and their results
  export-torch --run DIR --out DIR
                      a run (or train's options) as a PyTorch project for torchrun with
                      DistributedDataParallel; it trains into a Codec Lab run folder
  info [--preset P] [--bits B] [--latent-channels C] [--hop H] [--width W]
                      a network's parameters, frame rate, bit rate and multiply-adds per second
  bench               training and inference speed on this machine

Run \`codec-lab COMMAND --help\` for a command's options. \`codec-lab --version\` prints the version.`;

interface Command {
  help: string;
  options: Readonly<Record<string, { readonly type: 'boolean' | 'string'; readonly short?: string }>>;
  run(ctx: CommandContext, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

const commands: Record<string, Command> = {
  inspect: {
    help: inspectHelp,
    options: { json: { type: 'boolean' } },
    run: (ctx, files, v) => inspectCommand(ctx, files, { json: v.json === true }),
  },
  train: {
    help: trainHelp,
    options: trainOptions,
    run: trainCommand,
  },
  sweep: {
    help: sweepHelp,
    options: sweepOptions,
    run: sweepCommand,
  },
  'lr-find': {
    help: lrFindHelp,
    options: lrFindOptions,
    run: lrFindCommand,
  },
  eval: {
    help: evalHelp,
    options: { run: { type: 'string' }, weights: { type: 'string' }, json: { type: 'boolean' }, save: { type: 'boolean' } },
    run: evalCommand,
  },
  reconstruct: {
    help: reconstructHelp,
    options: { run: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, force: { type: 'boolean' } },
    run: reconstructCommand,
  },
  listening: {
    help: listeningHelp,
    options: { runs: { type: 'string' }, json: { type: 'boolean' } },
    run: listeningCommand,
  },
  'export-torch': {
    help: exportTorchHelp,
    options: exportTorchOptions,
    run: exportTorchCommand,
  },
  info: {
    help: infoHelp,
    options: infoOptions,
    run: infoCommand,
  },
  bench: {
    help: benchHelp,
    options: benchOptions,
    run: benchCommand,
  },
};

/**
 * A failed command says why on stderr; with --json it also prints the one JSON document it promised,
 * `{"ok": false, "error": {"code", "message"}}`, so a script reading stdout never gets nothing. The
 * code is the error's own (engine errors are typed), or the one the API gives a system error (a full
 * disk is NO_SPACE, naming the file).
 */
function fail(ctx: CommandContext, json: boolean, prefix: string, e: unknown, usage?: string): void {
  const { code, message } = toCallError(e, (m) => m);
  ctx.err(`${prefix}: ${message}${usage ? `\n\n${usage}` : ''}`);
  if (json) ctx.out(JSON.stringify({ ok: false, error: { code, message } }, null, 2));
}

export async function main(argv: string[], ctx: CommandContext = processContext): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    ctx.out(packageVersion());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    fail(ctx, json, 'codec-lab', new CliError('BAD_ARGUMENTS', `unknown command '${name}'`), usage);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    fail(ctx, json, `codec-lab ${name}`, new CliError('BAD_ARGUMENTS', (e as Error).message), command.help);
    return 2;
  }
  if (parsed.values.help) {
    ctx.out(command.help);
    return 0;
  }
  try {
    return await command.run(ctx, parsed.positionals, parsed.values);
  } catch (e) {
    fail(ctx, json, `codec-lab ${name}`, e);
    return 1;
  }
}
