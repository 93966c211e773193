// The test's side of the guest hub's HTTP API (through QEMU's port forwarding): the administrator,
// an update upload and its progress, feeds fed like a household's meters, a backup download.
import { readFileSync, writeFileSync } from 'node:fs';
import { sleepMs } from './qemu-control.js';

export interface Session {
  cookie: string;
  csrf: string;
}

export class GuestHub {
  constructor(private readonly baseUrl: () => string) {}

  /** Creates the administrator on a fresh hub (the first visit's onboarding) and signs in. */
  async onboard(username: string, password: string): Promise<Session> {
    const res = await this.post('/api/v1/onboarding', { username, password });
    if (!res.ok) throw new Error(`onboarding: ${res.status} ${await res.text()}`);
    return sessionOf(res);
  }

  async signIn(username: string, password: string): Promise<Session> {
    const res = await this.post('/api/v1/session', { username, password });
    if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    return sessionOf(res);
  }

  async writeKey(session: Session): Promise<string> {
    const res = await fetch(`${this.baseUrl()}/api/v1/me/apikeys`, { headers: { cookie: session.cookie } });
    if (!res.ok) throw new Error(`apikeys: ${res.status}`);
    return ((await res.json()) as { writeApiKey: string }).writeApiKey;
  }

  /** The app's "Install an update": the bundle's bytes to POST /api/v1/update/bundle. */
  async uploadBundle(session: Session, file: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.baseUrl()}/api/v1/update/bundle`, {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrf,
        'content-type': 'application/octet-stream',
      },
      body: readFileSync(file),
    });
    return { status: res.status, body: await res.text() };
  }

  async updateProgress(session: Session): Promise<Record<string, unknown> | undefined> {
    try {
      const res = await fetch(`${this.baseUrl()}/api/v1/update`, {
        headers: { cookie: session.cookie },
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return undefined;
      return ((await res.json()) as { progress: Record<string, unknown> }).progress;
    } catch {
      return undefined; // hubd is restarting: hub-updater stops and starts it
    }
  }

  /**
   * Polls GET /api/v1/update until the update `id` (or any, without an id) reaches a final state,
   * through hubd's restarts; returns the states seen, in order, and the final progress.
   */
  async waitUpdateFinal(
    session: () => Session,
    timeoutMs: number,
    id?: string,
  ): Promise<{ seen: string[]; final: Record<string, unknown> }> {
    const seen: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const progress = await this.updateProgress(session());
      if (progress && (id === undefined || progress.id === id)) {
        const label = progress.step
          ? `${String(progress.state)}:${String(progress.step)}`
          : String(progress.state);
        if (seen.at(-1) !== label) seen.push(label);
        if (
          ['installed', 'rolled-back', 'refused', 'failed', 'download-failed'].includes(
            String(progress.state),
          )
        )
          return { seen, final: progress };
      }
      if (Date.now() > deadline)
        throw new Error(`no final update state in ${timeoutMs} ms; seen ${seen.join(' → ')}`);
      await sleepMs(1000);
    }
  }

  /** `count` inputs on node `idle`, each logged to its own PHPFina feed at 10 s (emoncms's API). */
  async setUpFeeds(writeKey: string, count: number): Promise<number[]> {
    await this.postReadings(writeKey, count, 0);
    const inputs = (await this.emoncms(writeKey, 'input/list.json')) as {
      id: number;
      nodeid: string;
      name: string;
    }[];
    const feedIds: number[] = [];
    for (let i = 1; i <= count; i++) {
      const input = inputs.find((x) => x.nodeid === 'idle' && x.name === `p${i}`);
      if (!input) throw new Error(`input idle/p${i} was not created`);
      const created = (await this.emoncms(
        writeKey,
        `feed/create.json?tag=idle&name=p${i}&engine=5&options=${encodeURIComponent('{"interval":10}')}`,
      )) as { success: boolean; feedid: number };
      if (!created.success) throw new Error(`feed/create p${i}: ${JSON.stringify(created)}`);
      feedIds.push(created.feedid);
      await this.emoncms(
        writeKey,
        `input/process/set.json?inputid=${input.id}`,
        `processlist=1:${created.feedid}`,
      );
    }
    return feedIds;
  }

  /** One reading of each of the `count` inputs, as an emonTx posting through emonhub would. */
  async postReadings(writeKey: string, count: number, step: number): Promise<void> {
    const values: Record<string, number> = {};
    for (let i = 1; i <= count; i++) values[`p${i}`] = 100 * i + (step % 7);
    const answer = await this.emoncms(
      writeKey,
      `input/post.json?node=idle&fulljson=${encodeURIComponent(JSON.stringify(values))}`,
    );
    if (JSON.stringify(answer) !== '{"success":true}')
      throw new Error(`input/post: ${JSON.stringify(answer)}`);
  }

  async feedValue(writeKey: string, feedId: number): Promise<unknown> {
    return this.emoncms(writeKey, `feed/value.json?id=${feedId}`);
  }

  async downloadBackup(session: Session, file: string): Promise<number> {
    const res = await fetch(`${this.baseUrl()}/api/v1/backup`, { headers: { cookie: session.cookie } });
    if (!res.ok) throw new Error(`backup: ${res.status} ${await res.text()}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    writeFileSync(file, bytes);
    return bytes.length;
  }

  private async emoncms(writeKey: string, path: string, form?: string): Promise<unknown> {
    const res = await fetch(`${this.baseUrl()}/${path}`, {
      method: form ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${writeKey}`,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: form } : {}),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  private post(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.baseUrl()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}

async function sessionOf(res: Response): Promise<Session> {
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken };
}
