// Synchronised A/B playback on one AudioContext. Both sources start at the same `when` and run all
// the time; each goes through its own loudness-match gain and its own selection gain, and A/B only
// ramps the selection gains (a short linear crossfade), so a switch lands at the same position in
// both, within one audio block, and never clicks. Starting, pausing, seeking and each jump of a loop
// fade the same way: every pass of the sources has its own fade envelope.
//
//   source A -> envelope A -> match A -> select A --\
//                                                    +-> volume -> destination
//   source B -> envelope B -> match B -> select B --/

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
  /** Passes faded out so far (pause, seek, restart: none is a hard cut). */
  readonly fadeOuts: number;
  /** Passes of the loop region started so far (each faded in and out). */
  readonly loopPasses: number;
  readonly loopOn: boolean;
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

/** One pass of both sources over a stretch of the audio, each through its own fade envelope. */
interface Voice {
  src: Record<Side, AudioBufferSourceNode>;
  env: Record<Side, GainNode>;
  /** Context time it starts and (for a loop pass) ends; Infinity when it plays to the end. */
  start: number;
  end: number;
}

export class AbPlayer {
  readonly ctx: AudioContext;
  private readonly volumeNode: GainNode;
  private readonly match: Record<Side, GainNode>;
  private readonly select: Record<Side, GainNode>;
  private buffers: Record<Side, AudioBuffer | null> = { A: null, B: null };
  /** The passes scheduled now: the one playing and, in a loop, the next. */
  private voices: Voice[] = [];
  private startedAt = 0;
  private startOffset = 0;
  private switchCount = 0;
  private fadeOutCount = 0;
  private loopPassCount = 0;
  private loopTimer: ReturnType<typeof setInterval> | null = null;
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
    this.fadeOutVoices();
    this.buffers = { A: a, B: b };
    this.applyMatch();
    if (wasPlaying) void this.play(Math.min(at, this.duration));
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

  /**
   * Start both sources at `when` from `offset`, faded in over CROSSFADE_SEC; with `length`, they fade
   * out over the last CROSSFADE_SEC of it and stop at its end (one pass of a loop). Every start, stop
   * and jump is such a fade, as an A/B switch is: a cut in a waveform clicks, a 15 ms ramp does not.
   */
  private startVoice(when: number, offset: number, length: number | null): Voice {
    const src = {} as Record<Side, AudioBufferSourceNode>;
    const env = {} as Record<Side, GainNode>;
    const end = length === null ? Infinity : when + length;
    const voice: Voice = { src, env, start: when, end };
    for (const side of ['A', 'B'] as const) {
      const e = new GainNode(this.ctx, { gain: 0 });
      e.gain.setValueAtTime(0, when);
      e.gain.linearRampToValueAtTime(1, when + CROSSFADE_SEC);
      if (length !== null) {
        e.gain.setValueAtTime(1, Math.max(when + CROSSFADE_SEC, end - CROSSFADE_SEC));
        e.gain.linearRampToValueAtTime(0, end);
      }
      e.connect(this.match[side]);
      const s = new AudioBufferSourceNode(this.ctx, { buffer: this.buffers[side] });
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
  private voiceEnded(voice: Voice): void {
    if (!this.voices.includes(voice)) return;
    this.dropVoice(voice);
    if (this.voices.length === 0 && this.playing && !this.activeLoop()) {
      this.playing = false;
      this.startOffset = 0;
      this.stopLoopTimer();
      this.onEnded?.();
    }
  }

  private dropVoice(voice: Voice): void {
    this.voices = this.voices.filter((v) => v !== voice);
    for (const side of ['A', 'B'] as const) {
      voice.src[side].onended = null;
      voice.src[side].disconnect();
      voice.env[side].disconnect();
    }
  }

  async play(from = this.position): Promise<void> {
    const a = this.buffers.A;
    const b = this.buffers.B;
    if (!a || !b) return;
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
      for (const side of ['A', 'B'] as const) {
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
        for (const side of ['A', 'B'] as const) {
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
