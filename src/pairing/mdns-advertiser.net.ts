import { networkInterfaces } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export interface MdnsSettings {
  /** `hub` → `hub.local`; `hub-2.local`, `hub-3.local`… when another host has it. */
  hostname: string;
  httpPort: number;
  mqttPort: number;
  /** null when MQTT over TLS is off. */
  mqttTlsPort: number | null;
  version: string;
  /** How often the host's addresses are compared with those advertised (default 10 s). */
  addressCheckMs?: number;
}

/** What the advertiser needs of bonjour-service's multicast-dns socket (not in its typings). */
interface MdnsSocket {
  query(questions: { name: string; type: string }[]): void;
  on(event: 'response', fn: (packet: { answers: Rr[]; additionals: Rr[] }) => void): void;
  on(event: 'ready' | 'error' | 'warning', fn: (err?: Error) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
}
interface Rr {
  name: string;
}

const PROBES = 3;
const PROBE_GAP_MS = 250;
const MAX_SUFFIX = 20;
const BIND_WAIT_MS = 3000;

/**
 * bonjour-service probes only service names, and on a conflict prints to the console and gives
 * up; it does not probe the host name at all. The host name is what a person types, so it is
 * probed here, on bonjour-service's own socket (RFC 6762 §8.1: three queries 250 ms apart), with
 * the web app's service name, before anything is published.
 */
function mdnsSocketOf(bonjour: Bonjour): MdnsSocket {
  const mdns = (bonjour as unknown as { server?: { mdns?: Partial<MdnsSocket> } }).server?.mdns;
  if (typeof mdns?.query !== 'function' || typeof mdns.on !== 'function') {
    throw new Error(
      'bonjour-service has changed: its server.mdns socket is gone (see mdns-advertiser.net.ts)',
    );
  }
  return mdns as MdnsSocket;
}

/**
 * Advertises the hub over mDNS: `<hostname>.local` and the services `_http._tcp` (the web app),
 * `_mqtt._tcp` and `_mqtts._tcp`. Start binds the socket and returns; the name is probed and the
 * services published in the background, so a slow or broken network never holds up the hub.
 */
export class MdnsAdvertiser implements Component {
  readonly name = 'mdns';
  /** The hub works without mDNS (the UDP beacon and typing the address remain). */
  readonly neededForReady = false;
  private bonjour: Bonjour | undefined;
  private services: Service[] = [];
  private host: string | null = null;
  private problem: string | null = null;
  private advertising: Promise<void> | undefined;
  private stopping = false;
  private advertised = '';
  private cancelWatch: CancelTimer | undefined;
  private sendErrors = 0;

  constructor(
    private readonly settings: MdnsSettings,
    private readonly log: Logger,
    /** Real time: the probe waits for other hosts' answers. */
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    this.problem = null;
    // A send that fails (no network yet at boot) is worth a log line, not the component.
    const bonjour = new Bonjour({}, (err: Error) => {
      this.sendErrors += 1;
      this.log.debug({ err: describeError(err) }, 'mdns: an answer could not be sent');
    });
    this.bonjour = bonjour;
    const mdns = mdnsSocketOf(bonjour);
    await new Promise<void>((resolve, reject) => {
      const cancel = this.clock.after(BIND_WAIT_MS, () => reject(new Error('the mDNS socket did not open')));
      mdns.on('ready', () => (cancel(), resolve()));
      mdns.on('error', (err) => (cancel(), reject(err ?? new Error('mDNS socket error'))));
    });
    mdns.on('error', (err) => this.fail(err ?? new Error('mDNS socket error')));
    mdns.on('warning', (err) => this.log.debug({ err: err && describeError(err) }, 'mdns warning'));
    this.advertising = this.advertise(mdns).catch((err: unknown) => this.fail(err));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelWatch?.();
    this.cancelWatch = undefined;
    await this.advertising;
    const bonjour = this.bonjour;
    this.bonjour = undefined;
    if (!bonjour) return;
    // Goodbye packets (TTL 0) first, so other hosts forget the hub at once.
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    this.services = [];
    this.host = null;
  }

