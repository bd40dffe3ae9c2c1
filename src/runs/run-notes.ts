// A run's display title and free-text note, in `notes.json` in its folder: what the student calls
// the run, and what they want to remember about it. Renaming a run sets its title only: the folder
// and the run id stay as they are, so its log, the scripts that name it (`--run DIR`) and the other
// runs and tables that refer to it by id keep working. The trainer never writes notes.json, so a
// run can be annotated while it trains; the file is written whole (temporary name, then rename) like
// every other run file.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { readJson, writeJson } from './run-dir.js';
import { isRegularFile } from './run-files.js';

export const NOTES_FILE = 'notes.json';
export const TITLE_MAX = 120;
export const NOTE_MAX = 4000;
/**
 * A notes.json larger than this is not one the app wrote (4000 characters of note, each escaped in
 * JSON as at most 6 bytes, stay well below it), and is not read: the runs list reads every run's.
 */
const NOTES_FILE_MAX_BYTES = 64 * 1024;

export interface RunNotes {
  /** Shown instead of the run id; one line. */
  title?: string;
  note?: string;
}

/** What is wrong with a title or note the student gave, or null if it can be stored. */
export function notesProblem(notes: RunNotes): string | null {
  const { title, note } = notes;
  if (title !== undefined && typeof title !== 'string') return 'the title must be text';
  if (note !== undefined && typeof note !== 'string') return 'the note must be text';
  if (title !== undefined && title.length > TITLE_MAX) return `the title must have at most ${TITLE_MAX} characters, not ${title.length}`;
  // A title stands in for the run id on one line of a table: no line breaks or other control characters.
  if (title !== undefined && /\p{Cc}/u.test(title)) return 'the title must be one line, without control characters';
  if (note !== undefined && note.length > NOTE_MAX) return `the note must have at most ${NOTE_MAX} characters, not ${note.length}`;
  return null;
}

/**
 * The notes of the run in `dir`; {} when it has none. A notes.json the app cannot use (not JSON, a
 * link, too large, fields of the wrong type) is treated as absent rather than making the run
 * damaged: the notes decorate the run, its figures and weights are whole without them. The next
 * save replaces the file. Over-long values (a hand-edited file) are cut to the bounds.
 */
export function readRunNotes(dir: string): RunNotes {
  const file = path.join(dir, NOTES_FILE);
  try {
    if (!isRegularFile(file) || lstatSync(file).size > NOTES_FILE_MAX_BYTES) return {};
    const v = readJson<unknown>(file);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    const { title, note } = v as Record<string, unknown>;
    const out: RunNotes = {};
    if (typeof title === 'string' && title.trim()) out.title = title.trim().replace(/\p{Cc}+/gu, ' ').slice(0, TITLE_MAX);
    if (typeof note === 'string' && note.trim()) out.note = note.trim().slice(0, NOTE_MAX);
    return out;
  } catch {
    return {};
  }
}

/**
 * Store a change to the notes of the run in `dir` and return them as stored: a field given replaces
 * the old one (an empty one removes it), a field left out stays as it was. The caller has checked
 * the values with notesProblem.
 */
export function writeRunNotes(dir: string, change: RunNotes): RunNotes {
  const notes: RunNotes = { ...readRunNotes(dir) };
  for (const key of ['title', 'note'] as const) {
    const v = change[key];
    if (v === undefined) continue;
    if (v.trim()) notes[key] = v.trim();
    else delete notes[key];
  }
  writeJson(dir, NOTES_FILE, notes);
  return notes;
}
