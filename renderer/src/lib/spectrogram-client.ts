// Spectrograms are computed in a Web Worker (a same-origin file, which the web host's and the
// shell's Content-Security-Policy allow), so the window stays smooth. If no worker can run, the
// same code runs on the main thread in slices of a few milliseconds, yielding in between.
import { hopFor, maxOf, paint, SPEC_FFT, StftDb, type SpecImage } from './spectrogram.js';

let worker: Worker | null = null;
let workerFailed = false;
let nextId = 0;
const pending = new Map<number, { resolve: (images: SpecImage[]) => void; signals: Float32Array[]; sampleRate: number }>();

function failWorker(): void {
  workerFailed = true;
  worker?.terminate();
  worker = null;
  // Whatever was waiting on the worker is computed here instead.
  for (const [id, p] of pending) {
    pending.delete(id);
    void onMainThread(p.signals, p.sampleRate).then(p.resolve);
  }
}

function getWorker(): Worker | null {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(new URL('./spectrogram.worker.ts', import.meta.url), { type: 'module', name: 'spectrogram' });
    worker.onmessage = (m: MessageEvent<{ id: number; images: SpecImage[] }>) => {
      pending.get(m.data.id)?.resolve(m.data.images);
      pending.delete(m.data.id);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      failWorker();
    };
  } catch {
    workerFailed = true;
  }
  return worker;
}

const SLICE_MS = 8;
const yieldToUi = () => new Promise<void>((r) => setTimeout(r, 0));

async function onMainThread(signals: Float32Array[], sampleRate: number): Promise<SpecImage[]> {
  const hop = hopFor(Math.max(...signals.map((s) => s.length)));
  const specs = signals.map((s) => new StftDb(s, SPEC_FFT, hop));
  for (const st of specs) {
    for (;;) {
      const t0 = performance.now();
      let done = false;
      while (!done && performance.now() - t0 < SLICE_MS) done = st.step(8);
      if (done) break;
      await yieldToUi();
    }
  }
  const maxDb = maxOf(specs[0].db);
  const out: SpecImage[] = [];
  for (const s of specs) {
    await yieldToUi();
    out.push({ width: s.frames, height: s.bins, pixels: paint(s.db, s.frames, s.bins, maxDb), hopSec: hop / sampleRate, maxDb });
  }
  return out;
}

/** Images of the signals on one dB scale (the first signal's loudest cell at the top of the range). */
export async function spectrogramImages(signals: Float32Array[], sampleRate: number): Promise<SpecImage[]> {
  const w = getWorker();
  if (!w) return onMainThread(signals, sampleRate);
  const id = ++nextId;
  return new Promise((resolve) => {
    pending.set(id, { resolve, signals, sampleRate });
    // Copies go to the worker (transferred); the caller keeps its arrays for a fallback.
    const copies = signals.map((s) => s.slice());
    w.postMessage({ id, sampleRate, signals: copies }, copies.map((c) => c.buffer));
  });
}
