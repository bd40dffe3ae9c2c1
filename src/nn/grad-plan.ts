// Where a training graph's activation gradients live, decided once when the graph is built.
//
// An activation's gradient is alive only from the backward op that first writes it to the one that
// last reads it; outside that window its buffer can hold another gradient. The plan walks the
// backward ops in order, gives each gradient the smallest free buffer that holds it (a new one
// only when none does), and returns the buffer to the pool after its last use. It also says
// where a buffer must be zeroed: only just before its first accumulation (the backward kernels
// add, `dx += ...`), never where the caller writes it (the loss's output gradient), and not where
// that first accumulation is a kernel that can write instead of add (a FirstWrite the plan turns on:
// the convolutions' and activations' dx), which saves a pass over the buffer and the kernel's read of it.
//
// A pass-through (`dx += dy`: the residual join, the straight-through quantizer) costs nothing when
// dx can simply be dy's buffer. That is safe when dx is first written by the pass-through itself and,
// from there on, everything else sharing the buffer only reads it before dx's first accumulation,
// so the buffer holds each gradient's value whenever that gradient is used. Otherwise the
// pass-through runs as an addition.
//
// Steps are numbered in forward order (the op's index in the graph); the backward runs them last to first.
import type { KernelCore } from '../kernels/core.js';

/** One activation's gradient: its length, and its buffer once planned (a byte offset; 0 before). */
export interface GradSlot {
  readonly floats: number;
  ptr: number;
}

/** `to += from` at a step; `aliased` (decided by plan()) when `to` is `from`'s buffer and nothing need run. */
export interface PassThrough {
  readonly from: GradSlot;
  readonly to: GradSlot;
  aliased: boolean;
}

/**
 * An accumulation whose kernel can also overwrite. plan() sets `overwrite` when it is the first
 * thing to touch its buffer (alone at its step), so the buffer needs no zeroing and the kernel writes.
 */
export interface FirstWrite {
  overwrite: boolean;
}

/** A buffer to zero before a step's backward. */
export interface ZeroRange {
  ptr: number;
  floats: number;
}

export interface GradPlan {
  /** Per step (forward index): the buffers to zero just before that step's backward runs. */
  zeroBefore: ZeroRange[][];
  /** The buffers the caller writes before backward (the output's gradient), to zero before each step. */
  callerWritten: ZeroRange[];
  /** Floats allocated for all gradients. */
  floats: number;
}

type Kind = 'read' | 'accumulate' | 'caller';

/** An access at a backward position: 0 is the first backward op, -1 the caller (before), n the end. */
interface Access {
  at: number;
  kind: Kind;
  write?: FirstWrite;
}

class Group {
  readonly slots: GradSlot[] = [];
  readonly accesses: Access[] = [];
  constructor(slot: GradSlot) {
    this.slots.push(slot);
  }
}

export class GradPlanner {
  private readonly slots: GradSlot[] = [];
  private readonly accesses = new Map<GradSlot, { step: number; kind: Kind; write?: FirstWrite }[]>();
  private readonly passes: { step: number; pass: PassThrough }[] = [];
  private readonly kept = new Set<GradSlot>();
  private readonly callerWrites = new Set<GradSlot>();

  slot(floats: number): GradSlot {
    const s: GradSlot = { floats, ptr: 0 };
    this.slots.push(s);
    this.accesses.set(s, []);
    return s;
  }

  /** The backward of `step` reads `slot`. */
  read(step: number, slot: GradSlot): void {
    this.accesses.get(slot)!.push({ step, kind: 'read' });
  }

  /** The backward of `step` adds into `slot`. */
  accumulate(step: number, slot: GradSlot): void {
    this.accesses.get(slot)!.push({ step, kind: 'accumulate' });
  }

  /** The backward of `step` adds into `slot` with a kernel that can write instead; plan() says which it does. */
  accumulateOrWrite(step: number, slot: GradSlot): FirstWrite {
    const write: FirstWrite = { overwrite: false };
    this.accesses.get(slot)!.push({ step, kind: 'accumulate', write });
    return write;
  }

  /** The backward of `step` does `to += from`; plan() decides whether that is an alias. */
  passThrough(step: number, from: GradSlot, to: GradSlot): PassThrough {
    const pass: PassThrough = { from, to, aliased: false };
    this.passes.push({ step, pass });
    return pass;
  }

  /** `slot` keeps its value until the end of backward (a gradient the graph exposes). */
  keep(slot: GradSlot): void {
    this.kept.add(slot);
  }

