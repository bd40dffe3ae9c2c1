// Canvas drawing for the Listen tracks: a min/max waveform per pixel column and a spectrogram image
// scaled to the canvas. Both draw at the device pixel ratio, so they stay sharp.
import type { SpecImage } from './spectrogram.js';

/** Mono mix of an AudioBuffer (what the spectrogram and the difference use). */
export function monoOf(buf: AudioBuffer): Float32Array {
  if (buf.numberOfChannels === 1) return buf.getChannelData(0).slice();
  const out = new Float32Array(buf.length);
  for (let c = 0; c < buf.numberOfChannels; c++) {
    const x = buf.getChannelData(c);
    for (let i = 0; i < x.length; i++) out[i] += x[i] / buf.numberOfChannels;
  }
  return out;
}

export function difference(a: Float32Array, b: Float32Array): Float32Array {
  const n = Math.min(a.length, b.length);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = a[i] - b[i];
  return d;
}

function fit(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return canvas.getContext('2d');
}

/** Min/max envelope over `duration` seconds of x (so tracks of slightly different length share one time axis). */
export function drawWaveform(canvas: HTMLCanvasElement, x: Float32Array, sampleRate: number, duration: number, color: string): void {
  const g = fit(canvas);
  if (!g) return;
  const { width: w, height: h } = canvas;
  g.clearRect(0, 0, w, h);
  g.fillStyle = '#f7f7f5';
  g.fillRect(0, 0, w, h);
  g.strokeStyle = '#d8d8d4';
  g.beginPath();
  g.moveTo(0, h / 2);
  g.lineTo(w, h / 2);
  g.stroke();
  const total = Math.max(1, Math.round(duration * sampleRate));
  const per = total / w;
  g.fillStyle = color;
  for (let px = 0; px < w; px++) {
    const from = Math.floor(px * per);
    const to = Math.min(x.length, Math.max(from + 1, Math.floor((px + 1) * per)));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to; i++) {
      const v = x[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const y0 = ((1 - Math.min(1, hi)) * h) / 2;
    const y1 = ((1 - Math.max(-1, lo)) * h) / 2;
    g.fillRect(px, y0, 1, Math.max(1, y1 - y0));
  }
}

const bitmaps = new WeakMap<SpecImage, HTMLCanvasElement>();

export function drawSpectrogram(canvas: HTMLCanvasElement, img: SpecImage, sampleRate: number, duration: number): void {
  const g = fit(canvas);
  if (!g) return;
  let src = bitmaps.get(img);
  if (!src) {
    src = document.createElement('canvas');
    src.width = img.width;
    src.height = img.height;
    src.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.pixels), img.width, img.height), 0, 0);
    bitmaps.set(img, src);
  }
  g.fillStyle = '#000004';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = true;
  // Each column covers one hop; stretch so the image spans exactly its share of the time axis.
  const spanSec = img.width * img.hopSec;
  g.drawImage(src, 0, 0, canvas.width * Math.min(1, spanSec / duration), canvas.height);
  // Frequency ticks: labels for kHz lines.
  const nyq = sampleRate / 2;
  g.fillStyle = 'rgba(255,255,255,0.75)';
  g.font = `${10 * (window.devicePixelRatio || 1)}px system-ui, sans-serif`;
  for (const khz of [1, 4, 8, 12, 16, 20]) {
    if (khz * 1000 >= nyq) break;
    const y = canvas.height * (1 - (khz * 1000) / nyq);
    g.fillRect(0, y, 6, 1);
    g.fillText(`${khz}k`, 8, y + 4);
  }
}
