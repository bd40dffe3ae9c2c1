// Where each frequency sits on a space view's vertical axis, for painting and for the axis labels
// alike. STFT rows (bins, evenly spaced in Hz) are drawn on a linear or a log axis; mel rows are
// already evenly spaced on the mel scale, so each band gets an equal strip, labelled with its centre.
import type { SpectralView } from './types.js';

export type FreqScale = 'linear' | 'log';

export interface FreqAxis {
  /** The row to paint at `y`, a fraction of the height from the bottom (0..1). */
  rowAt(y: number): number;
  /** Labels: text and position (fraction from the bottom). */
  ticks: { label: string; y: number }[];
}

export const fmtHz = (hz: number): string => (hz >= 1000 ? `${+(hz / 1000).toFixed(hz >= 10_000 ? 0 : 1)} kHz` : `${Math.round(hz)} Hz`);

export function freqAxis(view: Pick<SpectralView, 'rows' | 'rowHz' | 'rowScale'>, scale: FreqScale): FreqAxis {
  const { rows, rowHz } = view;
  if (view.rowScale === 'mel') {
    // A label every 8 bands, from the second: their centres run from about 100 Hz to 10 kHz.
    const ticks = [];
    for (let m = 1; m < rows; m += 8) ticks.push({ label: fmtHz(rowHz[m]), y: (m + 0.5) / rows });
    return { rowAt: (y) => Math.min(rows - 1, Math.floor(y * rows)), ticks };
  }
  const binHz = rowHz[1];
  const top = rowHz[rows - 1];
  if (scale === 'linear') {
    const ticks = [0, 2000, 4000, 6000, 8000, 10_000, 12_000].filter((hz) => hz <= top).map((hz) => ({ label: fmtHz(hz), y: hz / top }));
    return { rowAt: (y) => Math.round(y * (rows - 1)), ticks };
  }
  // Log: from the first bin above 0 Hz (0 Hz has no place on a log axis) to the top bin.
  const span = Math.log(top / binHz);
  const ticks = [50, 100, 200, 500, 1000, 2000, 5000, 10_000].filter((hz) => hz >= binHz && hz <= top).map((hz) => ({ label: fmtHz(hz), y: Math.log(hz / binHz) / span }));
  return { rowAt: (y) => Math.min(rows - 1, Math.round((binHz * Math.exp(y * span)) / binHz)), ticks };
}
