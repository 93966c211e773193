import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFeeds } from '../api/control/feed-commands.js';
import { hubCommands, type CommandResult } from '../api/control/hub-commands.js';
import { composeAdmin } from '../compose.js';
import { systemClock } from '../shared/clock.js';
import { backupCommand, restoreCommand } from '../backup/wire.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/config-file.fs.js';
import { acquireRunLock, RunLockHeld } from '../config/run-lock.fs.js';
import { describeError, UserError } from '../shared/errors.js';
import { callHubd } from './hubd-client.js';
import { readPassword } from './prompt.js';
import { statusCommand } from './status-command.js';
import { updateCommand, updateStatusCommand } from './update-command.js';
import { openInbox } from '../updater/inbox.fs.js';
import { UPDATES_UNAVAILABLE } from '../updater/update-trigger-service.js';

// What the command creates (hub.db and its WAL before hubd's first start, hub.json, feeds) is for
// hubd's user only, as when hubd creates it.
process.umask(0o077);

const USAGE = `Usage: hub <command>

  hub user add <name> [--admin | --viewer]   add a user (password from a prompt or stdin)
  hub user list                              list users and roles
  hub user passwd <name>                     set a user's password (ends their sessions)
  hub user delete <name>                     delete a user
  hub feeds list                             list feeds
  hub feeds check [--repair]                 verify every feed's files (repair cuts partial values,
                                             finishes interrupted trims, rebuilds rollups)
  hub feeds rebuild-rollups [ID]             rebuild rollups from full-resolution data
  hub feeds import-emoncms DIR [--only 1,2] [--list list.json] [--owner NAME] [--remap]
                           [--rewrite-process-lists]
                                             copy emoncms PHPFina feeds under their ids and build
                                             their rollups (--remap: new ids for taken ones;
                                             --rewrite-process-lists: lists using the old ids follow)
  hub device add NAME --kind KIND --topic T  add a device's MQTT login (KIND: hub, emonhub, tasmota,
                                             shelly, emonesp, openevse, gateway; T: its node, topic,
                                             id, base topic or name); prints the secret once
  hub device list                            list devices and their topics
  hub device delete ID                       delete a device (its login and live session end)
  hub backup [--out FILE]                    one file with hub.db, feeds, hub.json and the TLS keys
                                             (through hubd when it runs; the file is secret, mode 600)
  hub restore FILE                           put a backup in place (hubd stopped; every sha256 is
                                             checked first, the old data is kept aside)
  hub restore --resume | --abort             finish or undo a restore a power cut left half done
  hub update FILE                            hand a signed bundle to hub-updater (the appliance; as
                                             root or the hub's user) and follow it; exit 0 if installed
  hub update --status                        the last update's status
  hub config check                           validate <dataDir>/hub.json and HUB_* variables
  hub status [--url URL] [--apikey KEY]      ask a running hubd how it is (GET /readyz); with an
                                             API key (or HUB_API_KEY) each component's details too

The data directory is HUB_DATA_DIR (default ./data).`;

class UsageError extends Error {}

type Values = ReturnType<typeof parseCli>['values'];

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      admin: { type: 'boolean' },
      viewer: { type: 'boolean' },
      url: { type: 'string' },
      apikey: { type: 'string' },
      repair: { type: 'boolean' },
      only: { type: 'string' },
      list: { type: 'string' },
      owner: { type: 'string' },
      remap: { type: 'boolean' },
      'rewrite-process-lists': { type: 'boolean' },
      kind: { type: 'string' },
      topic: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      abort: { type: 'boolean' },
      status: { type: 'boolean' },
    },
  });
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseCli(argv);
  const [group, action, name] = positionals;
  if (group === 'config' && action === 'check') {
    const { paths } = loadConfig(process.env, { readOnly: true });
    console.log(`${paths.configFile}: valid`);
    return 0;
  }
  if (group === 'status') {
    const base =
      values.url ?? `http://127.0.0.1:${loadConfig(process.env, { readOnly: true }).config.http.port}`;
    return statusCommand(base, values.apikey ?? process.env.HUB_API_KEY, (line) => console.log(line));
  }
  if (group === 'backup' || group === 'restore') {
    const loaded = loadConfig(process.env, { readOnly: true });
    const out = (line: string) => console.log(line);
    return group === 'backup'
      ? backupCommand(loaded, values.out, systemClock, out)
      : restoreCommand(loaded, action, systemClock, out, values);
  }
  if (group === 'update') {
    const appDir = loadConfig(process.env, { readOnly: true }).paths.appDir;
    if (!appDir) throw new UserError(UPDATES_UNAVAILABLE);
    const out = (line: string) => console.log(line);
    return values.status
      ? updateStatusCommand(openInbox(appDir), out)
      : updateCommand(openInbox(appDir), action, systemClock, out);
  }
  if (group !== 'user' && group !== 'feeds' && group !== 'device')
    throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  // Read-only: hub.json is created or migrated only by whoever holds the run lock (ADR 009).
  const loaded = loadConfig(process.env, { readOnly: true });
  const write = await writeCommand(group, action, name, values);
  if (write) return runWrite(loaded.paths.dataDir, write.command, write.args, positionals.join(' '));
  return readCommand(loaded, group, action);
}

