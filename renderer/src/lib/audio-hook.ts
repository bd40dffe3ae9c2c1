// The end-to-end tests' window onto the audio graph on screen (`window.__codecLabAudio`, read-only).
import type { AudioView } from './ab-player.js';

/**
 * Put `view` on the window; returns the function that takes it off again, only if it is still the
 * one there: when one panel replaces another, the new one may publish before the old one unmounts.
 */
export function publishAudioView<S extends string>(view: AudioView<S>): () => void {
  Object.defineProperty(window, '__codecLabAudio', { value: view, configurable: true, writable: false, enumerable: false });
  return () => {
    if (window.__codecLabAudio === view) delete window.__codecLabAudio;
  };
}
