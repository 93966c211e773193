import type { Response } from 'express';
import { z } from 'zod';
import type { ClaimPairing } from '../../pairing/claim-pairing.js';
import type { PairingService } from '../../pairing/pairing-service.js';
import type { PairingClaimSettings, PairingStateView } from '../contract.js';
import { EMONCMS_PREFIX, TEXT_PLAIN } from '../emoncms/emoncms-route.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';

const ipParams = z.object({
  ip: field(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/), {
    code: 'invalid_ip',
    message: 'the address must be an IPv4 address such as 192.168.1.23',
    status: 404,
  }),
});

const clientIdParams = z.object({
  clientId: field(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/), {
    code: 'invalid_client_id',
    message: 'the client id must be 1 to 64 letters, digits or . _ - :',
    status: 404,
  }),
});

const BROWSER_HEADERS = ['origin', 'sec-fetch-site', 'sec-fetch-mode', 'cookie'];

const optionalText = (name: string, maxChars: number) =>
  field(z.string().min(1).max(maxChars).optional(), {
    code: `invalid_${name}`,
    message: `${name} must be 1 to ${maxChars} characters`,
  });

/** As emoncms answers it: plain text, PHP's content type, the bytes as they are; never cached. */
function sendText(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Content-Type', TEXT_PLAIN).setHeader('Cache-Control', 'no-store');
  res.send(Buffer.from(body, 'utf8'));
}

/**
 * Pairing: EmonESP's unauthenticated auth request (emoncms's URL, with and without /emoncms, so
 * these must come before the /emoncms/* catch-all) and the admin's side (docs/api.md, Pairing).
 */
export function pairingRoutes(pairing: PairingService, claims: ClaimPairing): RouteDef[] {
  const authRequest = (prefix: string) =>
    defineRoute({
      method: 'get',
      path: `${prefix}/device/auth/request{.json}`,
      access: 'public',
      handler: (req, res) => {
        // Express runs GET routes for HEAD too, whose answer is dropped: it must neither register
        // nor spend an allowance. EmonESP only GETs.
        if (req.method === 'HEAD') {
          res.setHeader('Allow', 'GET');
          sendText(res, 405, 'Pairing requests are GET requests');
          return;
        }
        // EmonESP sends none of these; a browser does: a web page must not register (or, through
        // DNS rebinding, fetch) a pairing request in the name of whoever opened it.
        const browserHeader = BROWSER_HEADERS.find((h) => req.get(h) !== undefined);
        if (browserHeader) {
          sendText(res, 403, `Pairing requests come from devices, not browsers (${browserHeader} sent)`);
          return;
        }
        // req.ip follows http.trustProxy, as the login limits do.
        const reply = pairing.request(req.ip, req.get('user-agent'));
        sendText(res, reply.status, reply.body);
      },
    });
  return [
    authRequest(''),
    authRequest(EMONCMS_PREFIX),
    {
      method: 'get',
      path: '/api/v1/pairing',
      access: 'admin',
      handler: (_req, res) => res.json(pairing.state() satisfies PairingStateView),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/pairing/window',
      access: 'admin',
      body: z.object({
        open: field(z.boolean(), { code: 'invalid_open', message: 'open must be true or false' }),
      }),
      handler: (_req, res, { body }) => res.json(pairing.setWindow(body.open) satisfies PairingStateView),
    }),
    {
      method: 'post',
      path: '/api/v1/pairing/beacon',
      access: 'admin',
      handler: async (_req, res) => {
        if (await pairing.beaconNow()) res.json({ sent: true });
        else
          res
            .status(503)
            .json({ error: 'the beacon could not be sent (see the log)', code: 'beacon_failed' });
      },
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/pairing/requests/:ip/allow',
      access: 'admin',
      params: ipParams,
      body: z.object({ name: optionalText('name', 64), room: optionalText('room', 64) }),
      handler: (_req, res, { params, body }) => res.status(201).json(pairing.allow(params.ip, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/pairing/claims/:clientId/allow',
      access: 'admin',
      params: clientIdParams,
      body: z.object({ name: optionalText('name', 64), room: optionalText('room', 64) }),
      handler: (_req, res, { params, body }) => res.status(201).json(claims.allow(params.clientId, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/pairing/claims/:clientId/deny',
      access: 'admin',
      params: clientIdParams,
      handler: (_req, res, { params }) => {
        claims.deny(params.clientId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/pairing/claims/:clientId/settings',
      access: 'admin',
      params: clientIdParams,
      handler: (_req, res, { params }) => {
        // A device's password: shown to the admin who asks, never kept by a cache.
        res.setHeader('Cache-Control', 'no-store');
        res.json(claims.settings(params.clientId) satisfies PairingClaimSettings);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/pairing/requests/:ip/deny',
      access: 'admin',
      params: ipParams,
      handler: (_req, res, { params }) => {
        pairing.deny(params.ip);
        res.status(204).end();
      },
    }),
  ];
}
