// How much kernel-core memory a training configuration needs, so that a batch or segment too large
// for the core is refused with a clear message when the run is configured, not by an abort deep in
// the WebAssembly allocator after the run folder exists.
//
// The limit: the core is 32-bit WebAssembly, and its `alloc` returns byte offsets to JavaScript as
// signed 32-bit integers, so anything placed at or above 2 GiB comes back as a negative offset that
// no Float32Array can view (and one allocation may not exceed 1 GiB, the stub runtime's block
// limit). Everything a training thread allocates must therefore fit below 2 GiB; we budget 1.75 GiB
// of it and keep the rest for what the estimate below does not count.
//
// The estimate: a training thread's core holds the parameters, their gradients and optimizer state
// (a few MiB, in FIXED), the training graph for its share of the batch (activations, their
// gradients, the loss's buffers: proportional to share x segment), and the validation graph and loss
// for one segment (proportional to segment). The per-sample figures were measured with the largest
// loss (mrstft) by reading the allocator's high-water mark after building a TrainingSession's
// buffers at batch 1 and 5 of 8,192 samples and batch 1 of 32,768, the worst loss each time (small:
// 1,273 bytes per batch sample and 1,780 per segment sample; tiny: 751 and 1,325; the training
// graph's activation gradients share buffers by liveness and ELUs run in place, src/nn/model.ts),
// and are rounded up by about 5%. tests/api/kernel-memory.test.ts checks them against a real
// session, so a change to the model that needs more memory fails a test rather than a run.
//
// A network of another shape (a wider one, or a hop whose first stride is 2) holds more activation
// per sample: its batch figure is scaled by the ratio of its activations to its preset's (never
// below 1: the loss's buffers, which do not shrink with the network, are part of the figure).
import { PRESETS, setupBPreset, type LayerSpec, type Preset, type PresetName } from '../nn/presets.js';

export const KERNEL_MEMORY_BUDGET = 1.75 * 2 ** 30;

const FIXED = 16 * 2 ** 20;

/** Bytes per sample of one thread's share of the batch, and per sample of one segment. */
const PER_SAMPLE: Record<PresetName, { batch: number; segment: number }> = {
  small: { batch: 1340, segment: 1870 },
  tiny: { batch: 790, segment: 1390 },
};

/**
 * Floats of activation per input audio sample in a network's forward graph: every layer's output
 * (a residual block's four inner outputs and its sum). What a graph holds grows with it (it keeps
 * about half of them, and the gradients a fraction), so the ratio of two networks' counts scales a figure.
 */
export function activationsPerSample(p: Preset): number {
  let floats = 0;
  const walk = (specs: readonly LayerSpec[], channels: number, rate: number) => {
    for (const s of specs) {
      if (s.kind === 'conv' || s.kind === 'convT') {
        rate = s.kind === 'conv' ? rate / s.stride : rate * s.stride;
        channels = s.cout;
        floats += channels * rate;
      } else if (s.kind === 'res') floats += 5 * s.c * rate;
      else floats += channels * rate;
    }
  };
  walk(p.encoder, 1, 1);
  walk(p.decoder, p.latent, 1 / p.hop);
  return floats;
}

/** Bytes per sample for `model` (a network of `preset`; absent: the preset itself). */
function perSample(preset: PresetName, model?: Preset): { batch: number; segment: number } {
  const k = PER_SAMPLE[preset];
  if (!model) return k;
  const own = model.spectrogram ? setupBPreset(PRESETS[preset], model.spectrogram.space, model.spectrogram.glIters) : PRESETS[preset];
  const scale = Math.max(1, activationsPerSample(model) / activationsPerSample(own));
  return { batch: k.batch * scale, segment: k.segment * scale };
}

/** Estimated bytes of kernel core one training thread needs for `share` segments of `segment` samples. */
export function trainingCoreBytes(preset: PresetName, share: number, segment: number, model?: Preset): number {
  const k = perSample(preset, model);
  return FIXED + share * segment * k.batch + segment * k.segment;
}

/** The largest share of a batch that fits the budget at this segment length (0 if none does). */
export function largestShare(preset: PresetName, segment: number, model?: Preset): number {
  const k = perSample(preset, model);
  return Math.max(0, Math.floor((KERNEL_MEMORY_BUDGET - FIXED - segment * k.segment) / (segment * k.batch)));
}