  /** The caller writes `slot` before backward (after zeroing it: see GradPlan.callerWritten); it is kept too. */
  writtenByCaller(slot: GradSlot): void {
    this.callerWrites.add(slot);
    this.kept.add(slot);
  }

  /** Decide aliases, buffers and zeroing for a graph of `steps` ops, and allocate the buffers. */
  plan(core: KernelCore, steps: number): GradPlan {
    const back = (step: number) => steps - 1 - step;
    const groupOf = new Map<GradSlot, Group>();
    for (const s of this.slots) {
      const g = new Group(s);
      for (const a of this.accesses.get(s)!) g.accesses.push({ at: back(a.step), kind: a.kind, write: a.write });
      if (this.callerWrites.has(s)) g.accesses.push({ at: -1, kind: 'caller' });
      if (this.kept.has(s)) g.accesses.push({ at: steps, kind: 'read' });
      groupOf.set(s, g);
    }
    // Pass-throughs in backward order, so each decision sees the ones before it.
    const passes = [...this.passes].sort((a, b) => back(a.step) - back(b.step));
    for (const { step, pass } of passes) {
      const at = back(step);
      const from = groupOf.get(pass.from)!;
      const to = groupOf.get(pass.to)!;
      if (from !== to && canAlias(from, to, at)) {
        pass.aliased = true;
        for (const s of to.slots) groupOf.set(s, from);
        from.slots.push(...to.slots);
        from.accesses.push(...to.accesses);
      } else {
        from.accesses.push({ at, kind: 'read' });
        to.accesses.push({ at, kind: 'accumulate' });
      }
    }
    const groups = [...new Set(groupOf.values())].filter((g) => g.accesses.length > 0);
    const zeroBefore: ZeroRange[][] = Array.from({ length: steps }, () => []);
    const callerWritten: ZeroRange[] = [];
    // Allocation: walk positions -1 .. steps; take buffers for groups starting there, then free those ending there.
    const span = (g: Group) => ({ first: Math.min(...g.accesses.map((a) => a.at)), last: Math.max(...g.accesses.map((a) => a.at)) });
    const spans = new Map(groups.map((g) => [g, span(g)]));
    const free: ZeroRange[] = [];
    const owned = new Map<Group, ZeroRange>();
    let floats = 0;
    for (let at = -1; at <= steps; at++) {
      for (const g of groups) {
        if (spans.get(g)!.first !== at) continue;
        const n = g.slots[0].floats;
        const buffer = takeFree(free, n) ?? { ptr: core.allocF32(n), floats: n };
        owned.set(g, buffer);
        const { ptr } = buffer;
        for (const s of g.slots) s.ptr = ptr;
        const firsts = g.accesses.filter((a) => a.at === at);
        if (firsts.some((a) => a.kind === 'caller')) callerWritten.push({ ptr, floats: n });
        // First touched by one kernel that can write: it writes, nothing zeroes.
        else if (firsts.length === 1 && firsts[0].write) firsts[0].write.overwrite = true;
        // First touched by an accumulation (or, defensively, a read of a gradient nothing wrote): zero it first.
        else zeroBefore[steps - 1 - at].push({ ptr, floats: n });
      }
      for (const g of groups) if (spans.get(g)!.last === at) free.push(owned.get(g)!);
    }
    for (const b of new Set(owned.values())) floats += b.floats;
    return { zeroBefore, callerWritten, floats };
  }
}

/**
 * The smallest free buffer that holds `floats` (taken out of `free`), or none. Smaller gradients
 * (the network's narrow middle) reuse the wide layers' buffers instead of growing the pool; the
 * graph's activations take freed buffers the same way (src/nn/model.ts).
 */
export function takeFree<B extends { floats: number }>(free: B[], floats: number): B | undefined {
  let best = -1;
  for (let i = 0; i < free.length; i++) if (free[i].floats >= floats && (best < 0 || free[i].floats < free[best].floats)) best = i;
  return best < 0 ? undefined : free.splice(best, 1)[0];
}

/**
 * May `to` become `from`'s buffer at backward position `at`? Only if `to` is untouched before `at`,
 * and after `at` every gradient already in `from`'s buffer (including targets aliased to it earlier,
 * at this position too) is only read, and only before `to`'s first accumulation.
 */
function canAlias(from: Group, to: Group, at: number): boolean {
  if (to.slots.some((s) => s.floats !== from.slots[0].floats)) return false;
  if (to.accesses.some((a) => a.at <= at)) return false;
  const firstAdd = Math.min(...to.accesses.filter((a) => a.kind !== 'read').map((a) => a.at));
  const others = from.accesses.filter((a) => a.at > at);
  return others.every((a) => a.kind === 'read' && a.at < firstAdd);
}
