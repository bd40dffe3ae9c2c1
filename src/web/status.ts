// The HTTP status of every error code the web host answers with, in one table: the host's own
// refusals (token, Host, Origin, sizes, routes) and every code a call can end in (src/api/call-error.ts).
// Clients act on the code in the body; the status is for HTTP tooling and logs.
const STATUS_OF_CODE = new Map<string, number>([
  // The request itself.
  ['BAD_REQUEST', 400],
  ['BAD_CONFIG', 400],
  ['UNAUTHORIZED', 401],
  ['BAD_ORIGIN', 403],
  ['NOT_AVAILABLE', 403],
  ['NOT_FOUND', 404],
  ['METHOD_NOT_ALLOWED', 405],
  ['TOO_LARGE', 413],
  ['BAD_HOST', 421],
  // What the request names does not exist.
  ['RUN_NOT_FOUND', 404],
  ['FILE_NOT_FOUND', 404],
  // It exists, but is not in a state to do this.
  ['NOT_RUNNING', 409],
  ['NO_WEIGHTS', 409],
  ['NO_TEST_SPLIT', 409],
  ['RUN_DAMAGED', 409],
  ['RUN_EXISTS', 409],
  ['FILE_EXISTS', 409],
  ['NOT_A_FILE', 409],
  // The machine: conditions to fix on the host's side, not faults in the program.
  ['NO_SPACE', 507],
  ['NO_PERMISSION', 500],
  ['IO_FAILED', 500],
  ['TOO_MANY_OPEN_FILES', 503],
  ['STARTING', 503],
  ['INTERNAL', 500],
]);

/**
 * Any other code is one of the engine's typed refusals of the data it was given (a WAV it cannot
 * read, a clip that was refused, too little audio to train on): the request was understood, the
 * content cannot be processed.
 */
const TYPED_REFUSAL = 422;

export function statusOf(code: string): number {
  return STATUS_OF_CODE.get(code) ?? TYPED_REFUSAL;
}
