// hub-updater: `run-request` (hub-updater.path: the request hubd put in the inbox), `recover` (at
// every boot), `install <bundle> [--force]`, `verify <bundle> [--force]`. Prints one JSON line with
// the outcome; exits 0 only on success (run-request: when it handled the request, whatever the
// outcome, which is in the status file). All but verify hold the updater lock.
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.js';
import { readyzProbe } from './readiness.net.js';
import { systemdService } from './systemctl.process.js';
import { createRequestRunner, createUpdater, readPublicKey } from './updater-deps.fs.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { force: { type: 'boolean' } },
});
const env = process.env;
const layout = { appDir: env.HUB_APP_DIR ?? '/data/app', dataDir: env.HUB_DATA_DIR ?? '/data/hub' };
const updater = createUpdater({
  layout,
  publicKey: readPublicKey(env.HUB_UPDATE_KEY ?? '/etc/hub/update-key.pub.pem'),
  service: systemdService(env.HUB_UNIT ?? 'hubd.service'),
  readiness: readyzProbe({
    url: `http://127.0.0.1:${env.HUB_HTTP_PORT ?? '80'}/readyz`,
    clock: systemClock,
    deadlineMs: Number(env.HUB_UPDATE_READY_DEADLINE_S ?? '120') * 1000,
  }),
  clock: systemClock,
  onStep: (step) => console.error(step),
});
const runner = createRequestRunner({
  layout,
  updater,
  clock: systemClock,
  maxBundleBytes: Number(env.HUB_UPDATE_MAX_BUNDLE_MB ?? '1024') * 1024 * 1024,
  onStatusError: (err) => console.error('hub-updater: could not write the status file:', err),
});

const [command, file] = positionals;
const force = values.force ?? false;
let ok = false;
if (command === 'run-request') {
  const outcome = await runner.runRequest();
  console.log(JSON.stringify(outcome.outcome === 'done' ? outcome.status : outcome));
  ok =
    outcome.outcome === 'nothing' ||
    outcome.status.state !== 'failed' ||
    outcome.status.code === 'bad-request';
} else if (command === 'recover') {
  const recovered = await runner.recover();
  if ('outcome' in recovered) {
    console.log(JSON.stringify(recovered));
  } else {
    const { decision, result } = recovered;
    console.log(JSON.stringify({ ...decision, journal: undefined, result }));
    ok = decision.action !== 'stuck' && result?.outcome !== 'rolled-back';
  }
} else if (command === 'install' && file) {
  const status = await runner.installFile(file, { force });
  console.log(JSON.stringify(status));
  ok = 'state' in status && status.state === 'installed';
} else if (command === 'verify' && file) {
  const result = await updater.verify(file, { force });
  console.log(JSON.stringify(result, (key, value) => (key === 'header' ? undefined : value)));
  ok = result.ok;
} else {
  console.error(
    'usage: hub-updater run-request | recover | install <bundle> [--force] | verify <bundle> [--force]',
  );
}
process.exitCode = ok ? 0 : 1;
