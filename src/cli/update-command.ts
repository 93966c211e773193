import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { FINAL_UPDATE_STATES, type UpdateRequest, type UpdateStatus } from '../updater/update-inbox.js';

type Out = (line: string) => void;

/** The inbox as the command uses it (src/updater/inbox.fs.ts, given by cli/main.ts). */
export interface CliInbox {
  checkWritable(): void;
  receiveBundle(id: string, from: Readable): Promise<number>;
  writeRequest(request: UpdateRequest): void;
  readRequest(): UpdateRequest | null;
  readStatus(): UpdateStatus | null;
}

const POLL_MS = 500;

/** One line per status: `installing: unpack`, `refused: bad-signature (…)`. */
export function describeStatus(status: UpdateStatus): string {
  const step = status.step ? `: ${status.step}` : '';
  const version = status.version && status.state === 'installed' ? ` ${status.version}` : '';
  const code = status.code ? `: ${status.code}` : '';
  const reason = status.reason ? ` (${status.reason})` : '';
  return `${status.state}${step}${version}${code}${reason}`;
}

/** `hub update --status`: hub-updater's last status, and a request it has not taken yet. */
export function updateStatusCommand(inbox: CliInbox, out: Out): number {
  const request = inbox.readRequest();
  if (request) out(`waiting for hub-updater: ${request.id} (from ${request.source})`);
  const status = inbox.readStatus();
  if (status) out(`${status.id} (from ${status.source}): ${describeStatus(status)}`);
  else if (!request) out('no update has run on this hub');
  return 0;
}

/**
 * `hub update FILE`: puts the bundle in hub-updater's inbox (as hubd does for the app) and follows
 * its status until a final state. Exit 0 only when it was installed.
 */
export async function updateCommand(
  inbox: CliInbox,
  file: string | undefined,
  clock: Clock,
  out: Out,
): Promise<number> {
  if (!file) throw new UserError('give the bundle file');
  const path = resolve(file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new UserError(`no file ${path}`);
  inbox.checkWritable();
  refuseWhenBusy(inbox);
  const id = `cli-${randomUUID()}`;
  await inbox.receiveBundle(id, createReadStream(path));
  inbox.writeRequest({
    format: 1,
    id,
    source: 'cli',
    bundle: `${id}.bundle`,
    requestedAtMs: clock.nowMs(),
    by: 'cli',
  });
  out(`handed ${path} to hub-updater as ${id}; waiting for it`);
  let last = '';
  for (;;) {
    const status = inbox.readStatus();
    if (status?.id === id) {
      const line = describeStatus(status);
      if (line !== last) out(line);
      last = line;
      if (FINAL_UPDATE_STATES.includes(status.state)) return status.state === 'installed' ? 0 : 1;
    }
    await clock.sleep(POLL_MS);
  }
}

function refuseWhenBusy(inbox: CliInbox): void {
  const request = inbox.readRequest();
  if (request)
    throw new UserError(`an update (${request.id}) already waits for hub-updater; nothing was changed`);
  const status = inbox.readStatus();
  if (status && !FINAL_UPDATE_STATES.includes(status.state))
    throw new UserError(`an update (${status.id}) is ${status.state}; nothing was changed`);
}
