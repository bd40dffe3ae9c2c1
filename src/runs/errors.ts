// Why a run folder cannot give what was asked of it. The code is stable (the API, the command line
// and the tests match on it); the message says which run and which file, in words a student can act on.

export type RunErrorCode =
  /** The folder is not there, or is not a real folder (a symbolic link is never followed). */
  | 'RUN_NOT_FOUND'
  /** The run records no test split: no split.json (made before runs recorded their data), or an empty test list. */
  | 'NO_TEST_SPLIT'
  /** A file the run needs is missing, is not a regular file, or does not hold what it should. */
  | 'RUN_DAMAGED'
  /** A run folder of that name already exists. */
  | 'RUN_EXISTS'
  /** The runs folder's `trash` (where deleted runs go) is not a real folder: a file, or a symbolic link. */
  | 'TRASH_UNUSABLE';

export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
