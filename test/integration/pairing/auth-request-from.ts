import { request } from 'node:http';

export interface AuthAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * EmonESP's `GET /emoncms/device/auth/request.json` (src/autoauth.cpp) from a given local source
 * address: all of 127/8 is local on Linux, so each address is a different device to the hub.
 */
export function authRequestFrom(
  baseUrl: string,
  localAddress: string,
  opts: { path?: string; headers?: Record<string, string>; family?: 4 | 6; method?: 'GET' | 'HEAD' } = {},
): Promise<AuthAnswer> {
  const url = new URL(opts.path ?? '/emoncms/device/auth/request.json', baseUrl);
  if (opts.family === 6) url.hostname = '[::1]';
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        localAddress,
        headers: { 'user-agent': 'ESP8266HTTPClient', connection: 'close', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * The parts EmonESP splits an answer into: exactly three (user:pass:basetopic, its port kept) or
 * four (…:port), or it ignores the answer.
 */
export function emonEspParts(
  body: string,
): { user: string; pass: string; baseTopic: string; port?: string } | undefined {
  const parts = body.split(':');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const [user, pass, baseTopic, port] = parts as [string, string, string, string?];
  return port === undefined ? { user, pass, baseTopic } : { user, pass, baseTopic, port };
}