  status(): ComponentStatus {
    if (this.problem) return { state: 'down', detail: { reason: this.problem } };
    if (!this.bonjour) return { state: 'stopped' };
    return {
      state: this.host ? 'ready' : 'starting',
      detail: {
        host: this.host && `${this.host}.local`,
        services: this.services.map((s) => s.type),
        addresses: this.advertised,
        sendErrors: this.sendErrors,
      },
    };
  }

  /** The host name chosen (without .local), null until probed. */
  hostName(): string | null {
    return this.host;
  }

  private async advertise(mdns: MdnsSocket): Promise<void> {
    const { hostname } = this.settings;
    for (let n = 1; n <= MAX_SUFFIX && !this.stopping; n++) {
      const candidate = n === 1 ? hostname : `${hostname}-${n}`;
      if (await this.taken(mdns, candidate)) {
        this.log.info(
          { host: `${candidate}.local` },
          'mdns: the name is taken on the network; trying the next',
        );
        continue;
      }
      if (this.stopping || !this.bonjour) return;
      this.publish(this.bonjour, candidate);
      this.cancelWatch = this.clock.every(this.settings.addressCheckMs ?? 10_000, () =>
        this.followAddresses(),
      );
      return;
    }
    if (!this.stopping)
      this.fail(new Error(`${hostname}.local to ${hostname}-${MAX_SUFFIX}.local are all taken`));
  }

  private async taken(mdns: MdnsSocket, host: string): Promise<boolean> {
    const names = new Set([`${host}.local`, `${host}._http._tcp.local`]);
    let seen = false;
    const onResponse = (packet: { answers: Rr[]; additionals: Rr[] }) => {
      if ([...packet.answers, ...packet.additionals].some((rr) => names.has(rr.name.toLowerCase())))
        seen = true;
    };
    mdns.on('response', onResponse);
    try {
      for (let i = 0; i < PROBES && !seen && !this.stopping; i++) {
        mdns.query([...names].map((name) => ({ name, type: 'ANY' })));
        await this.clock.sleep(PROBE_GAP_MS);
      }
    } finally {
      mdns.removeListener('response', onResponse);
    }
    return seen;
  }

  private publish(bonjour: Bonjour, host: string): void {
    const { httpPort, mqttPort, mqttTlsPort, version } = this.settings;
    const product = { product: 'energy-hub', version };
    const wanted = [
      { type: 'http', port: httpPort, txt: { ...product, path: '/' } },
      { type: 'mqtt', port: mqttPort, txt: { ...product, auth: 'per-device login' } },
      { type: 'mqtts', port: mqttTlsPort ?? 0, txt: { ...product, ca: '/api/v1/mqtt/ca.crt' } },
    ].filter((s) => s.port > 0); // 0: off, or a port only the OS knows yet (tests)
    this.services = wanted.map((s) =>
      bonjour.publish({
        name: host,
        host: `${host}.local`,
        type: s.type,
        port: s.port,
        txt: s.txt,
        probe: false,
      }),
    );
    this.host = host;
    this.advertised = hostAddresses();
    this.log.info(
      { host: `${host}.local`, services: wanted.map((s) => `_${s.type}._tcp`) },
      'mdns: advertising',
    );
  }

  /**
   * bonjour-service reads the host's addresses once, when it publishes: a Pi whose network came
   * up after hubd (or whose DHCP lease moved) would be advertised at no or the old address.
   */
  private followAddresses(): void {
    const { bonjour, host } = this;
    if (!bonjour || !host || this.stopping || hostAddresses() === this.advertised) return;
    bonjour.unpublishAll(() => {
      if (this.bonjour === bonjour && !this.stopping) this.publish(bonjour, host);
    });
  }

  private fail(err: unknown): void {
    this.problem = describeError(err);
    this.log.warn({ err: this.problem }, 'mdns: the hub is not advertised');
  }
}

/** The host's IPv4 addresses as bonjour-service advertises them (not loopback), sorted. */
function hostAddresses(): string {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address)
    .sort()
    .join(' ');
}
