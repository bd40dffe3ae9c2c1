// codec-lab sweep: a grid of settings (src/train/sweep-grid.ts) trained as ordinary runs, one after
// another, through the run queue of the output folder (`<out>/queue.json`, the app's own queue when
// it is the app's runs folder). Ctrl-C stops the run in progress (kept, incomplete) and leaves the
// rest queued; `codec-lab sweep --resume` goes on where it stopped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_CLIP } from '../assets.js';
import { loadClips } from '../data/load.js';
import { audioSha256 } from '../runs/split-file.js';
import { QueueError, QueueStore, type QueueItem } from '../runs/run-queue.js';
import { newRunName } from '../runs/run-dir.js';
import { QueueRunner, type QueueView } from '../api/queue-runner.js';
import { expandSweep, SweepError, type SweepGrid } from '../train/sweep-grid.js';
import { resolveConfig, runLabel, type TrainConfig } from '../train/config.js';
import { startTraining, type TrainingHandle } from '../train/trainer.js';
import type { TrainResult } from '../train/run.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';

export const sweepHelp = `Usage: codec-lab sweep GRID.json [FILE...] [--out DIR] [--json]
       codec-lab sweep --resume [FILE...] [--out DIR] [--json]

Trains every combination of a grid of settings, one run after another, on the WAV files (the bundled
clip when none is given). GRID.json is {"base": {settings}, "grid": {"setting": [values], ...}}, with
the settings of a run as in config.json, e.g.
  {"base": {"preset": "tiny", "steps": 500}, "grid": {"loss": ["wave-l1", "mel-db-l1"], "lr": [1e-3, 3e-3]}}
(optimizer and schedule take names). The runs go through the run queue of the output folder
(DIR/queue.json, the app's own queue when DIR is its runs folder), so a sweep stopped by Ctrl-C or a
crash goes on with --resume; each run is an ordinary run folder whose config.json names the sweep.
One process runs a folder's queue at a time: while the app has DIR open, the sweep stops with
QUEUE_HELD (add it from the app's Sweep box instead).
  --out DIR   where the run folders and queue.json are (default ./runs)
  --resume    train what is still queued in DIR/queue.json (its clips must be among the files)
  --json      print one JSON array, one object per run of this sweep: {"runDir", "values", "status"}`;

export const sweepOptions = { out: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' } } as const;

function readGrid(file: string): SweepGrid {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('BAD_ARGUMENTS', `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as SweepGrid;
  } catch {
    throw new CliError('BAD_ARGUMENTS', `${file} is not JSON`);
  }
}

export async function sweepCommand(ctx: CommandContext, args: string[], v: Record<string, unknown>): Promise<number> {
  const resume = v.resume === true;
  const gridFile = resume ? null : (args[0] ?? null);
  const files = resume ? args : args.slice(1);
  if (!resume && !gridFile) throw new CliError('BAD_ARGUMENTS', 'codec-lab sweep needs GRID.json (or --resume)');
  let planned: ReturnType<typeof expandSweep> = [];
  if (gridFile) {
    try {
      planned = expandSweep(readGrid(gridFile));
    } catch (e) {
      if (e instanceof SweepError) throw new CliError('BAD_ARGUMENTS', e.message);
      throw e;
    }
  }
  const { clips, refused } = await loadClips(files.length ? files : [BUNDLED_CLIP]);
  for (const r of refused) ctx.err(`${r.file}: refused (${r.error.code}): ${r.error.message}`);
  if (clips.length === 0) throw new CliError('NO_USABLE_AUDIO', 'no audio to train on: every file was refused');
  const bySha = new Map(clips.map((c) => [audioSha256(c.audio), c]));
  const outDir = path.resolve(typeof v.out === 'string' ? v.out : 'runs');

  const active = new Map<string, TrainingHandle>();
  const queue = new QueueRunner(new QueueStore<TrainConfig>(outDir, (c) => resolveConfig(c as Partial<TrainConfig>)), {
    hasClip: (sha) => bySha.has(sha),
    startRun: (item: QueueItem<TrainConfig>): { runId: string; done: Promise<TrainResult> } => {
      const runId = newRunName(outDir, runLabel(item.config));
      const own = item.clips.map((c) => bySha.get(c.sha256)!);
      const handle = startTraining({ clips: own, config: item.config, outDir: path.join(outDir, runId), exactDir: true, clipNames: own.map((c) => c.file), group: item.group });
      active.set(runId, handle);
      ctx.err(`${item.group?.value ?? runId}: training (${runId})`);
      handle.done.then(
        (r) => ctx.err(`${item.group?.value ?? runId}: ${r.status}, best validation loss ${r.bestValLoss}`),
        (e) => ctx.err(`${item.group?.value ?? runId}: failed: ${(e as Error).message}`),
      );
      return { runId, done: handle.done.finally(() => active.delete(runId)) };
    },
    changed: () => {},
  }, 'codec-lab sweep');
  let mine: string[] = [];
  let interrupts = 0;
  try {
    try {
      queue.take();
    } catch (e) {
      if (e instanceof QueueError && e.code === 'QUEUE_HELD') {
        throw new QueueError('QUEUE_HELD', `the run queue of ${outDir} is run by ${queue.view().heldElsewhere}: add the sweep there (the app's Sweep box), or run it once that has ended`);
      }
      throw e;
    }
    const { damaged } = queue.view();
    // Never overwrite a queue file that could not be read: the student may want what is in it.
    if (damaged) throw new QueueError('QUEUE_DAMAGED', `${damaged}; move it aside to start a new queue`);

    const clipIds = clips.map((c) => ({ name: path.basename(c.file), sha256: audioSha256(c.audio) }));
    if (planned.length) {
      ctx.err(`${planned.length} runs queued in ${path.join(outDir, 'queue.json')}`);
      mine = queue.add(planned.map((p) => ({ config: p.config, clips: clipIds, group: p.group })));
    } else {
      queue.pump();
      mine = queue.view().items.filter((i) => i.status === 'queued' || i.status === 'running').map((i) => i.id);
      if (mine.length === 0) ctx.err('nothing is queued');
    }

    const onSigint = () => {
      if (++interrupts > 1) process.exit(130);
      ctx.err('stopping the run in progress (it is kept); the rest stays queued: codec-lab sweep --resume goes on');
      queue.close();
      for (const h of active.values()) h.stop();
    };
    process.on('SIGINT', onSigint);
    try {
      // Until none of this sweep's items can still start here (queued with clips at hand, or running).
      const pending = (q: QueueView) => q.items.some((i) => mine.includes(i.id) && (i.status === 'running' || (i.status === 'queued' && !i.waitingFor && interrupts === 0)));
      while (pending(queue.view())) await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    // Hand the queue on, however this ends (a run of someone else's still training stays `running`:
    // the next holder queues it again).
    queue.close();
  }
  const items = queue.view().items.filter((i) => mine.includes(i.id));
  if (v.json) ctx.out(JSON.stringify(items.map((i) => ({ runDir: i.runId ? path.join(outDir, i.runId) : null, values: i.group?.value ?? null, status: i.status, message: i.message ?? null }))));
  else for (const i of items) ctx.out(`${i.group?.value ?? i.id}: ${i.status}${i.runId ? ` (${i.runId})` : ''}${i.message ? `, ${i.message}` : ''}`);
  return interrupts > 0 ? 130 : items.some((i) => i.status === 'failed') ? 1 : 0;
}
