// The HTTP status of every error code the web host answers with, in one table: the host's own
// refusals (token, Host, Origin, sizes, routes) and every code a call can end in (src/api/call-error.ts).
// Clients act on the code in the body; the status is for HTTP tooling and logs.
//
// Every code has its own row. The typed code lists (AudioErrorCode, RunErrorCode, SystemCallCode)
// are checked by the compiler (`satisfies` below); codes thrown as plain strings (ApiError,
// JobError, TrainingError ...) are found in the sources by tests/web/status.test.ts. A code without
// a row is a gap in this table, not a judgement on the request, so it answers 500.
import type { AudioErrorCode } from '../audio/errors.js';
import type { RunErrorCode } from '../runs/errors.js';
import type { SystemCallCode } from '../api/call-error.js';
import type { ListeningErrorCode } from '../listening/errors.js';

const STATUS = {
  // The request itself: malformed, unauthorised, or aimed at something that is not there.
  BAD_REQUEST: 400,
  BAD_CONFIG: 400,
  BAD_SWEEP: 400,
  SHAPE_MISMATCH: 409,
  UNAUTHORIZED: 401,
  BAD_ORIGIN: 403,
  NOT_AVAILABLE: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  TOO_LARGE: 413,
  BAD_HOST: 421,

  // What the request names does not exist.
  RUN_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  LISTENING_NOT_FOUND: 404,

  // It exists, but is not in a state to do this (yet, or any more).
  NOT_RUNNING: 409,
  // A run this app is training cannot be deleted (stop it first).
  RUN_ACTIVE: 409,
  TRASH_UNUSABLE: 409,
  NO_WEIGHTS: 409,
  NO_TEST_SPLIT: 409,
  RUN_DAMAGED: 409,
  RUN_EXISTS: 409,
  FILE_EXISTS: 409,
  NOT_A_FILE: 409,
  // A listening test's file that is no test, or a `listening` that is no folder (like a damaged run).
  LISTENING_DAMAGED: 409,
  LISTENING_UNUSABLE: 409,
  // An ABX test takes its answers in order, each once, and serves only the current trial's X; its CSV comes at the end.
  LISTENING_UNFINISHED: 409,
  ABX_DONE: 409,
  ABX_OUT_OF_ORDER: 409,
  MUSHRA_DONE: 409,
  QUEUE_NOT_FOUND: 404,
  QUEUE_ITEM_BUSY: 409,
  QUEUE_DAMAGED: 409,
  QUEUE_HELD: 409,
  MUSHRA_INCOMPLETE: 409,
  LISTENING_WRONG_KIND: 409,
  // An export to PyTorch (src/export/): a folder that is not empty, a setting the exported trainer
  // does not have (Setup B, the tilt augmentation), audio that is not the run's.
  OUT_NOT_EMPTY: 409,
  EXPORT_UNSUPPORTED: 422,
  CLIPS_UNAVAILABLE: 409,

  // The data given cannot be used: the request was understood, its content cannot be processed.
  EMPTY_FILE: 422,
  NOT_WAV: 422,
  UNSUPPORTED_CONTAINER: 422,
  TRUNCATED_HEADER: 422,
  NO_FMT_CHUNK: 422,
  BAD_FMT_CHUNK: 422,
  NO_DATA_CHUNK: 422,
  TRUNCATED_DATA: 422,
  NO_AUDIO: 422,
  INVALID_CHANNELS: 422,
  INVALID_SAMPLE_RATE: 422,
  UNSUPPORTED_FORMAT: 422,
  UNSUPPORTED_BIT_DEPTH: 422,
  NON_FINITE_SAMPLES: 422,
  UNSUPPORTED_SAMPLE_RATE: 422,
  TOO_SHORT: 422,
  CLIP_REFUSED: 422,
  // A run's split files gather several clips' segments: they have no one rate to export at.
  NO_SOURCE_RATE: 422,
  NOT_ENOUGH_AUDIO: 422,
  DIVERGED: 422,
  // A file larger than the engine reads at all, like a body over the host's limit.
  FILE_TOO_LARGE: 413,

  // Room on the host. LIBRARY_FULL is 507, not 413: 413 says the request is too large whatever
  // the server holds, so sending it again is pointless; the library's limit depends on what it
  // already holds, and the same file is taken once clips are removed. That is the server's store
  // lacking room for it, which is what 507 Insufficient Storage says (as for a full disk).
  LIBRARY_FULL: 507,
  NO_SPACE: 507,

  // The machine: reading or writing failed on the host's side, not because of the request.
  NO_PERMISSION: 500,
  IO_FAILED: 500,
  READ_FAILED: 500,
  WRITE_FAILED: 500,

  // The engine: a fault, or a worker that died under it.
  INTERNAL: 500,
  ENGINE_WORKER_FAILED: 500,
  TRAINING_FAILED: 500,
  WORKER_CRASHED: 500,
  WORKER_EXITED: 500,
  // A thread of a codec spread over threads (src/nn/parallel-codec.ts), or the PyTorch peer of `bench --peer`.
  CODEC_THREAD_FAILED: 500,
  PEER_FAILED: 500,
  // A loss built for values only was asked for a gradient: a bug in the engine, never the request's doing.
  BUILT_WITHOUT_GRADIENTS: 500,
  // The listening statistics (src/common/listening-stats.ts) given impossible numbers: the engine
  // computes them from records it has checked, so one reaching a request is the engine's fault.
  BAD_COUNT: 500,
  BAD_DEGREES_OF_FREEDOM: 500,
  BAD_PROBABILITY: 500,
  BAD_SCORE: 500,
  LENGTH_MISMATCH: 500,
  NOT_FINITE: 500,
  NO_SCORES: 500,
  // The anchor filter's own guard (the API checks cut-offs first): reaching it is the engine's fault.
  ANCHOR_BAD_SAMPLE_RATE: 500,
  ANCHOR_BAD_CUTOFF: 500,
  TOO_MANY_TRIALS: 500,

  // The service cannot take calls now: starting, stopping, out of file handles, or not built (no
  // heavy call can work until `npm run build`); the request itself may be fine.
  STARTING: 503,
  SHUTTING_DOWN: 503,
  TOO_MANY_OPEN_FILES: 503,
  NOT_BUILT: 503,
} satisfies Record<AudioErrorCode | RunErrorCode | SystemCallCode | ListeningErrorCode, number> & Record<string, number>;

/** Every code with its status; a Map, so a code such as `constructor` finds nothing of Object.prototype. */
export const STATUS_OF_CODE: ReadonlyMap<string, number> = new Map(Object.entries(STATUS));

/** A code this table does not list: a gap here, answered as the server's fault (see above). */
export const UNLISTED_CODE_STATUS = 500;

export function statusOf(code: string): number {
  return STATUS_OF_CODE.get(code) ?? UNLISTED_CODE_STATUS;
}
