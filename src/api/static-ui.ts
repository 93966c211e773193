import compression from 'compression';
import express, { type Express, type Request, type Response } from 'express';
import { join } from 'node:path';

/**
 * Serves the built web app: hashed files under /assets are cached for a year; index.html is
 * revalidated every time so an update is picked up at once. Unknown GET paths get the app shell
 * (client-side routes).
 */
export function serveUi(app: Express, uiDir: string): void {
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
  app.use(express.static(uiDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|healthz$|readyz$).*/, (req: Request, res: Response) => {
    if (!req.accepts('html')) {
      res.status(404).json({ error: 'not found', code: 'not_found' });
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.sendFile(join(uiDir, 'index.html'));
  });
}
