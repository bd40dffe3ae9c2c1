// An error as it crosses a thread boundary. postMessage keeps only an Error's message, but the doors
// need more to say what went wrong: our own code (TRUNCATED_DATA, NO_TEST_SPLIT ...), and for a
// system error (a full disk, a missing folder) its errno, syscall and path, which src/api/call-error.ts
// maps to NO_SPACE, FILE_NOT_FOUND and the like. Both the training worker and the engine workers
// send errors in this shape, and their callers rebuild them with rebuildError.

export interface SystemErrorFields {
  errno: number;
  syscall: string;
  path?: string;
}

export interface ThreadError {
  code: string;
  message: string;
  system?: SystemErrorFields;
}

/** What to send for a thrown value; `fallbackCode` when it has no code of its own. */
export function toThreadError(e: unknown, fallbackCode: string): ThreadError {
  const err = (e ?? {}) as { code?: unknown; message?: unknown; errno?: unknown; syscall?: unknown; path?: unknown };
  const code = typeof err.code === 'string' ? err.code : fallbackCode;
  const message = typeof err.message === 'string' ? err.message : String(e);
  const system =
    typeof err.errno === 'number' && typeof err.syscall === 'string'
      ? { errno: err.errno, syscall: err.syscall, ...(typeof err.path === 'string' ? { path: err.path } : {}) }
      : undefined;
  return { code, message, ...(system ? { system } : {}) };
}

/** `error` (made by the caller from the code and message) with the system fields put back. */
export function withSystemFields<E extends Error>(error: E, system: SystemErrorFields | undefined): E {
  return system ? Object.assign(error, system) : error;
}
