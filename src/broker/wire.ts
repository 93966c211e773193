import { join } from 'node:path';
import { mqttRoutes } from '../api/routes/mqtt.js';
import type { AuthPorts } from '../auth/wire.js';
import type { DevicePorts } from '../devices/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { BrokerAuthService, hubAuthenticators } from './broker-auth-service.js';
import { ensureTlsMaterial, loadUserTls, type TlsMaterial } from './certificates.process.js';
import { MqttBroker } from './mqtt-broker.net.js';
import { PairingLine } from './pairing-line.js';
import type { PairingLinePort } from './ports.js';

export interface BrokerPorts {
  /** Undefined when MQTT is turned off. */
  broker: MqttBroker | undefined;
  /** Where pairing logins are admitted and talked to (the pairing capability attaches). */
  pairingLine: PairingLinePort;
}

/** The embedded MQTT broker (TCP, TLS, WebSocket at /mqtt) and its logins. */
export function wireBroker(ctx: ModuleContext & AuthPorts & DevicePorts): WiredModule<BrokerPorts> {
  const { config, paths, log, clock } = ctx;
  let tls: TlsMaterial | undefined;
  const tlsMaterial = () =>
    (tls ??=
      config.mqtt.tls.certFile && config.mqtt.tls.keyFile
        ? loadUserTls(config.mqtt.tls.certFile, config.mqtt.tls.keyFile)
        : ensureTlsMaterial(join(paths.dataDir, 'tls'), log.child({ component: 'tls' }), clock));
  const pairingLine = new PairingLine();
  const brokerAuth = new BrokerAuthService(
    hubAuthenticators(ctx.auth, ctx.devices, config.mqtt, pairingLine),
  );
  const broker = config.mqtt.enabled
    ? new MqttBroker(config.mqtt, {
        authenticate: (u, p, remote, clientId, ws) => brokerAuth.authenticate(u, p, remote, clientId, ws),
        resolveOwner: (owner) => brokerAuth.resolveOwner(owner),
        persistenceDir: join(paths.dataDir, 'mqtt'),
        pairing: pairingLine,
        tls: tlsMaterial,
        onUpgrade: ctx.upgrades.onUpgrade,
        bus: ctx.bus,
        clock,
        log: log.child({ component: 'mqtt' }),
        version: ctx.version.version,
      })
    : undefined;
  const routes = mqttRoutes({
    mqttCaCertificate: () => {
      try {
        return config.mqtt.tls.enabled ? tlsMaterial().caCertPem : undefined;
      } catch {
        return undefined;
      }
    },
    mqttStatus: () => broker?.status(),
  });
  return { components: broker ? [broker] : [], routes, ports: { broker, pairingLine } };
}
