import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describeBackup } from '../../backup/backup-report.js';
import type { Backups } from '../../backup/ports.js';
import type { AuthService } from '../../auth/auth-service.js';
import type { DeviceService } from '../../devices/device-service.js';
import { UserError } from '../../shared/errors.js';
import type { FeedService } from '../../timeseries/feed-service.js';
import { checkFeeds, importEmoncms, type FeedCommandDeps } from './feed-commands.js';

/** What a command printed and its exit code, the same whether hubd or the `hub` command ran it. */
export interface CommandResult {
  code: number;
  lines: string[];
}

export type HubCommand = (args: Record<string, unknown>) => Promise<CommandResult>;

export interface HubCommandDeps {
  auth: AuthService;
  feeds: FeedService;
  devices: DeviceService;
  processLists?: FeedCommandDeps['processLists'];
  /**
   * Runs a change to feed files with the flusher held off (flush first, then the change); the
   * `hub` command offline has no flusher and runs it as is.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** True in hubd: a deleted device's live MQTT session ends at once. */
  live: boolean;
  /** hubd only: `hub backup` while hubd runs (the command offline makes the file itself). */
  backups?: Backups;
}

/**
 * The `hub` command's writes, by name (ADR 009). The command sends them to a running hubd over
 * the control socket, which runs them on its own services (so its caches and the flusher stay
 * right); with no hubd it runs them itself under the run lock. Arguments arrive as JSON.
 */
export function hubCommands(deps: HubCommandDeps): Record<string, HubCommand> {
  const exclusive = deps.exclusive ?? (<T>(fn: () => Promise<T>) => fn());
  const reader = `${deps.live ? 'hubd' : 'hub'} (user ${userName()})`;
  return {
    'user-add': async (a) => {
      const user = await deps.auth.addUser(a.name, a.password, a.role);
      return done(`added ${user.role} "${user.username}"`);
    },
    'user-passwd': async (a) => {
      const name = text(a.name, 'the user name');
      await deps.auth.setPassword(name, a.password);
      return done(`password of "${name}" changed; their sessions have ended`);
    },
    'user-delete': (a) => {
      const name = text(a.name, 'the user name');
      deps.auth.deleteUser(name);
      return Promise.resolve(done(`deleted "${name}"`));
    },
    'device-add': (a) => {
      const created = deps.devices.add(a.name, a.kind, a.topicName);
      const lines = [
        `added device ${created.device.id} "${created.device.name}"`,
        `  MQTT username: ${created.mqttUsername}`,
        `  MQTT password: ${created.secret}   (shown once; store it in the device now)`,
        `  publishes:     ${created.device.publish.join(' ')}`,
        `  subscribes:    ${created.device.subscribe.join(' ') || '(nothing)'}`,
      ];
      if (created.device.read.length > 0) lines.push(`  reads:         ${created.device.read.join(' ')}`);
      return Promise.resolve({ code: 0, lines });
    },
    'device-delete': (a) => {
      const id = Number(text(a.id, 'the device id'));
      if (!Number.isInteger(id) || id < 1) throw new UserError('give the device id (a whole number)');
      deps.devices.remove(id);
      return Promise.resolve(
        done(`deleted device ${id}${deps.live ? ' (its live MQTT session has ended)' : ''}`),
      );
    },
    backup: async (a) => {
      const name = text(a.name, 'the backup file name');
      if (!deps.backups || !/^hub-backup-[A-Za-z0-9-]{1,80}\.tar\.gz$/.test(name))
        throw new UserError('give a backup file name such as hub-backup-hub-20260101-000000.tar.gz');
      const file = join(deps.backups.dir, name);
      const t0 = performance.now();
      const written = await deps.backups.create(file);
      return { code: 0, lines: describeBackup(written, file, performance.now() - t0) };
    },
    'feeds-repair': () => withLines((out) => exclusive(() => checkFeeds({ ...deps, out }, true))),
    'feeds-rebuild-rollups': (a) =>
      withLines((out) =>
        exclusive(async () => {
          const ids = a.id === undefined ? deps.feeds.list().map((f) => f.id) : [Number(a.id)];
          for (const id of ids) await deps.feeds.rebuildRollups(id);
          out(`rebuilt the rollups of ${ids.length} feed(s)`);
          return 0;
        }),
      ),
    'feeds-import-emoncms': (a) =>
      withLines((out) =>
        importEmoncms({ ...deps, out, reader }, text(a.dir, 'the emoncms phpfina folder'), {
          only: optionalText(a.only),
          list: optionalText(a.list),
          owner: optionalText(a.owner),
          remap: a.remap === true,
          rewriteProcessLists: a.rewriteProcessLists === true,
        }),
      ),
  };
}

/** This process's user, for messages; a uid without a passwd entry is named by number. */
function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}

const done = (line: string): CommandResult => ({ code: 0, lines: [line] });

async function withLines(run: (out: (line: string) => void) => Promise<number>): Promise<CommandResult> {
  const lines: string[] = [];
  const code = await run((line) => lines.push(line));
  return { code, lines };
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new UserError(`give ${what}`);
  return value;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
