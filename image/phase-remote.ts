// test:image, the remote trigger: the hub's outgoing TLS connection to a project server (a broker
// on the host plays it). A command that is not signed by the update key is refused; the signed
// one makes the hub download the bundle (the first download is cut half-way: it must resume) and
// install it; the progress and the result reach the server; the same command again is refused.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileServer } from './file-server.js';
import { currentRelease } from './phase-updates.js';
import { ProjectServer } from './project-server.js';
import { check, report, seconds } from './report.js';
import { runNode, type TestKeys } from './update-fixtures.js';
import { waitFor, type Vm } from './vm.js';

const HUB_ID = 'test-hub-1';
const PREFIX = 'hubs';

export async function remoteUpdate(opts: {
  vm: Vm;
  files: FileServer;
  keys: TestKeys;
  bundle: { file: string; version: string };
  fromVersion: string;
  household: () => Promise<unknown>;
}): Promise<{ stop: () => Promise<void> }> {
  const { vm, files, keys, bundle } = opts;
  const dir = join(keys.dir, '..', `project-server-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const account = { username: HUB_ID, password: randomBytes(12).toString('base64url') };
  const server = await ProjectServer.start(dir, account);
  const topic = (leaf: string) => `${PREFIX}/${HUB_ID}/${leaf}`;
  const householdBefore = await opts.household();

  // The householder (or the installer) points the hub at the project server.
  const ca = readFileSync(server.caFile, 'utf8');
  await vm.sh(`cat > /data/hub/server-ca.pem <<'PEM'\n${ca}PEM\nchown hub:hub /data/hub/server-ca.pem`);
  const serverConfig = {
    url: `mqtts://10.0.2.2:${server.port}`,
    hubId: HUB_ID,
    username: account.username,
    password: account.password,
    caFile: '/data/hub/server-ca.pem',
    topicPrefix: PREFIX,
  };
  await vm.sh(
    `/opt/hub/.tools/node/bin/node -e 'const fs = require("fs"); const f = "/data/hub/hub.json"; ` +
      `const c = JSON.parse(fs.readFileSync(f, "utf8")); c.server = JSON.parse(process.argv[1]); ` +
      `fs.writeFileSync(f, JSON.stringify(c, null, 2) + "\\n")' '${JSON.stringify(serverConfig)}'`,
  );
  await vm.sh('systemctl restart hubd', 300_000 * vm.slow);
  await waitFor('the hub online at the project server', 120_000 * vm.slow, async () =>
    server.payloads(topic('status')).some((p) => p.includes('online')),
  );
  check(
    'the hub keeps a TLS connection to the project server and says it is online',
    server.payloads(topic('status')),
    true,
  );

  // A command from someone without the update key: a LAN device, a stolen broker account.
  const forged = Buffer.from(
    JSON.stringify({ format: 1, type: 'update', id: 'forged', hubId: HUB_ID }),
  ).toString('base64');
  let sentMs = Date.now();
  await server.publish(
    topic('command'),
    JSON.stringify({ command: forged, signature: randomBytes(64).toString('base64') }),
  );
  await waitFor(
    'the answer to the forged command',
    60_000 * vm.slow,
    async () => !!server.latest(topic('command/result'), sentMs),
  );
  const forgedResult = server.latest(topic('command/result'), sentMs)!;
  check(
    'an update command not signed by the update key is refused',
    forgedResult,
    forgedResult.accepted === false,
  );

  // The signed command. The first download is cut half-way.
  files.cutNextDownload('/good.bundle');
  const wire = runNode([
    join(import.meta.dirname, '..', 'scripts/make-bundle.ts'),
    ...['sign-command', '--key', keys.privateKey, '--hub', HUB_ID],
    ...['--url', files.url('/good.bundle'), '--bundle', bundle.file],
  ]).trim();
  sentMs = Date.now();
  await server.publish(topic('command'), wire);
  await waitFor(
    'the answer to the signed command',
    60_000 * vm.slow,
    async () => !!server.latest(topic('command/result'), sentMs),
  );
  const accepted = server.latest(topic('command/result'), sentMs)!;
  check('the signed update command is accepted', accepted, accepted.accepted === true);
  await waitFor('the update to end (as the project server sees it)', 900_000 * vm.slow, async () => {
    const state = server.latest(topic('update'), sentMs)?.state;
    return ['installed', 'rolled-back', 'refused', 'failed', 'download-failed'].includes(String(state));
  });
  const seen = [
    ...new Set(
      server.payloads(topic('update')).map((p) => {
        const progress = JSON.parse(p) as { state: string; step?: string };
        return progress.step ? `${progress.state}:${progress.step}` : progress.state;
      }),
    ),
  ];
  const final = server.latest(topic('update'), sentMs)!;
  report('update', { bundle: 'good (remote)', seconds: seconds(Date.now() - sentMs), states: seen });
  check(
    'the project server sees the update installed',
    final,
    final.state === 'installed' && final.version === bundle.version,
  );
  check(
    'and its progress on the way (downloading, installing)',
    seen,
    seen.includes('downloading') && seen.some((s) => s.startsWith('installing')),
  );
  const gets = files.requests.filter((r) => r.path === '/good.bundle');
  check(
    'the cut download was resumed where it stopped (Range)',
    gets,
    gets.length >= 2 &&
      gets[0]!.range === undefined &&
      gets.slice(1).some((r) => r.status === 206 && /^bytes=[1-9]\d*-$/.test(r.range ?? '')),
  );
  await vm.waitReady(300_000 * vm.slow);
  const release = await currentRelease(vm);
  check('the new release runs', release, release === `releases/${bundle.version}`);
  const householdAfter = await opts.household();
  check(
    "the household's data came through the update",
    { householdBefore, householdAfter },
    JSON.stringify(householdBefore) === JSON.stringify(householdAfter),
  );

  // The same signed command again (a replay by whoever recorded it).
  sentMs = Date.now();
  await server.publish(topic('command'), wire);
  await waitFor(
    'the answer to the replayed command',
    60_000 * vm.slow,
    async () => !!server.latest(topic('command/result'), sentMs),
  );
  const replay = server.latest(topic('command/result'), sentMs)!;
  check('the same signed command sent again is refused', replay, replay.accepted === false);
  return { stop: () => server.close() };
}
