import { describeError } from './errors.js';

/** Why a component could not start, in words a person acts on (shown in /readyz and the web app). */
export function startFailureReason(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown };
  if (e?.syscall === 'listen' || e?.code === 'EADDRINUSE') {
    if (e.code === 'EADDRINUSE') return `port ${String(e.port)} is in use by another program`;
    if (e.code === 'EACCES') return `no permission to listen on port ${String(e.port)}`;
    if (e.code === 'EADDRNOTAVAIL') return `address ${String(e.address)} is not on this machine`;
  }
  return describeError(err);
}
