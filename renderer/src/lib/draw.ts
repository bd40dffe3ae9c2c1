// Canvas drawing for the Listen tracks: a min/max waveform per pixel column, and an image of a signal
// in an output space (computed by the engine with the losses' transform, painted here). Both draw at
// the device pixel ratio, so they stay sharp.
import type { SpectralView } from './types.js';
import { colourOf, type ColourScale } from './colour-scale.js';
import type { FreqAxis } from './freq-axis.js';

/** Mono mix of an AudioBuffer (what the waveform and its difference show). */
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

/**
 * One image of a space view (A, B or their difference, columns x rows of dB values, column by column)
 * painted over `duration` seconds: each canvas pixel row shows the row the frequency axis puts there,
 * each value coloured by `scale`.
 */
export function drawSpaceImage(canvas: HTMLCanvasElement, view: SpectralView, values: Float32Array, scale: ColourScale, axis: FreqAxis, duration: number): void {
  const g = fit(canvas);
  if (!g) return;
  const { columns, rows } = view;
  const height = canvas.height;
  const img = new ImageData(columns, height);
  const rowOfPixel = Int32Array.from({ length: height }, (_, py) => axis.rowAt(1 - (py + 0.5) / height));
  for (let c = 0; c < columns; c++) {
    for (let py = 0; py < height; py++) {
      const [r, gr, b] = colourOf(scale, values[c * rows + rowOfPixel[py]]);
      const at = 4 * (py * columns + c);
      img.data[at] = r;
      img.data[at + 1] = gr;
      img.data[at + 2] = b;
      img.data[at + 3] = 255;
    }
  }
  const src = document.createElement('canvas');
  src.width = columns;
  src.height = height;
  src.getContext('2d')!.putImageData(img, 0, 0);
  g.fillStyle = '#f7f7f5';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = columns < canvas.width;
  // The frames span frames x hop seconds; stretch the image to its share of the time axis.
  const spanSec = view.frames * view.hopSeconds;
  g.drawImage(src, 0, 0, canvas.width * Math.min(1, spanSec / duration), canvas.height);
}
