// A value of an unexpected type, named the way an error message should say it ('the string "0.001"',
// 'a list', 'nothing'), without echoing more than a short excerpt of whatever was sent.
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return 'bytes';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
