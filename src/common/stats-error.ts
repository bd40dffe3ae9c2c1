// Why a listening-test statistic refused its input. A RangeError (every refusal is an argument
// outside the values the statistic is defined for), with a stable code the engine, the renderer
// and the tests match on, and a message that names the value. Pure: imports nothing.

export type StatsErrorCode =
  /** A count (correct answers, trials) that is not a whole number in range. */
  | 'BAD_COUNT'
  /** More ABX trials than the exact p-value is computed for (see MAX_ABX_TRIALS). */
  | 'TOO_MANY_TRIALS'
  /** A significance level or probability outside (0, 1). */
  | 'BAD_PROBABILITY'
  /** Degrees of freedom that are not a positive finite number. */
  | 'BAD_DEGREES_OF_FREEDOM'
  /** A MUSHRA score outside [0, 100] or not a number. */
  | 'BAD_SCORE'
  /** A statistic of no scores at all. */
  | 'NO_SCORES'
  /** Two series that should pair up value for value but differ in length. */
  | 'LENGTH_MISMATCH'
  /** NaN or an infinity where a measurement was expected. */
  | 'NOT_FINITE';

export class StatsError extends RangeError {
  readonly code: StatsErrorCode;

  constructor(code: StatsErrorCode, message: string) {
    super(message);
    this.name = 'StatsError';
    this.code = code;
  }

  toJSON(): { code: StatsErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
