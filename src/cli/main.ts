import { parseArgs } from 'node:util';
import { composeAdmin } from '../compose.js';
import { ConfigError, loadConfig } from '../config/config-file.fs.js';
import { describeError, UserError } from '../shared/errors.js';
import { deviceCommand } from './device-commands.js';
import { checkFeeds, importEmoncms } from './feed-commands.js';
import { readPassword } from './prompt.js';
import { statusCommand } from './status-command.js';

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
                                             shelly, emonesp, openevse; T: its node, topic, id or
                                             base topic); prints the secret once
  hub device list                            list devices and their topics
  hub device delete ID                       delete a device (its login and live session end)
  hub config check                           validate <dataDir>/hub.json and HUB_* variables
  hub status [--url URL] [--apikey KEY]      ask a running hubd how it is (GET /readyz); with an
                                             API key (or HUB_API_KEY) each component's details too

The data directory is HUB_DATA_DIR (default ./data).`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
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
    },
  });
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
  if (group !== 'user' && group !== 'feeds' && group !== 'device')
    throw new UsageError(`unknown command "${positionals.join(' ')}"`);

  const loaded = loadConfig(process.env);
  const admin = composeAdmin(loaded);
  try {
    if (group === 'feeds') return await feedCommand(admin, action, name, values);
    if (group === 'device') {
      const deps = {
        devices: admin.devices,
        runDir: loaded.paths.runDir,
        out: (l: string) => console.log(l),
      };
      const code = await deviceCommand(deps, action, name, values);
      if (code === undefined) throw new UsageError(`unknown device command "${action ?? ''}"`);
      return code;
    }
    switch (action) {
      case 'add': {
        if (values.admin && values.viewer) throw new UsageError('choose --admin or --viewer, not both');
        const user = await admin.auth.addUser(
          requireName(name),
          await readPassword('Password'),
          values.admin ? 'admin' : 'viewer',
        );
        console.log(`added ${user.role} "${user.username}"`);
        return 0;
      }
      case 'list':
        for (const user of admin.auth.listUsers()) console.log(`${user.username}\t${user.role}`);
        return 0;
      case 'passwd':
        await admin.auth.setPassword(requireName(name), await readPassword('New password'));
        console.log(`password of "${name}" changed; their sessions have ended`);
        return 0;
      case 'delete':
        admin.auth.deleteUser(requireName(name));
        console.log(`deleted "${name}"`);
        return 0;
      default:
        throw new UsageError(`unknown user command "${action ?? ''}"`);
    }
  } finally {
    admin.close();
  }
}

function feedCommand(
  admin: ReturnType<typeof composeAdmin>,
  action: string | undefined,
  arg: string | undefined,
  values: {
    repair?: boolean;
    only?: string;
    list?: string;
    owner?: string;
    remap?: boolean;
    'rewrite-process-lists'?: boolean;
  },
): Promise<number> | number {
  const deps = { ...admin, out: (line: string) => console.log(line) };
  switch (action) {
    case 'list':
      for (const f of admin.feeds.list()) console.log(`${f.id}\t${f.name}\t${f.intervalS} s`);
      return 0;
    case 'check':
      return checkFeeds(deps, values.repair === true);
    case 'rebuild-rollups': {
      const ids = arg ? [Number(arg)] : admin.feeds.list().map((f) => f.id);
      return (async () => {
        for (const id of ids) await admin.feeds.rebuildRollups(id);
        console.log(`rebuilt the rollups of ${ids.length} feed(s)`);
        return 0;
      })();
    }
    case 'import-emoncms':
      if (!arg) throw new UsageError('give the emoncms phpfina folder');
      return importEmoncms(deps, arg, { ...values, rewriteProcessLists: values['rewrite-process-lists'] });
    default:
      throw new UsageError(`unknown feeds command "${action ?? ''}"`);
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
