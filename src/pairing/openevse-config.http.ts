import type { Logger } from '../shared/logger.js';

const TIMEOUT_MS = 5000;

/**
 * POSTs an OpenEVSE's settings to its web API (4.x has no `<base>/config/set`): JSON, no redirect
 * followed, 5 s at most. Resolves with why it did not work, or null; never rejects. The body
 * holds a password: it is never logged.
 */
export function openevseConfigPoster(log: Logger) {
  return async (url: string, body: string): Promise<string | null> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.ok) return null;
      const why =
        res.status === 401
          ? 'its web page asks for a login (HTTP 401): clear it or type the settings in'
          : `its web API answered HTTP ${res.status}`;
      log.info({ url, status: res.status }, 'OpenEVSE web API did not take the settings');
      return why;
    } catch (err) {
      const why = `its web API did not answer (${(err as Error).name === 'TimeoutError' ? 'no answer in 5 s' : (err as Error).message})`;
      log.info({ url, why }, 'OpenEVSE web API not reached');
      return why;
    }
  };
}
