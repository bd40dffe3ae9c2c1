// Which weights a run keeps when it ends. Weights whose values are all finite can still give audio
// that is not: the weights of a diverging run gave finite losses on the training batches and then
// overflow on other audio. So each weights file a run writes must turn the run's own validation and
// test audio into finite audio; if the weights it would hold do not, the next candidate in a fixed
// order is kept instead (and the run says so), down to the initial weights.
import { KernelCore } from '../kernels/core.js';
import { Codec } from '../nn/codec.js';
import type { Preset } from '../nn/presets.js';
import { runCodec, type Inference } from '../eval/evaluate.js';

export interface Candidate {
  /** What these weights are, in words ("the best weights"). */
  what: string;
  /** The training step they are the weights after (0: the initial weights). */
  step: number;
  params: Float32Array;
}

export interface Usable {
  candidate: Candidate;
  /** A codec with these weights, already shown to give finite audio on the checked segments. */
  codec: Codec;
  /** Its output on each group of segments, in the order given, with the time it took: the check made them, so nobody makes them again. */
  outputs: Inference[];
}

export class UsableWeights {
  /** One core for every candidate: at most three small models, for the few seconds the run takes to end. */
  private readonly core = KernelCore.create();
  private readonly verdicts = new Map<Candidate, Usable | null>();

  constructor(
    private readonly preset: Preset,
    /** The audio every kept weights must turn into finite audio, in groups (a split each). */
    private readonly groups: readonly (readonly Float32Array[])[],
  ) {}

  /** The codec and its outputs if its output on every segment is finite, else null (each candidate is tried once). */
  check(candidate: Candidate): Usable | null {
    if (!this.verdicts.has(candidate)) {
      const codec = new Codec(this.preset, candidate.params, this.core);
      const outputs: Inference[] = [];
      for (const group of this.groups) {
        const run = runCodec(codec, group, allFinite);
        if (!run) break;
        outputs.push(run);
      }
      this.verdicts.set(candidate, outputs.length === this.groups.length ? { candidate, codec, outputs } : null);
    }
    return this.verdicts.get(candidate) ?? null;
  }

  /** The first candidate whose output is finite, or null if none is. */
  first(candidates: readonly Candidate[]): Usable | null {
    for (const candidate of candidates) {
      const usable = this.check(candidate);
      if (usable) return usable;
    }
    return null;
  }
}

function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
