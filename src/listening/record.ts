// A stored listening test of either kind, and the reader that tells them apart by the file's `kind`.
import type { AbxRecord } from './abx-record.js';
import type { MushraRecord } from './mushra-record.js';
import { abxFromJson } from './abx-parse.js';
import { mushraFromJson } from './mushra-parse.js';
import { asDamaged, header, type RefCheck } from './parse-fields.js';
import { ListeningError } from './errors.js';

export type ListeningRecord<Ref = unknown> = AbxRecord<Ref> | MushraRecord<Ref>;
export type ListeningKind = ListeningRecord['kind'];

/**
 * The test `value` holds (a file's parsed JSON, the file named `<id>.json`), rebuilt from the known
 * fields only; LISTENING_DAMAGED with the reason if it is none. `checkRef` judges its audio
 * references (whatever it throws, its message becomes the reason).
 */
export function parseListeningRecord<Ref>(value: unknown, id: string, checkRef: RefCheck<Ref>): ListeningRecord<Ref> {
  return asDamaged(id, () => (header(value, id, ['abx', 'mushra']).kind === 'abx' ? abxFromJson(value, id, checkRef) : mushraFromJson(value, id, checkRef)));
}

/** The record if it is of `kind`; LISTENING_WRONG_KIND otherwise. */
export function requireKind<Ref, K extends ListeningKind>(r: ListeningRecord<Ref>, kind: K): Extract<ListeningRecord<Ref>, { kind: K }> {
  if (r.kind !== kind) throw new ListeningError('LISTENING_WRONG_KIND', `test ${r.id} is ${r.kind === 'abx' ? 'an ABX' : 'a MUSHRA'} test, not ${kind === 'abx' ? 'an ABX' : 'a MUSHRA'} one`);
  return r as Extract<ListeningRecord<Ref>, { kind: K }>;
}
