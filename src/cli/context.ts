// What a command may touch of the outside world, so tests can run commands in-process.
export interface CommandContext {
  /** The command's result: one JSON document with --json, plain lines otherwise. */
  out(text: string): void;
  /** Progress, warnings and errors: never mixed into the result. */
  err(text: string): void;
}

export const processContext: CommandContext = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};
