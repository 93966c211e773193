// hub-updater: `recover` (run at every start, before anything else), `install <bundle> [--force]`,
// `verify <bundle> [--force]`. Prints one JSON line with the outcome; exits 0 only on success.
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.js';
import { readyzProbe } from './readiness.net.js';
import { systemdService } from './systemctl.process.js';
import { createUpdater, readPublicKey } from './updater-deps.fs.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { force: { type: 'boolean' } },
});
const env = process.env;
const updater = createUpdater({
  layout: { appDir: env.HUB_APP_DIR ?? '/data/app', dataDir: env.HUB_DATA_DIR ?? '/data/hub' },
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

const [command, file] = positionals;
const force = values.force ?? false;
let ok = false;
if (command === 'recover') {
  const { decision, result } = await updater.recover();
  console.log(JSON.stringify({ ...decision, journal: undefined, result }));
  ok = decision.action !== 'stuck' && result?.outcome !== 'rolled-back';
} else if ((command === 'install' || command === 'verify') && file) {
  const result =
    command === 'install' ? await updater.install(file, { force }) : await updater.verify(file, { force });
  console.log(JSON.stringify(result, (key, value) => (key === 'header' ? undefined : value)));
  ok = 'ok' in result ? result.ok : result.outcome === 'installed';
} else {
  console.error('usage: hub-updater recover | install <bundle> [--force] | verify <bundle> [--force]');
}
process.exitCode = ok ? 0 : 1;
