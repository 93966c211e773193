import type { NextFunction, Request, Response } from 'express';
import { UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

const BODY_ERRORS: Record<string, { status: number; error: string; code: string }> = {
  'entity.parse.failed': { status: 400, error: 'the request body is not valid JSON', code: 'bad_json' },
  'entity.too.large': { status: 413, error: 'the request body is too large', code: 'too_large' },
  'encoding.unsupported': { status: 415, error: 'unsupported body encoding', code: 'bad_encoding' },
  'charset.unsupported': { status: 415, error: 'unsupported body charset', code: 'bad_encoding' },
  'request.aborted': { status: 400, error: 'the request was aborted', code: 'aborted' },
};

/** The JSON API reads JSON bodies only; anything else is refused before it is parsed. */
export function rejectNonJsonBodies(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    res
      .status(415)
      .json({ error: 'send the body as Content-Type: application/json', code: 'bad_content_type' });
    return;
  }
  next();
}

/** Turns every error into a short JSON answer; a stack trace never reaches the client. */
export function handleErrors(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof UserError) {
      res.status(err.status).json({ error: err.message, code: err.code });
      return;
    }
    const type = (err as { type?: unknown }).type;
    const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
    if (known) {
      res.status(known.status).json({ error: known.error, code: known.code });
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res
        .status(status)
        .json({ error: status === 404 ? 'not found' : 'bad request', code: 'http_' + status });
      return;
    }
    log.error(
      { method: req.method, path: req.path, err: (err as Error)?.stack ?? String(err) },
      'request failed',
    );
    res.status(500).json({ error: 'internal error; see the hub log', code: 'internal' });
  };
}
