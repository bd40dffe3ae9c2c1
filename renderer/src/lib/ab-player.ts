// Synchronised A/B playback on one AudioContext. Both sources start at the same `when` and run all
// the time; each goes through its own loudness-match gain and its own selection gain, and A/B only
// ramps the selection gains (a short linear crossfade), so a switch lands at the same position in
// both, within one audio block, and never clicks.
//
//   source A -> match A -> select A --\
//                                      +-> volume -> destination
//   source B -> match B -> select B --/

export type Side = 'A' | 'B';

/** Crossfade time for an A/B switch: short enough to feel instant, long enough not to click. */
export const CROSSFADE_SEC = 0.015;
/** Lead time before a (re)start, so both sources are scheduled before their start time comes. */
const START_LEAD_SEC = 0.03;

export interface LoopRegion {
  start: number;
  end: number;
}

/** Read-only view of the graph for the end-to-end tests (`window.__codecLabAudio`). */
export interface AudioView {
  readonly audible: Side | null;
  readonly selectGains: { A: number; B: number };
  readonly matchGains: { A: number; B: number };
  readonly volume: number;
  readonly bothRunning: boolean;
  readonly playing: boolean;
  readonly position: number;
  readonly contextState: string;
  readonly switches: number;
}

declare global {
  interface Window {
    /** The test hook: a read-only view of the A/B graph of the bench on screen. */
    __codecLabAudio?: AudioView;
  }
}

export function rms(buf: AudioBuffer): number {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < buf.numberOfChannels; c++) {
    const x = buf.getChannelData(c);
    for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
    n += x.length;
  }
  return Math.sqrt(sum / Math.max(1, n));
}

export class AbPlayer {
  readonly ctx: AudioContext;
  private readonly volumeNode: GainNode;
  private readonly match: Record<Side, GainNode>;
  private readonly select: Record<Side, GainNode>;
  private buffers: Record<Side, AudioBuffer | null> = { A: null, B: null };
  private sources: Record<Side, AudioBufferSourceNode | null> = { A: null, B: null };
  private running: Record<Side, boolean> = { A: false, B: false };
  private startedAt = 0;
  private startOffset = 0;
  private switchCount = 0;
  side: Side = 'A';
  playing = false;
  loop: LoopRegion | null = null;
  loopOn = false;
  matchLoudness = true;
  onEnded: (() => void) | null = null;

