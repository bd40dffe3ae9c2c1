// Why an audio file was refused. The code is stable (tests, the JSON output and the app match on it);
// the message names the problem in words a student can act on.

export type AudioErrorCode =
  | 'FILE_NOT_FOUND'
  | 'READ_FAILED'
  | 'FILE_TOO_LARGE'
  | 'EMPTY_FILE'
  | 'NOT_WAV'
  | 'UNSUPPORTED_CONTAINER'
  | 'TRUNCATED_HEADER'
  | 'NO_FMT_CHUNK'
  | 'BAD_FMT_CHUNK'
  | 'NO_DATA_CHUNK'
  | 'TRUNCATED_DATA'
  | 'NO_AUDIO'
  | 'INVALID_CHANNELS'
  | 'INVALID_SAMPLE_RATE'
  | 'UNSUPPORTED_FORMAT'
  | 'UNSUPPORTED_BIT_DEPTH'
  | 'NON_FINITE_SAMPLES'
  | 'UNSUPPORTED_SAMPLE_RATE'
  | 'TOO_SHORT'
  | 'WRITE_FAILED';

export class AudioError extends Error {
  readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string) {
    super(message);
    this.name = 'AudioError';
    this.code = code;
  }

  toJSON(): { code: AudioErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The `{code, message}` of any thrown value, so one bad file never escapes as an untyped crash. */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof AudioError) return e.toJSON();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: `unexpected error: ${message}` };
}
