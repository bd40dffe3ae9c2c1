// Things built once per kernel core and key. The core never frees memory, so buffers sized by a
// shape (a loss for a block length, an STFT workspace for a signal length, a view's transform
// chain) are made on first use and reused, never rebuilt per call. Keyed weakly by core: a core's
// entries go with it.
import type { KernelCore } from './core.js';

export function perCore<K, V>(make: (core: KernelCore, key: K) => V): (core: KernelCore, key: K) => V {
  const byCore = new WeakMap<KernelCore, Map<K, V>>();
  return (core, key) => {
    let byKey = byCore.get(core);
    if (!byKey) byCore.set(core, (byKey = new Map()));
    let v = byKey.get(key);
    if (v === undefined) byKey.set(key, (v = make(core, key)));
    return v;
  };
}
