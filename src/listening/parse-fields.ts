// The readers of a stored listening test's fields (ABX and MUSHRA files alike). A file copied from
// elsewhere, edited by hand or written by a later version may hold anything: each reader returns the
// field as the engine would have written it, or throws Damage naming the field and what is wrong,
// which the file's reader turns into LISTENING_DAMAGED.
import { describeValue } from '../util/describe-value.js';
import { labelProblem, LISTENING_FORMAT, LISTENING_VERSION, regionProblem, type ClipIdentity, type Region } from './abx-record.js';
import { ListeningError } from './errors.js';

/** Checks a stored audio reference; returns it (or a clean copy) or throws with what is wrong. */
export type RefCheck<Ref> = (value: unknown, where: string) => Ref;

export class Damage extends Error {}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function object(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new Damage(`${where} should be an object, not ${describeValue(v)}`);
  return v;
}

export function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Damage(`${where} should be a string, not ${describeValue(v)}`);
  return v;
}

export function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Damage(`${where} should be a finite number, not ${describeValue(v)}`);
  return v;
}

export function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Damage(`${where} should be true or false, not ${describeValue(v)}`);
  return v;
}

export function date(v: unknown, where: string): string {
  const s = str(v, where);
  if (Number.isNaN(Date.parse(s))) throw new Damage(`${where} is not a date: ${JSON.stringify(s.slice(0, 40))}`);
  return s;
}

export function label(v: unknown, where: string): string {
  const s = str(v, where);
  const problem = labelProblem(where, s);
  if (problem) throw new Damage(problem);
  return s;
}

export function region(v: unknown, where: string): Region {
  const o = object(v, where);
  const r = { start: num(o.start, `${where}.start`), end: num(o.end, `${where}.end`) };
  const problem = regionProblem(r);
  if (problem) throw new Damage(`${where}: ${problem}`);
  return r;
}

export function clip(v: unknown, where: string): ClipIdentity | null {
  if (v === null) return null;
  const o = object(v, where);
  const sha256 = str(o.sha256, `${where}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Damage(`${where}.sha256 is not a SHA-256 in hex`);
  return { name: str(o.name, `${where}.name`), sha256 };
}

/** A side's audio reference, as `checkRef` judges it; whatever it refuses is damage. */
export function ref<Ref>(checkRef: RefCheck<Ref>, v: unknown, where: string): Ref {
  try {
    return checkRef(v, where);
  } catch (e) {
    throw new Damage(e instanceof Error ? e.message : `${where} is not an audio reference`);
  }
}


/** The header every listening file starts with: format, version, kind (one of `kinds`), and its id (its file's name). */
export function header<K extends string>(v: unknown, id: string, kinds: readonly K[]): { o: Record<string, unknown>; kind: K } {
  const o = object(v, 'the file');
  if (o.format !== LISTENING_FORMAT) throw new Damage(`it is not a listening test (format ${describeValue(o.format)}, not '${LISTENING_FORMAT}')`);
  if (o.version !== LISTENING_VERSION) throw new Damage(`its version ${describeValue(o.version)} is not one this Codec Lab reads (${LISTENING_VERSION})`);
  if (!kinds.includes(o.kind as K)) throw new Damage(`its kind ${describeValue(o.kind)} is not one this Codec Lab reads (${kinds.map((k) => `'${k}'`).join(', ')})`);
  if (str(o.id, 'id') !== id) throw new Damage(`its id '${String(o.id).slice(0, 60)}' is not its file's name`);
  return { o, kind: o.kind as K };
}

/** `read` of test `id`, with Damage turned into LISTENING_DAMAGED naming the test. */
export function asDamaged<T>(id: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof Damage) throw new ListeningError('LISTENING_DAMAGED', `listening test ${id}: ${e.message}`);
    throw e;
  }
}
