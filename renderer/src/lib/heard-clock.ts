// How long each MUSHRA slot has been heard: milliseconds while it was the audible side AND playback
// ran. BS.1534-3 asks the listener to hear every condition before rating it, and the engine refuses
// a submission with a slot never heard (heardMs 0), so the page must count this itself; the count
// only ever grows (the engine keeps the larger of the stored and the sent value anyway).

export class HeardClock {
  /** By slot, counted from 0. */
  readonly heardMs: number[];
  /** The slot being heard since `since` (performance.now()), or null: the reference, or paused. */
  private current: number | null = null;
  private since = 0;

  constructor(initial: readonly number[]) {
    this.heardMs = initial.map((ms) => Math.max(0, ms));
  }

  /**
   * Say what is heard from `now` on: slot index `slot` (from 0), or null (the reference, or nothing
   * playing). The time since the last call goes to the slot heard until now.
   */
  mark(slot: number | null, now: number): void {
    this.settle(now);
    this.current = slot;
    this.since = now;
  }

  /** Add the time up to `now` to the slot being heard, without changing what is heard. */
  settle(now: number): void {
    if (this.current !== null && now > this.since) this.heardMs[this.current] += now - this.since;
    this.since = now;
  }

  /** Whole milliseconds, as stored; rounded up, so a slot heard at all never reads as unheard. */
  rounded(): number[] {
    return this.heardMs.map((ms) => Math.ceil(ms));
  }
}
