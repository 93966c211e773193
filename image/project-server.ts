// test:image's stand-in for the project server the hub keeps its outgoing MQTT connection to:
// an Aedes broker over TLS on the host (the guest reaches it at 10.0.2.2), one account for the
// hub, and a record of what the hub publishes. The test publishes the signed update command.
import { Aedes, type AedesPublishPacket } from 'aedes';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';

export interface ServerMessage {
  topic: string;
  payload: string;
  retain: boolean;
  atMs: number;
}

export class ProjectServer {
  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly port: number,
    readonly caFile: string,
    readonly messages: ServerMessage[],
  ) {}

  /** A self-signed certificate for 10.0.2.2 (the guest's name for the host) and 127.0.0.1. */
  static async start(dir: string, account: { username: string; password: string }): Promise<ProjectServer> {
    const key = join(dir, 'server.key');
    const cert = join(dir, 'server.crt');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha256'],
        ...['-days', '2', '-subj', '/CN=test project server'],
        ...[
          '-addext',
          'subjectAltName=IP:10.0.2.2,IP:127.0.0.1',
          '-addext',
          'basicConstraints=critical,CA:TRUE',
        ],
        ...['-keyout', key, '-out', cert],
      ],
      { stdio: 'ignore' },
    );
    const broker = await Aedes.createBroker({
      authenticate: (_client, username, password, done) =>
        done(null, username === account.username && password?.toString() === account.password),
    });
    const messages: ServerMessage[] = [];
    broker.on('publish', (packet: AedesPublishPacket, client) => {
      if (client)
        messages.push({
          topic: packet.topic,
          payload: packet.payload.toString(),
          retain: packet.retain,
          atMs: Date.now(),
        });
    });
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, broker.handle as never);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ProjectServer(broker, server, (server.address() as { port: number }).port, cert, messages);
  }

  publish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  /** The latest message on `topic` since `sinceMs`, parsed as JSON. */
  latest(topic: string, sinceMs = 0): Record<string, unknown> | undefined {
    const found = this.messages.filter((m) => m.topic === topic && m.atMs >= sinceMs).at(-1);
    return found ? (JSON.parse(found.payload) as Record<string, unknown>) : undefined;
  }

  payloads(topic: string): string[] {
    return this.messages.filter((m) => m.topic === topic).map((m) => m.payload);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
