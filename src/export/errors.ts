// Why an experiment cannot be exported to PyTorch. The code is stable (the command line and the tests
// match on it); the message says what to change.

export type ExportErrorCode =
  /** The output folder exists and holds something: an export never mixes with other files. */
  | 'OUT_NOT_EMPTY'
  /** A setting the exported trainer does not reproduce (Setup B, the tilt augmentation). */
  | 'EXPORT_UNSUPPORTED'
  /** The run's clips cannot be found, or the files given are not the audio the run trained on. */
  | 'CLIPS_UNAVAILABLE';

export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}
