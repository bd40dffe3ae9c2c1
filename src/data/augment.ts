// Two augmentations of a training example, in place: white noise at a chosen signal-to-noise ratio,
// and a spectral tilt (a first-order high shelf). The codec is an autoencoder, so an augmented
// example is both its input and its target: noise added here is noise it is asked to reproduce (it
// learns to spend bits on noise), and a tilt changes the timbres it trains on. That is the lectures'
// warning about augmentation: change the examples only in ways the task does not care about, and
// never the validation or test audio, which must stay the audio the model is judged on.
import type { Random } from '../util/random.js';

/** The tilt's corner frequency: the shelf turns between the bass and the upper mids around 1 kHz. */
export const TILT_CORNER_HZ = 1000;

/** A standard normal draw (Box and Muller 1958, "A note on the generation of random normal deviates"). */
export function gaussian(rng: Random): number {
  // 1 - next() is in (0, 1]: its logarithm is finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Add white Gaussian noise to `x` so that 10 log10(P_signal / P_noise) = snrDb, P being the mean
 * power of `x` itself (a silent example stays silent: there is no level to be relative to).
 */
export function addNoiseAtSnr(x: Float32Array, snrDb: number, rng: Random): void {
  let power = 0;
  for (let i = 0; i < x.length; i++) power += x[i] * x[i];
  power /= Math.max(1, x.length);
  if (power === 0) return;
  const sigma = Math.sqrt(power / 10 ** (snrDb / 10));
  for (let i = 0; i < x.length; i++) x[i] += sigma * gaussian(rng);
}

/**
 * A first-order high shelf, in place: gain 0 dB at DC, `gainDb` at Nyquist, turning around
 * `cornerHz`. The allpass form of Zolzer (DAFX, 2nd ed., Wiley 2011, section 2.3.1):
 *   H(z) = 1 + H0/2 (1 - A(z)),  A(z) = (z^-1 + c) / (1 + c z^-1),  H0 = V0 - 1,  V0 = 10^(gainDb/20),
 * with c = (t - 1)/(t + 1) for a boost and c = (V0 t - 1)/(V0 t + 1) for a cut, t = tan(pi fc / fs), so a
 * cut of G dB mirrors a boost of G dB.
 */
export function highShelf(x: Float32Array, sampleRate: number, cornerHz: number, gainDb: number): void {
  if (gainDb === 0) return;
  const v0 = 10 ** (gainDb / 20);
  const h0 = v0 - 1;
  const t = Math.tan((Math.PI * cornerHz) / sampleRate);
  const c = gainDb > 0 ? (t - 1) / (t + 1) : (v0 * t - 1) / (v0 * t + 1);
  let xPrev = 0;
  let aPrev = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const a = c * xi + xPrev - c * aPrev;
    xPrev = xi;
    aPrev = a;
    x[i] = xi + (h0 / 2) * (xi - a);
  }
}
