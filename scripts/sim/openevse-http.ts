// OpenEVSE's web API for its settings, as the ESP32 firmware serves it (src/web_server.cpp
// handleConfig: GET/POST /config; a POST body is JSON for config_deserialize + config_commit,
// answered 200 {"msg":"done"} or 400 {"msg":"Could not parse JSON"}). Only POST /config here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves POST /config on 127.0.0.1 (a free port); `apply` says whether the JSON was taken. */
export async function serveOpenevseConfig(
  apply: (body: string) => boolean,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/config' || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"msg":"Not found"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = apply(Buffer.concat(chunks).toString('utf8'));
      res
        .writeHead(ok ? 200 : 400, { 'content-type': 'application/json' })
        .end(ok ? '{"msg":"done"}' : '{"msg":"Could not parse JSON"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
