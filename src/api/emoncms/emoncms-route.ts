import type { Request, Response } from 'express';
import type { Principal } from '../../auth/roles.js';
import { UserError } from '../../shared/errors.js';
import { canWriteFeeds } from '../../timeseries/feed-access.js';
import { authOf, type RouteDef } from '../route-table.js';
import { phpJsonEncode, rawUrlDecode, stripSlashes } from './php-values.js';

/** Where EmonESP, OpenEVSE and emonhub reach an emoncms installed in a subdirectory. */
export const EMONCMS_PREFIX = '/emoncms';

/** emoncms's answer to a route or action it does not know, and to a feed the caller may not use. */
export const ROUTE_NOT_FOUND = { success: false, message: '406 Not Acceptable. Route not found' } as const;

/** PHP's `header('Content-Type: text/plain')` as sent (PHP appends its default charset). */
export const TEXT_PLAIN = 'text/plain;charset=UTF-8';

/**
 * An answer that is not emoncms's default JSON: a status, the exact Content-Type header and raw
 * bytes or text (sent as bytes, so Express adds no charset of its own).
 */
export class EmoncmsReply {
  constructor(
    readonly body: string | Uint8Array,
    readonly contentType: string,
    readonly status = 200,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

export const notAcceptable = (): EmoncmsReply =>
  new EmoncmsReply(phpJsonEncode(ROUTE_NOT_FOUND), 'application/json', 406);

/** PHP's `print` of a controller result in a text format (false and null print nothing). */
export function textReply(content: unknown): EmoncmsReply {
  const text =
    content === false || content === null || content === undefined
      ? ''
      : content === true
        ? '1'
        : typeof content === 'object'
          ? 'Array'
          : String(content);
  return new EmoncmsReply(text, TEXT_PLAIN);
}

/** One request as an emoncms controller sees it: its parameters and its session flags. */
export interface EmoncmsCall {
  req: Request;
  principal: Principal | undefined;
  /** emoncms's `$session['read']`: any signed-in caller or API key. */
  read: boolean;
  /** emoncms's `$session['write']`, narrowed to the hub's rule (canWriteFeeds). */
  write: boolean;
  /** `get()`: the query parameter, decoded once more and unslashed; undefined when absent. */
  get(name: string): string | undefined;
  /** `post()`: the form-body field, decoded once more and unslashed. */
  post(name: string): string | undefined;
  /** `$_GET[name]` as PHP holds it. */
  rawGet(name: string): string | undefined;
  /** `$_POST[name]` as PHP holds it (form bodies only). */
  rawPost(name: string): string | undefined;
}

/** What an action returns: content to json_encode, or a finished reply. */
export type EmoncmsAction = (call: EmoncmsCall) => unknown;

export interface EmoncmsEndpoint {
  /** Route without prefix or extension, e.g. "feed/list". */
  path: string;
  action: EmoncmsAction;
  /**
   * Which extensions answer: "json" (`.json` and none, the default) or "any" (every extension,
   * as emoncms's describe and version ignore the format).
   */
  formats?: 'json' | 'any';
}

/**
 * RouteDefs for emoncms endpoints: each at the root and under /emoncms, with `.json` or no
 * extension, for GET and POST (emoncms reads query and form parameters whatever the method).
 * They are public in the route table because emoncms answers anonymous callers itself (false,
 * [], or 406); every action enforces access through `read`/`write` and canReadFeed.
 */
export function emoncmsRoutes(endpoints: readonly EmoncmsEndpoint[]): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const endpoint of endpoints) {
    const suffix = endpoint.formats === 'any' ? '{.:format}' : '{.json}';
    for (const prefix of ['', EMONCMS_PREFIX]) {
      for (const method of ['get', 'post'] as const) {
        routes.push({
          method,
          path: `${prefix}/${endpoint.path}${suffix}`,
          access: 'public',
          handler: (req, res) => runAction(endpoint.action, req, res),
        });
      }
    }
  }
  return routes;
}

/** Unknown routes under /emoncms answer as emoncms does: 406 with its JSON message. */
export function emoncmsNotFoundRoutes(): RouteDef[] {
  return (['get', 'post'] as const).map((method) => ({
    method,
    path: `${EMONCMS_PREFIX}{/*rest}`,
    access: 'public',
    handler: (_req: Request, res: Response) => send(res, notAcceptable()),
  }));
}

async function runAction(action: EmoncmsAction, req: Request, res: Response): Promise<void> {
  let content: unknown;
  try {
    content = await action(callOf(req, res));
  } catch (err) {
    // The hub's own validation (FeedService) answers in emoncms's error shape.
    if (!(err instanceof UserError)) throw err;
    content = { success: false, message: err.message };
  }
  send(res, content instanceof EmoncmsReply ? content : jsonReply(content));
}

const jsonReply = (content: unknown) => new EmoncmsReply(phpJsonEncode(content), 'application/json');

function send(res: Response, reply: EmoncmsReply): void {
  // setHeader, not res.set/res.type: Express would append a charset PHP does not send.
  res.status(reply.status).set(reply.headers).setHeader('Content-Type', reply.contentType);
  res.send(typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : Buffer.from(reply.body));
}

function callOf(req: Request, res: Response): EmoncmsCall {
  const { principal, csrfToken } = authOf(res);
  // A cookie session changes things only with its CSRF token, as on the hub's own API; API keys
  // (what devices use) need none.
  const sessionMayWrite = principal?.via !== 'session' || req.get('x-csrf-token') === csrfToken;
  const rawGet = (name: string) => lastString((req.query as Record<string, unknown>)[name]);
  const rawPost = (name: string) =>
    req.is('application/x-www-form-urlencoded') ? formField(req, name) : undefined;
  const clean = (value: string | undefined) =>
    value === undefined ? undefined : stripSlashes(rawUrlDecode(value));
  return {
    req,
    principal,
    read: principal !== undefined,
    write: canWriteFeeds(principal) && sessionMayWrite,
    get: (name) => clean(rawGet(name)),
    post: (name) => clean(rawPost(name)),
    rawGet,
    rawPost,
  };
}

function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return lastString((body as Record<string, unknown>)[name]);
}

/** PHP keeps the last of repeated `name=` parameters. */
function lastString(value: unknown): string | undefined {
  if (Array.isArray(value)) return lastString(value[value.length - 1]);
  return typeof value === 'string' ? value : undefined;
}
