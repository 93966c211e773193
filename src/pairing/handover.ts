import type { PairingClaimKind } from '../api/contract.js';
import { PAIRING_RPC_SRC } from './claim-facts.js';

// How the hub gives a device that paired without typing its own login, through the firmware's own
// configuration command (pure). Facts: reference/demandshaper.md §5.5 (Tasmota restarts MQTT
// after MqttUser/MqttPassword/Topic), Shelly Gen2 MQTT.SetConfig {config: {user, pass,
// topic_prefix}} answering restart_required, then Shelly.Reboot; OpenEVSE ESP32 src/mqtt.cpp
// (`<base>/config/set` → config_deserialize + commit) and src/app_config.cpp (a changed mqtt_*
// setting restarts its MQTT connection).

export interface HandoverLogin {
  kind: PairingClaimKind;
  /** The topic level it uses now. */
  topicName: string;
  /** The topic level it is to use (the hub renames a device whose own one it cannot take). */
  newTopicName: string;
  username: string;
  secret: string;
}

export interface DirectMessage {
  topic: string;
  payload: string;
}

/** The messages, in order, that make the device reconnect with its own login. */
export function handoverMessages(login: HandoverLogin, rpcId: number): DirectMessage[] {
  const { topicName: t, newTopicName: next, username, secret } = login;
  const renamed = next !== t;
  switch (login.kind) {
    case 'tasmota': {
      // Backlog splits on ';': neither a username nor a base64url secret holds one. MqttPassword2
      // answers "****", not the password (Tasmota 12+; older ones take it as MqttPassword).
      const commands = [
        `MqttUser ${username}`,
        `MqttPassword2 ${secret}`,
        ...(renamed ? [`Topic ${next}`] : []),
      ];
      return [{ topic: `cmnd/${t}/Backlog`, payload: commands.join('; ') }];
    }
    case 'shelly': {
      const config = { user: username, pass: secret, ...(renamed ? { topic_prefix: next } : {}) };
      return [rpc(t, rpcId, 'MQTT.SetConfig', { config }), rpc(t, rpcId + 1, 'Shelly.Reboot', {})];
    }
    case 'openevse':
      // 5.0 and later; 4.x takes the same body on its web API (openevseConfigUrl).
      return [{ topic: `${t}/config/set`, payload: openevseConfigBody(login) }];
  }
}

/**
 * Where an OpenEVSE's web API takes the same settings (`POST /config`; 4.x has no config/set):
 * only ever the address its session comes from (never a host the device names), on the port its
 * announce gives when it names that address, else 80.
 */
export function openevseConfigUrl(sessionIp: string, announcedHttp: string | null): string {
  let port = '';
  try {
    const url = new URL(announcedHttp ?? '');
    if (url.protocol === 'http:' && url.hostname === sessionIp) port = url.port ? `:${url.port}` : '';
  } catch {
    // no usable address announced: port 80
  }
  return `http://${sessionIp}${port}/config`;
}

/** The body of that POST: the same JSON as its config/set. */
export function openevseConfigBody(login: HandoverLogin): string {
  const renamed = login.newTopicName !== login.topicName;
  return JSON.stringify({
    mqtt_user: login.username,
    mqtt_pass: login.secret,
    ...(renamed ? { mqtt_topic: login.newTopicName } : {}),
  });
}

/** Asks a Shelly what it is (the answer comes on `hub-pairing/rpc`). */
export function shellyInfoRequest(prefix: string, rpcId: number): DirectMessage {
  return rpc(prefix, rpcId, 'Shelly.GetDeviceInfo', {});
}

function rpc(prefix: string, id: number, method: string, params: object): DirectMessage {
  return { topic: `${prefix}/rpc`, payload: JSON.stringify({ id, src: PAIRING_RPC_SRC, method, params }) };
}
