// The output spaces the lab can show a signal in besides the waveform (which the renderer draws from
// the samples themselves): the two spaces of the loss grid measured in dB, so one colour scale in dB
// reads both. Shared by the engine (which computes a view with the losses' own transform,
// src/views) and the lab bench (which offers the choice). Pure: imports nothing.

export const VIEW_SPACES = ['stft-db', 'mel-db'] as const;
export type ViewSpace = (typeof VIEW_SPACES)[number];

export function isViewSpace(x: unknown): x is ViewSpace {
  return typeof x === 'string' && (VIEW_SPACES as readonly string[]).includes(x);
}

/** The most time columns a view answers with (the renderer asks for about its canvas width). */
export const VIEW_MAX_COLUMNS = 8192;
/** Columns when the caller names none: about a wide window's width in device pixels. */
export const VIEW_DEFAULT_COLUMNS = 2048;
