import { request } from 'node:http';
import { controlSocketPath } from '../devices/control-socket-path.js';
import type { DeviceCredentials, DeviceService } from '../devices/device-service.js';
import { UserError } from '../shared/errors.js';

export interface DeviceCommandDeps {
  devices: DeviceService;
  runDir: string;
  out: (line: string) => void;
}

/**
 * `hub device …`. Adding and deleting go through a running hubd's control socket when there is
 * one (so the live MQTT session ends at once); without a hubd they change hub.db directly.
 */
export async function deviceCommand(
  deps: DeviceCommandDeps,
  action: string | undefined,
  arg: string | undefined,
  values: { kind?: string; topic?: string },
): Promise<number | undefined> {
  const socketPath = controlSocketPath(deps.runDir);
  switch (action) {
    case 'add': {
      if (!arg) throw new UserError('give the device name');
      const body = { name: arg, kind: values.kind, topicName: values.topic };
      const viaHubd = await callHubd(socketPath, 'POST', '/devices', body);
      const created = viaHubd
        ? (expectStatus(viaHubd, 201) as DeviceCredentials)
        : deps.devices.add(body.name, body.kind, body.topicName);
      deps.out(`added device ${created.device.id} "${created.device.name}"`);
      deps.out(`  MQTT username: ${created.mqttUsername}`);
      deps.out(`  MQTT password: ${created.secret}   (shown once; store it in the device now)`);
      deps.out(`  publishes:     ${created.device.publish.join(' ')}`);
      deps.out(`  subscribes:    ${created.device.subscribe.join(' ') || '(nothing)'}`);
      if (created.device.read.length > 0) deps.out(`  reads:         ${created.device.read.join(' ')}`);
      return 0;
    }
    case 'list':
      for (const d of deps.devices.list()) deps.out(`${d.id}\t${d.name}\t${d.kind}\t${d.mqttUsername}`);
      return 0;
    case 'delete': {
      if (!arg || !/^\d{1,9}$/.test(arg)) throw new UserError('give the device id (a whole number)');
      const viaHubd = await callHubd(socketPath, 'DELETE', `/devices/${arg}`);
      if (viaHubd) expectStatus(viaHubd, 204);
      else deps.devices.remove(Number(arg));
      deps.out(`deleted device ${arg}${viaHubd ? ' (its live MQTT session has ended)' : ''}`);
      return 0;
    }
    default:
      return undefined; // not a device command
  }
}

function expectStatus(res: { status: number; body: unknown }, status: number): unknown {
  if (res.status === status) return res.body;
  const error = (res.body as { error?: string } | undefined)?.error ?? `hubd answered ${res.status}`;
  throw new UserError(error, res.status);
}

/** The running hubd's answer, or undefined if no hubd listens on this data dir's socket. */
function callHubd(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`hubd did not answer on ${socketPath}`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // No socket, or one left by a hubd that is gone: no hubd runs, so hub.db is ours to change.
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') return resolve(undefined);
      if (err.code === 'EACCES')
        return reject(
          new UserError(`hubd is running but ${socketPath} is not yours; run this as hubd's user`),
        );
      reject(err);
    });
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
