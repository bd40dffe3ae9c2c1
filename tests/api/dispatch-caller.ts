// A lab's methods called as a page calls them, through the dispatch (its argument checks and error
// codes included): a refused call rejects with an Error carrying the API's code.
import { createDispatch } from '../../src/api/dispatch.js';
import type { LabService } from '../../src/api/service.js';

export type DispatchCall = <T>(method: string, ...args: unknown[]) => Promise<T>;

export function dispatchCaller(lab: LabService, runsDir: string): DispatchCall {
  const d = createDispatch(lab, { runsDir });
  return async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await d.call(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as T;
  };
}
