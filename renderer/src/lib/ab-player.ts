// Synchronised A/B playback on one AudioContext. Both sources start at the same `when` and run all
// the time; each goes through its own loudness-match gain and its own selection gain, and A/B only
// ramps the selection gains (a short linear crossfade), so a switch lands at the same position in
// both, within one audio block, and never clicks. Starting, pausing, seeking and each jump of a loop
// fade the same way: every pass of the sources has its own fade envelope.
//
//   source A -> envelope A -> match A -> select A --\
//                                                    +-> volume -> destination
//   source B -> envelope B -> match B -> select B --/

/** The sides of the Listen bench; a blind test adds X (one of them, unnamed). */
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
export interface AudioView<S extends string = Side> {
  readonly audible: S | null;
  readonly selectGains: Record<S, number>;
  readonly matchGains: Record<S, number>;
  readonly volume: number;
  readonly bothRunning: boolean;
  readonly playing: boolean;
  readonly position: number;
  readonly contextState: string;
  readonly switches: number;
  /** Passes faded out so far (pause, seek, restart: none is a hard cut). */
  readonly fadeOuts: number;
  /** Passes of the loop region started so far (each faded in and out). */
  readonly loopPasses: number;
  readonly loopOn: boolean;
}

declare global {
  interface Window {
    /** The test hook: a read-only view of the A/B graph of the bench on screen. */
    __codecLabAudio?: AudioView<string>;
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

/** One pass of every side's source over a stretch of the audio, each through its own fade envelope. */
interface Voice<S extends string> {
  src: Record<S, AudioBufferSourceNode>;
  env: Record<S, GainNode>;
  /** Context time it starts and (for a loop pass) ends; Infinity when it plays to the end. */
  start: number;
  end: number;
}

/**
 * Sides that play in sync, one audible at a time: A and B on the Listen bench; A, B and X in a blind
 * ABX test (X's buffer is one of the others, and nothing here knows which).
 */
export class AbPlayer<S extends string = Side> {
  readonly ctx: AudioContext;
  private readonly volumeNode: GainNode;
  private readonly match: Record<S, GainNode>;
  private readonly select: Record<S, GainNode>;
  private buffers: Record<S, AudioBuffer> | null = null;
  /** The passes scheduled now: the one playing and, in a loop, the next. */
  private voices: Voice<S>[] = [];
  private startedAt = 0;
  private startOffset = 0;
  private switchCount = 0;
  private fadeOutCount = 0;
  private loopPassCount = 0;
  private loopTimer: ReturnType<typeof setInterval> | null = null;
  side: S;
  playing = false;
  loop: LoopRegion | null = null;
  loopOn = false;
  matchLoudness = true;
  onEnded: (() => void) | null = null;

  constructor(readonly sides: readonly S[] = ['A', 'B'] as unknown as readonly S[]) {
    this.side = sides[0];
    // The model's own rate: 24 kHz audio is then played and drawn without a resampling step.
    try {
      this.ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: 24000 });
    } catch {
      this.ctx = new AudioContext({ latencyHint: 'interactive' });
    }
    this.volumeNode = new GainNode(this.ctx, { gain: 0.8 });
    this.volumeNode.connect(this.ctx.destination);
    this.match = {} as Record<S, GainNode>;
    this.select = {} as Record<S, GainNode>;
    for (const side of sides) {
      this.match[side] = new GainNode(this.ctx);
      this.select[side] = new GainNode(this.ctx, { gain: side === this.side ? 1 : 0 });
      this.match[side].connect(this.select[side]).connect(this.volumeNode);
    }
  }

  async decode(bytes: ArrayBuffer): Promise<AudioBuffer> {
    return this.ctx.decodeAudioData(bytes);
  }

  setBuffers(buffers: Record<S, AudioBuffer>): void {
    const wasPlaying = this.playing;
    const at = this.position;
    this.fadeOutVoices();
    this.buffers = buffers;
    this.applyMatch();
    if (wasPlaying) void this.play(Math.min(at, this.duration));
  }

  get duration(): number {
    const b = this.buffers;
    return b ? Math.min(...this.sides.map((s) => b[s].duration)) : 0;
  }

  /**
   * The loudness-match gains: each side scaled to the quietest side's RMS, so none wins by level and
   * nothing clips. X, a copy of A or B, gets exactly its twin's gain.
   */
  get matchGains(): Record<S, number> {
    const out = {} as Record<S, number>;
    const b = this.buffers;
    const levels = this.sides.map((s) => (b ? rms(b[s]) : 0));
    const target = Math.min(...levels);
    this.sides.forEach((s, i) => (out[s] = !this.matchLoudness || target === 0 ? 1 : target / levels[i]));
    return out;
  }

  private applyMatch(): void {
    const g = this.matchGains;
    const t = this.ctx.currentTime;
    for (const s of this.sides) this.match[s].gain.setTargetAtTime(g[s], t, 0.01);
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

  /**
   * Start both sources at `when` from `offset`, faded in over CROSSFADE_SEC; with `length`, they fade
   * out over the last CROSSFADE_SEC of it and stop at its end (one pass of a loop). Every start, stop
   * and jump is such a fade, as an A/B switch is: a cut in a waveform clicks, a 15 ms ramp does not.
   */
  private startVoice(when: number, offset: number, length: number | null): Voice<S> {
    const src = {} as Record<S, AudioBufferSourceNode>;
    const env = {} as Record<S, GainNode>;
    const end = length === null ? Infinity : when + length;
    const voice: Voice<S> = { src, env, start: when, end };
    for (const side of this.sides) {
      const e = new GainNode(this.ctx, { gain: 0 });
      e.gain.setValueAtTime(0, when);
      e.gain.linearRampToValueAtTime(1, when + CROSSFADE_SEC);
      if (length !== null) {
        e.gain.setValueAtTime(1, Math.max(when + CROSSFADE_SEC, end - CROSSFADE_SEC));
        e.gain.linearRampToValueAtTime(0, end);
      }
      e.connect(this.match[side]);
      const s = new AudioBufferSourceNode(this.ctx, { buffer: this.buffers![side] });
      s.connect(e);
      s.onended = () => this.voiceEnded(voice);
      if (length === null) s.start(when, offset);
      else s.start(when, offset, length);
      src[side] = s;
      env[side] = e;
    }
    this.voices.push(voice);
    return voice;
  }

  /** A pass that played to its end: the last one without a loop ends playback. */
  private voiceEnded(voice: Voice<S>): void {
    if (!this.voices.includes(voice)) return;
    this.dropVoice(voice);
    if (this.voices.length === 0 && this.playing && !this.activeLoop()) {
      this.playing = false;
      this.startOffset = 0;
      this.stopLoopTimer();
      this.onEnded?.();
    }
  }

  private dropVoice(voice: Voice<S>): void {
    this.voices = this.voices.filter((v) => v !== voice);
    for (const side of this.sides) {
      voice.src[side].onended = null;
      voice.src[side].disconnect();
      voice.env[side].disconnect();
    }
  }

  async play(from = this.position): Promise<void> {
    if (!this.buffers) return;
    if (this.ctx.state !== 'running') await this.ctx.resume();
    this.fadeOutVoices();
    const region = this.activeLoop();
    let offset = Math.max(0, Math.min(from, this.duration));
    if (region && (offset < region.start || offset >= region.end)) offset = region.start;
    if (!region && offset >= this.duration - 0.01) offset = 0;
    // One `when` for both: they run sample-aligned from here on.
    const when = this.ctx.currentTime + START_LEAD_SEC;
    this.startedAt = when;
    this.startOffset = offset;
    this.playing = true;
    if (!region) {
      this.startVoice(when, offset, null);
      return;
    }
    // A loop is a chain of passes, each faded in and out, scheduled a little ahead of time.
    let next = this.startVoice(when, offset, region.end - offset);
    this.loopPassCount++;
    this.stopLoopTimer();
    this.loopTimer = setInterval(() => {
      if (!this.playing) return this.stopLoopTimer();
      if (this.ctx.currentTime > next.end - 0.25) {
        next = this.startVoice(next.end, region.start, region.end - region.start);
        this.loopPassCount++;
      }
    }, 50);
  }

  pause(): void {
    if (!this.playing) return;
    const at = this.position;
    this.fadeOutVoices();
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
    // Where we are, read while the old loop still applies (it folds the time into the region).
    const at = this.position;
    this.loop = region;
    this.loopOn = on;
    if (this.playing) void this.play(at);
  }

  /** Make `side` audible: ramp its selection gain up and the others' down over CROSSFADE_SEC. */
  choose(side: S): void {
    if (side === this.side) return;
    this.side = side;
    this.switchCount++;
    const now = this.ctx.currentTime;
    for (const s of this.sides) {
      const p = this.select[s].gain;
      p.cancelScheduledValues(now);
      p.setValueAtTime(p.value, now);
      p.linearRampToValueAtTime(s === side ? 1 : 0, now + CROSSFADE_SEC);
    }
  }

  /** The next side, in order, round to the first. */
  toggleSide(): S {
    this.choose(this.sides[(this.sides.indexOf(this.side) + 1) % this.sides.length]);
    return this.side;
  }

  private stopLoopTimer(): void {
    if (this.loopTimer !== null) clearInterval(this.loopTimer);
    this.loopTimer = null;
  }

  /** Fade every pass out over CROSSFADE_SEC from now and stop it then (pause, seek, restart). */
  private fadeOutVoices(): void {
    this.stopLoopTimer();
    const now = this.ctx.currentTime;
    this.fadeOutCount += this.voices.length;
    for (const voice of this.voices) {
      for (const side of this.sides) {
        const g = voice.env[side].gain;
        g.cancelScheduledValues(now);
        g.setValueAtTime(g.value, now);
        g.linearRampToValueAtTime(0, now + CROSSFADE_SEC);
        voice.src[side].onended = null;
        try {
          voice.src[side].stop(now + CROSSFADE_SEC);
        } catch {
          // Never started: nothing to stop.
        }
      }
      // Disconnect once the fade is over (the nodes are garbage after that).
      setTimeout(() => {
        for (const side of this.sides) {
          voice.src[side].disconnect();
          voice.env[side].disconnect();
        }
      }, (CROSSFADE_SEC + 0.05) * 1000);
    }
    this.voices = [];
  }

  /** Both sides are sounding (or about to): a pass covers now on each. */
  private get bothRunning(): boolean {
    const now = this.ctx.currentTime;
    return this.playing && this.ctx.state === 'running' && this.voices.some((v) => v.end > now);
  }

  private gainsOf(nodes: Record<S, GainNode>): Record<S, number> {
    const out = {} as Record<S, number>;
    for (const s of this.sides) out[s] = nodes[s].gain.value;
    return out;
  }

  view(): AudioView<S> {
    const self = this;
    return Object.freeze({
      get audible() {
        return self.playing ? self.side : null;
      },
      get selectGains() {
        return self.gainsOf(self.select);
      },
      get matchGains() {
        return self.gainsOf(self.match);
      },
      get volume() {
        return self.volumeNode.gain.value;
      },
      get bothRunning() {
        return self.bothRunning;
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
      get fadeOuts() {
        return self.fadeOutCount;
      },
      get loopPasses() {
        return self.loopPassCount;
      },
      get loopOn() {
        return self.loopOn;
      },
    });
  }

  close(): void {
    this.fadeOutVoices();
    void this.ctx.close();
  }
}
