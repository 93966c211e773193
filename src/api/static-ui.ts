import compression from 'compression';
import express, { type Express, type Request, type Response } from 'express';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { withBootState } from './boot-html.js';
import type { BootState } from './contract.js';

export interface UiBoot {
  /** The signed-in caller's boot state (undefined: serve the plain shell). */
  stateFor: (res: Response) => Promise<BootState | undefined>;
  log: Logger;
}

/**
 * Serves the built web app: hashed files under /assets are cached for a year; index.html is
 * revalidated every time so an update is picked up at once. Unknown GET paths get the app shell
 * (client-side routes); a signed-in navigation gets it with its boot state inlined, never stored
 * by any cache. `/index.html` is always the plain shell: the service worker's offline copy.
 */
export function serveUi(app: Express, uiDir: string, boot?: UiBoot): void {
  const shellPath = join(uiDir, 'index.html');
  const plainShell = (res: Response) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(shellPath);
  };
  // A Pi on WiFi: the app's scripts and styles go gzipped (a third of their size).
  app.use(compression());
  app.use(
    '/assets',
    express.static(join(uiDir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: false,
    }),
  );
  app.get('/index.html', (_req: Request, res: Response) => plainShell(res));
  app.use(express.static(uiDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|healthz$|readyz$).*/, async (req: Request, res: Response) => {
    if (!req.accepts('html')) {
      res.status(404).json({ error: 'not found', code: 'not_found' });
      return;
    }
    // The same URL answers differently with and without a session.
    res.vary('Cookie');
    const state = boot && isNavigation(req) ? await boot.stateFor(res).catch(failed(boot.log)) : undefined;
    if (!state) return plainShell(res);
    const html = withBootState(await readFile(shellPath, 'utf8'), state);
    res.set('Cache-Control', 'no-store').type('html').send(html);
  });
}

/**
 * A page load (not a script's fetch, such as the service worker caching its shell): by the
 * browser's Sec-Fetch-Mode, or for a client without it, an Accept that names HTML.
 */
function isNavigation(req: Request): boolean {
  const mode = req.get('sec-fetch-mode');
  return mode ? mode === 'navigate' : /\btext\/html\b/.test(req.get('accept') ?? '');
}

function failed(log: Logger) {
  return (err: unknown) => {
    log.warn({ err }, 'app shell served without its boot state');
    return undefined;
  };
}
