import { pairingRoutes } from '../api/routes/pairing.js';
import type { BrokerPorts } from '../broker/wire.js';
import type { DevicePorts } from '../devices/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { StatePorts } from '../state/wire.js';
import { UdpBeacon } from './beacon.udp.js';
import { ClaimPairing } from './claim-pairing.js';
import { MdnsAdvertiser } from './mdns-advertiser.net.js';
import { openevseConfigPoster } from './openevse-config.http.js';
import { PairingService } from './pairing-service.js';
import { RedisPairingMirror } from './pairing-store.redis.js';
import type { PairingPort } from './ports.js';

export interface PairingPorts {
  pairing: PairingPort;
}

// The broker gives the port it listens on (a configured 0 picks a free one); without it, the
// configured port. Its pairing line is where pairing logins are admitted.
type Ctx = ModuleContext &
  DevicePorts &
  StatePorts &
  Partial<Omit<BrokerPorts, 'pairingLine'>> &
  Pick<BrokerPorts, 'pairingLine'>;

/**
 * Pairing (docs/devices.md, Pairing): mDNS, the UDP beacon, EmonESP's auth requests. Its routes
 * must come before ingest's, whose feed API ends with the /emoncms/* catch-all.
 */
export function wirePairing(ctx: Ctx): WiredModule<PairingPorts> {
  const { config, log, clock, bus } = ctx;
  const settings = config.pairing;
  const pairingLog = log.child({ component: 'pairing' });
  const beacon = new UdpBeacon(
    settings.beaconAddress,
    settings.beaconPort,
    log.child({ component: 'pairing-beacon' }),
  );
  const mqttPort = () =>
    config.mqtt.enabled ? (ctx.broker?.ports().tcp ?? (config.mqtt.port || null)) : null;
  const claims = new ClaimPairing({
    devices: ctx.devices,
    line: ctx.pairingLine,
    windowOpen: () => pairing.windowOpen(),
    postOpenevseConfig: openevseConfigPoster(pairingLog),
    bus,
    clock,
    log: pairingLog,
    settings: {
      handoverMs: settings.handoverTimeoutS * 1000,
      requestTtlMs: settings.requestTtlS * 1000,
      maxSessions: settings.maxPendingRequests,
      hostname: settings.hostname,
      mqttPort,
      mqttTlsPort: () =>
        config.mqtt.enabled && config.mqtt.tls.enabled
          ? (ctx.broker?.ports().tls ?? (config.mqtt.tls.port || null))
          : null,
    },
  });
  const pairing: PairingService = new PairingService({
    devices: ctx.devices,
    beacon,
    claims,
    mirror: new RedisPairingMirror(() => ctx.redis.redis, ctx.keys, pairingLog),
    bus,
    clock,
    log: pairingLog,
    settings: {
      requestTtlMs: settings.requestTtlS * 1000,
      allowanceTtlMs: settings.allowanceTtlS * 1000,
      maxPendingRequests: settings.maxPendingRequests,
      requestsPerAddressPerMinute: settings.requestsPerAddressPerMinute,
      windowMs: settings.windowMinutes * 60_000,
      beaconIntervalMs: settings.beaconIntervalS * 1000,
      mqttPort,
    },
  });
  const mdns =
    settings.mdns &&
    new MdnsAdvertiser(
      {
        hostname: settings.hostname,
        httpPort: config.http.port,
        mqttPort: config.mqtt.enabled ? config.mqtt.port : 0,
        mqttTlsPort: config.mqtt.enabled && config.mqtt.tls.enabled ? config.mqtt.tls.port : null,
        version: ctx.version.version,
      },
      log.child({ component: 'mdns' }),
      ctx.realClock,
    );
  const components = [beacon, pairing, claims, mdns].filter((c) => !!c);
  return { components, routes: pairingRoutes(pairing, claims), ports: { pairing } };
}
