import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { ROOT, collect, until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

// The hub's mDNS advertiser, seen from another machine: two network namespaces joined by a veth
// pair in a private /30, each with a multicast route over it. The advertiser runs in one ("the
// Pi"), the resolver in the other ("a phone"), each as its own process, so neither touches this
// machine's own network. Needs root (ip netns); skipped with the reason otherwise.
const teardown = useTeardown();
const TAG = `eh${process.pid % 100000}`;
const HUB_NS = `${TAG}-hub`;
const LAN_NS = `${TAG}-lan`;
const NET = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const HUB_IP = `${NET}.1`;
const FIXTURES = 'test/integration/pairing/fixtures';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function makeNamespaces(): string | undefined {
  try {
    ip('netns', 'add', HUB_NS);
  } catch (err) {
    return `network namespaces are unavailable here (${(err as Error).message.split('\n')[0]})`;
  }
  teardown.add(() => {
    for (const ns of [HUB_NS, LAN_NS])
      try {
        ip('netns', 'del', ns); // takes its end of the veth pair, and so the pair, with it
      } catch {
        // never created
      }
  });
  ip('netns', 'add', LAN_NS);
  ip('link', 'add', `${TAG}-a`, 'netns', HUB_NS, 'type', 'veth', 'peer', 'name', `${TAG}-b`, 'netns', LAN_NS);
  for (const [ns, dev, addr] of [
    [HUB_NS, `${TAG}-a`, `${HUB_IP}/30`],
    [LAN_NS, `${TAG}-b`, `${NET}.2/30`],
  ] as const) {
    ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev); // mDNS goes out over the veth
  }
  return undefined;
}

function runIn(ns: string, script: string, args: string[]): ChildProcess {
  return spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', `${FIXTURES}/${script}`, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Starts an advertiser in the hub's namespace; resolves with what it printed first. */
async function startAdvertiser(hostname: string) {
  const child = runIn(HUB_NS, 'advertise.ts', [hostname, '8080', '1883', '8883']);
  const { output, done } = collect(child);
  teardown.add(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await done;
  });
  await until(() => output().stdout.includes('\n') || child.exitCode !== null, 20_000, 'the advertiser');
  const line = JSON.parse(output().stdout.split('\n')[0] || '{}') as { host?: string; down?: string };
  return { ...line, output: `${output().stdout} ${output().stderr}` };
}

async function advertise(hostname: string): Promise<string> {
  const { host, output } = await startAdvertiser(hostname);
  assert.ok(host, `advertising: ${output}`);
  return host;
}

interface Seen {
  addresses: string[];
  http: { name: string; host: string; port: number; txt: Record<string, string> }[];
}

async function resolveFromLan(host: string): Promise<Seen> {
  const { done } = collect(runIn(LAN_NS, 'resolve.ts', [host, '2500']));
  const finished = await done;
  assert.equal(finished.code, 0, finished.stderr);
  return JSON.parse(finished.stdout) as Seen;
}

describe('mDNS: the hub is found by name from another machine', () => {
  let skip: string | undefined;
  before(() => {
    skip = process.getuid?.() === 0 ? makeNamespaces() : 'ip netns needs root';
  });

  it('resolves hub.local to the hub and browses its web app as _http._tcp', async (t) => {
    if (skip) return t.skip(skip);
    assert.equal(await advertise('hub'), 'hub');
    const seen = await resolveFromLan('hub');
    assert.deepEqual(seen.addresses, [HUB_IP]);
    const web = seen.http.find((s) => s.name === 'hub');
    assert.deepEqual(
      { host: web?.host, port: web?.port, txt: web?.txt },
      { host: 'hub.local', port: 8080, txt: { product: 'energy-hub', version: '0.0.0-test', path: '/' } },
    );
  });

  it('takes hub-2.local when another host already answers to hub.local', async (t) => {
    if (skip) return t.skip(skip);
    assert.equal(await advertise('hub'), 'hub-2');
    const seen = await resolveFromLan('hub-2');
    assert.deepEqual(seen.addresses, [HUB_IP]);
    assert.deepEqual(seen.http.map((s) => s.name).sort(), ['hub', 'hub-2'], 'both web apps are browsable');
  });

  it('follows an address the hub gets after it started advertising', async (t) => {
    if (skip) return t.skip(skip);
    const later = `${NET.replace(/^10\.(\d+)/, (_m, b: string) => `10.${Number(b) + 1}`)}.1`;
    ip('-n', HUB_NS, 'addr', 'add', `${later}/32`, 'dev', `${TAG}-a`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = await resolveFromLan('hub');
    assert.deepEqual(seen.addresses.sort(), [HUB_IP, later].sort());
  });
});
