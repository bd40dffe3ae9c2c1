// Where the tests find PyTorch: Debian's python3-torch, run as /usr/bin/python3 (the `python3` on
// PATH may be another Python that cannot see it). Tests that need it are skipped, with this reason
// printed, where it cannot import torch.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';
/** PyTorch's own launcher, from the same package. */
export const TORCHRUN = '/usr/bin/torchrun';
export const TORCH_INSTALL = 'apt-get install -y --no-install-recommends python3-torch';

/** Why PyTorch cannot run here, or null when it can. */
export function torchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist; install PyTorch with: ${TORCH_INSTALL}`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return null;
  const why = r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
  return `${PYTHON} cannot import torch (${why}); install it with: ${TORCH_INSTALL}`;
}

/**
 * torchrun's arguments for `n` processes on this machine: --standalone (a rendezvous on a free local
 * port, not the fixed 29500 another run may still hold). Debian 12's torch 1.13 under Python 3.11 stops before
 * starting anything when --redirects and --tee keep their default "0" (read through an IntFlag that
 * Python 3.11 no longer iterates with its zero member: "'NoneType' object has no attribute 'get'");
 * a non-zero value for both (2: stderr) avoids that path, with the logs in `logDir`.
 */
export function torchrunArgs(n: number, logDir: string): string[] {
  return ['--standalone', '--nproc_per_node', String(n), '--redirects', '2', '--tee', '2', '--log_dir', logDir];
}
