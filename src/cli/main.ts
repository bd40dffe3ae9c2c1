// The command line: `codec-lab COMMAND [options]`. Each command is a function of its arguments
// that returns an exit status; results go to stdout, everything else to stderr.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../assets.js';
import { processContext, type CommandContext } from './context.js';
import { inspectCommand, inspectHelp } from './inspect.js';

const usage = `Codec Lab: train a small neural audio codec and hear what its training objective does.

Usage: codec-lab COMMAND [options]

Commands:
  inspect [FILE...]   format, rate, channels and duration of WAV files, or why each is refused

Run \`codec-lab COMMAND --help\` for a command's options. \`codec-lab --version\` prints the version.`;

interface Command {
  help: string;
  options: Record<string, { type: 'boolean' | 'string'; short?: string }>;
  run(ctx: CommandContext, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

const commands: Record<string, Command> = {
  inspect: {
    help: inspectHelp,
    options: { json: { type: 'boolean' } },
    run: (ctx, files, v) => inspectCommand(ctx, files, { json: v.json === true }),
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], ctx: CommandContext = processContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    ctx.out(version());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    ctx.err(`codec-lab: unknown command '${name}'\n\n${usage}`);
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
    ctx.err(`codec-lab ${name}: ${(e as Error).message}\n\n${command.help}`);
    return 2;
  }
  if (parsed.values.help) {
    ctx.out(command.help);
    return 0;
  }
  try {
    return await command.run(ctx, parsed.positionals, parsed.values);
  } catch (e) {
    ctx.err(`codec-lab ${name}: ${(e as Error).message}`);
    return 1;
  }
}
