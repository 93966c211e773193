/** How the hub reaches Redis: a TCP URL (redis:// or rediss://) or a unix socket path. */
export type RedisTarget = { kind: 'url'; url: string } | { kind: 'socket'; path: string };

export function parseRedisTarget(url: string): RedisTarget {
  if (url.startsWith('unix://')) return { kind: 'socket', path: url.slice('unix://'.length) };
  return { kind: 'url', url };
}

/** The URL with any password replaced, safe to log and show in /readyz. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) =>
    auth.includes(':') ? `${scheme}${auth.split(':')[0]}:[secret]@` : `${scheme}[secret]@`,
  );
}
