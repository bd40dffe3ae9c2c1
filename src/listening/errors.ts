// Why a listening test cannot do what was asked. The code is stable (the API, the command line and
// the tests match on it); the message says which test and what is wrong, in words a student can act on.

export type ListeningErrorCode =
  /** No stored test has that id. */
  | 'LISTENING_NOT_FOUND'
  /** The test's file cannot be read as a test: not JSON, a field of the wrong shape, a plan its seed does not give. */
  | 'LISTENING_DAMAGED'
  /** The runs folder's `listening` is not a real folder (a file, or a symbolic link, which is never followed). */
  | 'LISTENING_UNUSABLE'
  /** The test is not finished: what was asked (its CSV) exists only for a finished test. */
  | 'LISTENING_UNFINISHED'
  /** The ABX test is finished: it has no next trial and takes no more answers. */
  | 'ABX_DONE'
  /** A trial other than the current one: answers come in order, each once, and only the current X can be heard. */
  | 'ABX_OUT_OF_ORDER'
  /** The MUSHRA test is finished: its scores are final. */
  | 'MUSHRA_DONE'
  /** A MUSHRA test submitted before every condition was heard and scored (BS.1534-3 asks for both). */
  | 'MUSHRA_INCOMPLETE'
  /** The call is for the other kind of test (an ABX call on a MUSHRA test, or the reverse). */
  | 'LISTENING_WRONG_KIND';

export class ListeningError extends Error {
  constructor(
    readonly code: ListeningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ListeningError';
  }
}