  constructor() {
    // The model's own rate: 24 kHz audio is then played and drawn without a resampling step.
    try {
      this.ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: 24000 });
    } catch {
      this.ctx = new AudioContext({ latencyHint: 'interactive' });
    }
    this.volumeNode = new GainNode(this.ctx, { gain: 0.8 });
    this.volumeNode.connect(this.ctx.destination);
    const make = (): [GainNode, GainNode] => {
      const m = new GainNode(this.ctx);
      const s = new GainNode(this.ctx, { gain: 0 });
      m.connect(s).connect(this.volumeNode);
      return [m, s];
    };
    const [ma, sa] = make();
    const [mb, sb] = make();
    this.match = { A: ma, B: mb };
    this.select = { A: sa, B: sb };
    this.select.A.gain.value = 1;
  }

  async decode(bytes: ArrayBuffer): Promise<AudioBuffer> {
    return this.ctx.decodeAudioData(bytes);
  }

  setBuffers(a: AudioBuffer, b: AudioBuffer): void {
    const wasPlaying = this.playing;
    const at = this.position;
    this.stopSources();
    this.buffers = { A: a, B: b };
    this.applyMatch();
    if (wasPlaying) this.play(Math.min(at, this.duration));
  }

  get duration(): number {
    return Math.min(this.buffers.A?.duration ?? 0, this.buffers.B?.duration ?? 0);
  }

  /** The loudness-match gains: each side scaled to the quieter side's RMS, so neither wins by level and nothing clips. */
  get matchGains(): { A: number; B: number } {
    const a = this.buffers.A ? rms(this.buffers.A) : 0;
    const b = this.buffers.B ? rms(this.buffers.B) : 0;
    if (!this.matchLoudness || a === 0 || b === 0) return { A: 1, B: 1 };
    const target = Math.min(a, b);
    return { A: target / a, B: target / b };
  }

  private applyMatch(): void {
    const g = this.matchGains;
    const t = this.ctx.currentTime;
    this.match.A.gain.setTargetAtTime(g.A, t, 0.01);
    this.match.B.gain.setTargetAtTime(g.B, t, 0.01);
  }

  setMatchLoudness(on: boolean): void {
    this.matchLoudness = on;
    this.applyMatch();
  }

  setVolume(v: number): void {
    this.volumeNode.gain.setTargetAtTime(v, this.ctx.currentTime, 0.01);
  }

  get volume(): number {
    return this.volumeNode.gain.value;
  }

  /** Seconds into the audio of what is heard now. */
  get position(): number {
    if (!this.playing) return this.startOffset;
    const t = this.startOffset + Math.max(0, this.ctx.currentTime - this.startedAt);
    const region = this.activeLoop();
    if (region && t >= region.end) return region.start + ((t - region.start) % (region.end - region.start));
    return Math.min(t, this.duration);
  }

  private activeLoop(): LoopRegion | null {
    const r = this.loop;
    return this.loopOn && r && r.end - r.start > 0.05 ? r : null;
  }

  async play(from = this.position): Promise<void> {
    const a = this.buffers.A;
    const b = this.buffers.B;
    if (!a || !b) return;
    if (this.ctx.state !== 'running') await this.ctx.resume();
    this.stopSources();
    const region = this.activeLoop();
    let offset = Math.max(0, Math.min(from, this.duration));
    if (region && (offset < region.start || offset >= region.end)) offset = region.start;
    if (!region && offset >= this.duration - 0.01) offset = 0;
    // One `when` for both: they run sample-aligned from here on.
    const when = this.ctx.currentTime + START_LEAD_SEC;
    for (const side of ['A', 'B'] as const) {
      const src = new AudioBufferSourceNode(this.ctx, { buffer: this.buffers[side] });
      if (region) {
        src.loop = true;
        src.loopStart = region.start;
        src.loopEnd = region.end;
      }
      src.connect(this.match[side]);
      src.onended = () => {
        if (this.sources[side] !== src) return;
        this.running[side] = false;
        this.sources[side] = null;
        if (!this.running.A && !this.running.B && this.playing) {
          this.playing = false;
          this.startOffset = 0;
          this.onEnded?.();
        }
      };
      src.start(when, offset);
      this.sources[side] = src;
      this.running[side] = true;
    }
    this.startedAt = when;
    this.startOffset = offset;
    this.playing = true;
  }

  pause(): void {
    if (!this.playing) return;
    const at = this.position;
    this.stopSources();
    this.playing = false;
    this.startOffset = at;
  }

  toggle(): void {
    if (this.playing) this.pause();
    else void this.play();
  }

  seek(t: number): void {
    const to = Math.max(0, Math.min(t, this.duration));
    if (this.playing) void this.play(to);
    else this.startOffset = to;
  }

  setLoop(region: LoopRegion | null, on: boolean): void {
    this.loop = region;
    this.loopOn = on;
    if (this.playing) void this.play(this.position);
  }

  /** Make `side` audible: ramp its selection gain up and the other's down over CROSSFADE_SEC. */
  choose(side: Side): void {
    if (side === this.side) return;
    this.side = side;
    this.switchCount++;
    const now = this.ctx.currentTime;
    for (const s of ['A', 'B'] as const) {
      const p = this.select[s].gain;
      p.cancelScheduledValues(now);
      p.setValueAtTime(p.value, now);
      p.linearRampToValueAtTime(s === side ? 1 : 0, now + CROSSFADE_SEC);
    }
  }

  toggleSide(): Side {
    this.choose(this.side === 'A' ? 'B' : 'A');
    return this.side;
  }

  private stopSources(): void {
    for (const side of ['A', 'B'] as const) {
      const src = this.sources[side];
      if (!src) continue;
      src.onended = null;
      try {
        src.stop();
      } catch {
        // Not started yet: nothing to stop.
      }
      src.disconnect();
      this.sources[side] = null;
      this.running[side] = false;
    }
  }

  view(): AudioView {
    const self = this;
    return Object.freeze({
      get audible() {
        return self.playing ? self.side : null;
      },
      get selectGains() {
        return { A: self.select.A.gain.value, B: self.select.B.gain.value };
      },
      get matchGains() {
        return { A: self.match.A.gain.value, B: self.match.B.gain.value };
      },
      get volume() {
        return self.volumeNode.gain.value;
      },
      get bothRunning() {
        return self.running.A && self.running.B && self.ctx.state === 'running';
      },
      get playing() {
        return self.playing;
      },
      get position() {
        return self.position;
      },
      get contextState() {
        return self.ctx.state;
      },
      get switches() {
        return self.switchCount;
      },
    });
  }

  close(): void {
    this.stopSources();
    void this.ctx.close();
  }
}
