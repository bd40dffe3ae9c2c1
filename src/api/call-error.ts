// Every error a call can end in, mapped one way for both doors: a stable code the page can act on
// and a message a student can read, with no server paths in it (src/api/hide-paths.ts).
//
// - The engine's typed errors (ApiError, ConfigError, ValidationError, AudioError, RunError ...)
//   carry an UPPER_SNAKE code of their own, which is kept.
// - Conditions of the machine, not of the program (a missing file, a full disk, no permission) come
//   from Node as system errors (errno, syscall, code like ENOSPC); each gets a code of ours and a
//   sentence naming the file, so that none of them is ever reported as INTERNAL.
// - Anything else is a fault in the engine: INTERNAL, with its message, and the caller logs the stack.
export interface CallError {
  code: string;
  message: string;
}

/** The codes of ours that Node's system errors become. */
export type SystemCallCode = 'FILE_NOT_FOUND' | 'NOT_A_FILE' | 'FILE_EXISTS' | 'NO_SPACE' | 'NO_PERMISSION' | 'TOO_MANY_OPEN_FILES' | 'IO_FAILED';

/** Node's system error codes, as conditions the user can understand and act on. */
const SYSTEM_ERRORS = new Map<string, { code: SystemCallCode; says: string }>([
  ['ENOENT', { code: 'FILE_NOT_FOUND', says: 'there is no such file or folder' }],
  ['ENOTDIR', { code: 'FILE_NOT_FOUND', says: 'a folder on the way is not a folder' }],
  ['EISDIR', { code: 'NOT_A_FILE', says: 'it is a folder, not a file' }],
  ['EEXIST', { code: 'FILE_EXISTS', says: 'a file of that name already exists' }],
  ['ENOSPC', { code: 'NO_SPACE', says: 'no space is left on the disk' }],
  ['EDQUOT', { code: 'NO_SPACE', says: 'the disk quota is used up' }],
  ['EFBIG', { code: 'NO_SPACE', says: 'the file would be larger than the disk allows' }],
  ['EACCES', { code: 'NO_PERMISSION', says: 'permission denied' }],
  ['EPERM', { code: 'NO_PERMISSION', says: 'the operation is not permitted' }],
  ['EROFS', { code: 'NO_PERMISSION', says: 'the disk is read-only' }],
  ['EMFILE', { code: 'TOO_MANY_OPEN_FILES', says: 'too many files are open' }],
  ['ENFILE', { code: 'TOO_MANY_OPEN_FILES', says: 'too many files are open' }],
  ['EIO', { code: 'IO_FAILED', says: 'the disk reported an input/output error' }],
]);

const OUR_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

interface SystemError {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  dest?: string;
}

const isSystemError = (e: object): e is SystemError =>
  typeof (e as SystemError).errno === 'number' && typeof (e as SystemError).syscall === 'string' && typeof (e as SystemError).code === 'string';

/** What the operation was doing, in words (Node's syscall names are not for students). */
function doing(syscall: string): string {
  if (/^(open|read|stat|lstat|fstat|readdir|scandir|access|realpath)/.test(syscall)) return 'reading';
  if (/^(write|mkdir|rename|copyfile|unlink|rmdir|rm|ftruncate|fsync|symlink|link|utime|chmod)/.test(syscall)) return 'writing';
  return syscall;
}

function fromSystemError(e: SystemError): CallError {
  const known = SYSTEM_ERRORS.get(e.code) ?? { code: 'IO_FAILED', says: `the system refused (${e.code})` };
  // The path is hidden by the caller like any other (inside the runs folder, `runs/<run>/<file>` says which run).
  return { code: known.code, message: e.path ? `${known.says} (${doing(e.syscall)} ${e.path})` : known.says };
}

/** The code and message of any thrown value; `hide` rewrites the paths in the message. */
export function toCallError(e: unknown, hide: (message: string) => string): CallError & { internal: boolean } {
  if (e !== null && typeof e === 'object') {
    if (isSystemError(e)) {
      const mapped = fromSystemError(e);
      return { code: mapped.code, message: hide(mapped.message), internal: false };
    }
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(e);
    // Node's own programming errors (ERR_INVALID_ARG_TYPE ...) are faults, whatever their code says.
    if (typeof code === 'string' && OUR_CODE.test(code) && !code.startsWith('ERR_')) return { code, message: hide(text), internal: false };
    return { code: 'INTERNAL', message: hide(`internal error: ${text}`), internal: true };
  }
  return { code: 'INTERNAL', message: hide(`internal error: ${String(e)}`), internal: true };
}