/** A command that changes the data: its name in hubCommands and its arguments, or undefined. */
async function writeCommand(
  group: string,
  action: string | undefined,
  name: string | undefined,
  values: Values,
): Promise<{ command: string; args: Record<string, unknown> } | undefined> {
  const key = `${group} ${action ?? ''}`;
  switch (key) {
    case 'user add':
      if (values.admin && values.viewer) throw new UsageError('choose --admin or --viewer, not both');
      return {
        command: 'user-add',
        args: {
          name: requireName(name),
          password: await readPassword('Password'),
          role: values.admin ? 'admin' : 'viewer',
        },
      };
    case 'user passwd':
      return {
        command: 'user-passwd',
        args: { name: requireName(name), password: await readPassword('New password') },
      };
    case 'user delete':
      return { command: 'user-delete', args: { name: requireName(name) } };
    case 'device add':
      if (!name) throw new UserError('give the device name');
      return { command: 'device-add', args: { name, kind: values.kind, topicName: values.topic } };
    case 'device delete':
      if (!name || !/^\d{1,9}$/.test(name)) throw new UserError('give the device id (a whole number)');
      return { command: 'device-delete', args: { id: name } };
    case 'feeds check':
      return values.repair ? { command: 'feeds-repair', args: {} } : undefined;
    case 'feeds rebuild-rollups':
      return { command: 'feeds-rebuild-rollups', args: name ? { id: name } : {} };
    case 'feeds import-emoncms':
      if (!name) throw new UsageError('give the emoncms phpfina folder');
      // hubd runs elsewhere: paths go as absolute ones.
      return {
        command: 'feeds-import-emoncms',
        args: {
          dir: resolve(name),
          only: values.only,
          list: values.list === undefined ? undefined : resolve(values.list),
          owner: values.owner,
          remap: values.remap === true,
          rewriteProcessLists: values['rewrite-process-lists'] === true,
        },
      };
    default:
      return undefined;
  }
}

/**
 * A write goes through the running hubd when there is one (its caches and flusher stay right),
 * found through the run lock of the data dir, whatever this shell's HUB_RUN_DIR. Without one it
 * runs here, holding the lock so that no hubd or other `hub` command writes meanwhile (ADR 009).
 */
async function runWrite(
  dataDir: string,
  command: string,
  args: Record<string, unknown>,
  label: string,
): Promise<number> {
  let lock;
  try {
    lock = await acquireRunLock(dataDir, 'hub', { command: label });
  } catch (err) {
    if (!(err instanceof RunLockHeld)) throw err;
    return print(await inHubd(err));
  }
  try {
    const admin = composeAdmin(loadConfig(process.env)); // the lock is ours: hub.json may be written
    try {
      return print(await hubCommands({ ...admin, live: false })[command]!(args));
    } finally {
      admin.close();
    }
  } finally {
    await lock.release();
  }

  async function inHubd(held: RunLockHeld): Promise<CommandResult> {
    const holder = held.holder;
    if (holder?.role !== 'hubd') throw new UserError(`${held.message}; nothing was changed`);
    const result = holder.socket ? await callHubd(holder.socket, command, args) : undefined;
    if (result) return result;
    throw new UserError(
      `hubd (pid ${holder.pid}) runs on this data dir but its control socket does not answer (is it starting? see "hub status"); nothing was changed`,
    );
  }
}

function print(result: CommandResult): number {
  for (const line of result.lines) console.log(line);
  return result.code;
}

/**
 * Commands that only read: straight from hub.db and the files, hubd running or not. They take no
 * lock, so they open hub.db read-only and never migrate it.
 */
async function readCommand(loaded: LoadedConfig, group: string, action: string | undefined): Promise<number> {
  if (!existsSync(loaded.paths.dbFile))
    throw new UserError(
      `no ${loaded.paths.dbFile} yet: nothing has been added (hubd creates it at its first start)`,
    );
  const admin = composeAdmin(loaded, undefined, { readOnly: true });
  try {
    switch (`${group} ${action ?? ''}`) {
      case 'user list':
        for (const user of admin.auth.listUsers()) console.log(`${user.username}\t${user.role}`);
        return 0;
      case 'device list':
        for (const d of admin.devices.list()) console.log(`${d.id}\t${d.name}\t${d.kind}\t${d.mqttUsername}`);
        return 0;
      case 'feeds list':
        for (const f of admin.feeds.list()) console.log(`${f.id}\t${f.name}\t${f.intervalS} s`);
        return 0;
      case 'feeds check':
        return await checkFeeds({ ...admin, out: (line) => console.log(line) }, false);
      default:
        throw new UsageError(`unknown ${group} command "${action ?? ''}"`);
    }
  } finally {
    admin.close();
  }
}

function requireName(name: string | undefined): string {
  if (!name) throw new UsageError('give the user name');
  return name;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`hub: ${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    const message = err instanceof ConfigError || err instanceof UserError ? err.message : describeError(err);
    console.error(`hub: ${message}`);
    process.exit(1);
  },
);
