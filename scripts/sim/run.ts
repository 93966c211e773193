// npm run sim -- <tasmota|shelly|openevse|emonesp> [options]: one simulated device against a hub
// (or any broker), printing what it sends and receives. Type `press` (or `plug`, `unplug` for a
// charger) and Enter to act on it; Ctrl-C disconnects cleanly.
//   npm run sim -- tasmota --url mqtt://hub.local:1883 --username dev-tasmota-plug1 --password … --topic plug1
//   npm run sim -- emonesp --udp-port 5005 --http-port 8080      (waits for the hub's beacon)
//   npm run sim -- emonesp --server 127.0.0.1 --http-port 8080   (asks that hub at once)
//   npm run sim -- shelly --url mqtt://hub.local:1883 --pair     (pairing without typing: open the
//     hub's pairing window first; Tasmota connects as DVES_USER/DVES_PASS with its factory topic
//     tasmota_<last 6 of its MAC>, Shelly and OpenEVSE with no user name; each then takes the login
//     the hub sends it and reconnects with it)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EmonespSim } from './emonesp-sim.js';
import { OpenevseSim } from './openevse-sim.js';
import type { MqttLogin } from './sim-base.js';
import { ShellySim } from './shelly-sim.js';
import { defaultMac } from './tasmota-payloads.js';
import { TasmotaSim, tasmotaDefaultLogin } from './tasmota-sim.js';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    username: { type: 'string' },
    password: { type: 'string' },
    topic: { type: 'string' },
    relays: { type: 'string', default: '1' },
    metering: { type: 'boolean', default: false },
    'tele-period-s': { type: 'string', default: '300' },
    model: { type: 'string', default: 'plugs' },
    basetopic: { type: 'string', default: 'emon' },
    node: { type: 'string' },
    'udp-port': { type: 'string' },
    server: { type: 'string' },
    'http-port': { type: 'string', default: '80' },
    mac: { type: 'string' },
    pair: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const log = o.quiet ? undefined : (line: string) => console.log(line);
const kind = positionals[0];
const macArg = o.mac?.replaceAll(':', '').toUpperCase();
/** --pair: the login a device has before anyone typed one in (MQTT.js then sends no user name). */
const login: MqttLogin = !o.pair
  ? { url: o.url, username: o.username, password: o.password }
  : kind === 'tasmota'
    ? tasmotaDefaultLogin(o.url)
    : { url: o.url };
if (o.pair && kind !== 'emonesp')
  console.log(
    `pairing: connecting to ${o.url} as ${login.username ?? '(no user name)'}; waiting for the hub`,
  );

async function main(): Promise<{ stop: () => Promise<void>; act: (word: string) => Promise<void> }> {
  switch (kind) {
    case 'tasmota': {
      const mac = macArg ?? defaultMac(o.topic ?? 'tasmota_plug');
      const factoryTopic = `tasmota_${mac.slice(-6)}`; // a fresh Tasmota's %topic%
      const sim = new TasmotaSim({
        topic: o.topic ?? (o.pair ? factoryTopic : 'tasmota_plug'),
        mac,
        relayCount: Number(o.relays),
        metering: o.metering,
        telePeriodS: Number(o['tele-period-s']),
        log,
      });
      await sim.start(login);
      return { stop: () => sim.stop(), act: (w) => (w === 'press' ? sim.press() : Promise.resolve()) };
    }
    case 'shelly': {
      const model = o.model === '1pm' ? '1pm' : 'plugs';
      const sim = new ShellySim({ id: o.topic, mac: macArg, model, log });
      await sim.start(login);
      return { stop: () => sim.stop(), act: (w) => (w === 'press' ? sim.press() : Promise.resolve()) };
    }
    case 'openevse': {
      const sim = new OpenevseSim({ base: o.topic, log });
      await sim.start(login);
      return {
        stop: () => sim.stop(),
        act: (w) =>
          w === 'plug'
            ? sim.plugIn()
            : w === 'unplug'
              ? sim.unplug()
              : w === 'press'
                ? sim.press()
                : Promise.resolve(),
      };
    }
    case 'emonesp': {
      const sim = new EmonespSim({ nodeName: o.node, httpPort: Number(o['http-port']), log });
      if (o.username) await sim.useCredentials(o.url, o.username, o.password ?? '', o.basetopic);
      else if (o.server) await sim.pairWith(o.server);
      else
        console.log(
          `listening for the beacon on UDP ${await sim.listenForBeacon(Number(o['udp-port'] ?? 5005))}`,
        );
      return { stop: () => sim.stop(), act: (w) => (w === 'press' ? sim.press() : Promise.resolve()) };
    }
    default:
      throw new Error(
        'usage: npm run sim -- <tasmota|shelly|openevse|emonesp> [--url …] [--username … --password … | --pair]',
      );
  }
}

const device = await main();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => void device.act(line.trim()));
const shutdown = () => {
  rl.close();
  void device.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
