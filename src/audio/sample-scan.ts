// What the decoded samples say about a file as a whole, gathered a chunk at a time so a file can be
// checked without holding it: non-finite values (refused: NaN must never reach training) and
// digital silence (loaded, with a warning: there is nothing in it for a codec to learn).
import { AudioError } from './errors.js';

/** Frames named in a NON_FINITE_SAMPLES message. */
const LISTED = 5;

export const SILENCE_WARNING = 'every sample is zero: the clip is digital silence, so a codec has nothing to learn from it';

export class SampleScan {
  private nonFinite = 0;
  /** The first LISTED frames holding a non-finite sample, ascending. */
  private readonly badFrames: number[] = [];
  private sound = false;

  /** `float`: the file stores floats, which alone can hold NaN or Infinity. */
  constructor(private readonly float: boolean) {}

  /** Nothing later can change the verdict: integer samples are always finite, so one non-zero sample settles it. */
  get settled(): boolean {
    return !this.float && this.sound;
  }

  /** Look at `channels[c][from .. to)`, which hold the file's frames from `firstFrame` on. */
  add(channels: readonly Float32Array[], from: number, to: number, firstFrame: number): void {
    if (!this.float) {
      for (const ch of channels) {
        if (this.sound) return;
        for (let i = from; i < to; i++) {
          if (ch[i] !== 0) {
            this.sound = true;
            return;
          }
        }
      }
      return;
    }
    for (const ch of channels) {
      for (let i = from; i < to; i++) {
        const x = ch[i];
        // x - x is 0 for every finite x and NaN for NaN and the infinities.
        if (x - x !== 0) this.markBad(firstFrame + i - from);
        else if (x !== 0) this.sound = true;
      }
    }
  }

  private markBad(frame: number): void {
    this.nonFinite++;
    const list = this.badFrames;
    if (list.includes(frame) || (list.length === LISTED && frame > list[LISTED - 1])) return;
    list.push(frame);
    list.sort((a, b) => a - b);
    if (list.length > LISTED) list.pop();
  }

  /** Refuse non-finite samples, naming the first frames that hold them; otherwise the warnings. */
  verdict(): string[] {
    if (this.nonFinite > 0) {
      const where = this.badFrames.join(', ');
      const more = this.nonFinite > this.badFrames.length ? ', ...' : '';
      throw new AudioError(
        'NON_FINITE_SAMPLES',
        `non-finite samples (NaN/Inf): ${this.nonFinite} in all, at frame${this.badFrames.length > 1 ? 's' : ''} ${where}${more}`,
      );
    }
    return this.sound ? [] : [SILENCE_WARNING];
  }
}
