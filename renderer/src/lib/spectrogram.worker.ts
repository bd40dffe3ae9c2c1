// The spectrogram worker: heavy FFT work off the main thread, so the window stays smooth.
import { computeImages, type SpecRequest } from './spectrogram.js';

self.onmessage = (m: MessageEvent<SpecRequest>) => {
  const images = computeImages(m.data);
  (self as unknown as Worker).postMessage({ id: m.data.id, images }, images.map((i) => i.pixels.buffer));
};
