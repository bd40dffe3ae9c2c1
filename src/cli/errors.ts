// Errors of the command line's own making, typed like the engine's (an Error with a stable code), so
// that `--json` reports them by code like any other failure.
export type CliErrorCode =
  /** An option is missing, unknown or malformed. */
  | 'BAD_ARGUMENTS'
  /** Every file given was refused, so there is nothing to train on or score. */
  | 'NO_USABLE_AUDIO'
  /** An output file is already there and --force was not given (reconstruct). */
  | 'FILE_EXISTS'
  /** bench --peer: no Python that can import torch (or no bench/pytorch/torch_bench.py) to run the peer. */
  | 'PEER_UNAVAILABLE';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
