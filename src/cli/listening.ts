// codec-lab listening: the listening tests stored in a runs folder (`<runs>/listening/`, one JSON file
// each, written by the app), oldest first, with their verdicts.
import path from 'node:path';
import { ListeningStore, type StoredTest } from '../listening/store.js';
import { oldestFirst } from '../listening/summary.js';
import type { Region } from '../listening/abx-record.js';
import { listenedAudioRef } from '../api/validate.js';
import type { AudioRef } from '../api/contract.js';
import type { AbxVerdict } from '../common/listening-stats.js';
import type { MushraResult, MushraRole } from '../listening/mushra-record.js';
import type { CommandContext } from './context.js';

export const listeningHelp = `Usage: codec-lab listening [--runs DIR] [--json]

Lists the listening tests stored in DIR/listening (one JSON file per test, written by the app as the
test goes), oldest first: finished ones with their verdict, unfinished ones (which the app can resume
or discard) with how far they got, and damaged files with the reason.
  --runs DIR   the runs folder (default ./runs; the desktop app keeps its runs in its user-data folder)
  --json       print one JSON array on stdout, one object per test:
               {"id", "kind", "createdAt", "finishedAt", "listener", "clip", "conditions", "trials",
                "answered", "result"}
               For an ABX test (kind "abx"): "clip" is {"name", "sha256", "region"}, the library clip
               both sides play (name and sha256 null when they are a run's own test or validation
               audio) and the region looped at the start ({"start", "end"} in seconds, or null for the
               whole clip); "conditions" is [{"side": "A", "label", "audio"}, {"side": "B", ...}], each
               side's label and audio reference; "result" is {"correct", "trials", "pValue",
               "distinguished", "sentence"}, or null while unfinished.
               For a MUSHRA test (kind "mushra", ITU-R BS.1534-3): "conditions" lists the hidden
               reference, the anchors and the runs, [{"role", "label", "audio", "cutoffHz"}], in the
               record's order; "trials" is the number of conditions and "answered" how many are
               scored; "result" is {"scores" (0-100, by condition), "hiddenReferenceScore",
               "hiddenReferenceBelow90", "measures" (by condition: "lossesDb", "siSdrDb", "snrDb",
               "lsd", "mcdDb" on the rated excerpt, null for the hidden reference)}, or null while
               unfinished. A damaged file gives {"id", "kind": null, ..., "damaged": "why"}.`;

export interface ListedTest {
  id: string;
  kind: 'abx' | 'mushra' | null;
  createdAt: string | null;
  finishedAt: string | null;
  listener: string | null;
  clip: { name: string | null; sha256: string | null; region: Region | null } | null;
  conditions: ({ side: 'A' | 'B'; label: string; audio: AudioRef } | { role: MushraRole; label: string; audio: AudioRef; cutoffHz: number | null })[];
  /** ABX: trials and answers; MUSHRA: conditions and scored ones. */
  trials: number | null;
  answered: number | null;
  result: AbxVerdict | MushraResult | null;
  damaged?: string;
}

/** A stored test in the shape ({kind, createdAt, clip, conditions, result}), see the help. */
export function listedTest(t: StoredTest<AudioRef>): ListedTest {
  if ('damaged' in t) {
    return { id: t.id, kind: null, createdAt: null, finishedAt: null, listener: null, clip: null, conditions: [], trials: null, answered: null, result: null, damaged: t.damaged };
  }
  const r = t.record;
  if (r.kind === 'mushra') {
    return {
      id: r.id,
      kind: 'mushra',
      createdAt: r.createdAt,
      finishedAt: r.finishedAt ?? null,
      listener: r.listener ?? null,
      clip: { name: r.compared.clip?.name ?? null, sha256: r.compared.clip?.sha256 ?? null, region: r.region ?? null },
      conditions: r.compared.conditions.map((c) => ({ role: c.role, label: c.label, audio: c.audio, cutoffHz: c.cutoffHz ?? null })),
      trials: r.order.length,
      answered: r.scores.filter((v) => v !== null).length,
      result: r.result ?? null,
    };
  }
  return {
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt ?? null,
    listener: r.listener ?? null,
    clip: { name: r.compared.clip?.name ?? null, sha256: r.compared.clip?.sha256 ?? null, region: r.region ?? null },
    conditions: [
      { side: 'A', label: r.compared.labels.A, audio: r.compared.a },
      { side: 'B', label: r.compared.labels.B, audio: r.compared.b },
    ],
    trials: r.trials,
    answered: r.answers.length,
    result: r.result ?? null,
  };
}

/** One readable line per test. */
function line(t: ListedTest): string {
  if (t.damaged !== undefined) return `${t.id}: damaged: ${t.damaged}`;
  if (t.kind === 'mushra') return mushraLine(t);
  const [a, b] = t.conditions;
  const on = t.clip?.name ? ` on ${t.clip.name}` : '';
  const region = t.clip?.region ? ` (${t.clip.region.start}-${t.clip.region.end} s)` : '';
  const who = t.listener ? `, ${t.listener}` : '';
  const outcome = t.result ? (t.result as AbxVerdict).sentence : `unfinished, ${t.answered} of ${t.trials} trials answered`;
  return `${t.createdAt} ABX ${a.label} vs ${b.label}${on}${region}${who}: ${outcome}`;
}

function mushraLine(t: ListedTest): string {
  const on = t.clip?.name ? ` on ${t.clip.name}` : '';
  const who = t.listener ? `, ${t.listener}` : '';
  const r = t.result as MushraResult | null;
  const outcome = r
    ? t.conditions.map((c, i) => `${c.label} ${r.scores[i]}`).join(', ') + (r.hiddenReferenceBelow90 ? ' (hidden reference below 90: counts against the listener)' : '')
    : `unfinished, ${t.answered} of ${t.trials} conditions scored`;
  return `${t.createdAt} MUSHRA${on}${who}: ${outcome}`;
}

export async function listeningCommand(ctx: CommandContext, _args: string[], v: Record<string, unknown>): Promise<number> {
  const runsDir = path.resolve(typeof v.runs === 'string' ? v.runs : 'runs');
  const tests = oldestFirst(new ListeningStore<AudioRef>(runsDir, listenedAudioRef).list()).map(listedTest);
  if (v.json) {
    ctx.out(JSON.stringify(tests, null, 2));
    return 0;
  }
  ctx.out(tests.length ? tests.map(line).join('\n') : `no listening tests in ${path.join(runsDir, 'listening')}`);
  return 0;
}
