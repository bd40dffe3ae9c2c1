// The sample rate every model works at (reference-model.md): the one place it is written. In
// src/common so the page (which offers exports at the model's rate) and the engine read the same
// number. Pure: imports nothing.

/** Samples per second of the audio every codec takes and gives back. */
export const MODEL_RATE = 24000;
