// Stand-ins for the four firmwares, answering our MQTT messages as the real devices do. Written
// from each firmware's own documentation and source, not from our drivers, so that the contract
// suite checks a driver against the device rather than against itself:
// - Tasmota: tasmota/docs docs/MQTT.md ("cmnd/tasmota_switch/Power" → stat/…/RESULT and
//   stat/…/POWER), docs/Commands.md (Power<x>, State, Status 10, SetOption26),
//   JSON-Status-Responses.md (StatusSNS.ENERGY); GetPowerDevice in Tasmota's support.ino.
// - EmonESP: openenergymonitor/EmonESP 3a41aec src/mqtt.cpp (mqtt_msg_callback, mqtt_connect).
// - Shelly Gen2: shelly-api-docs gen2 General/RPCProtocol (frames), ComponentsAndServices/Switch.
// - OpenEVSE: openevse_esp32_firmware 1797b7a src/mqtt.cpp (handleMqttMessage, publishOverride,
//   publishLimit), src/evse_man.cpp (EvseProperties), src/limit.cpp (LimitProperties).
import type { OutgoingMessage } from '../../src/devices/driver.js';
import type { Firmware, FirmwareMessage } from './device-driver.contract.js';

const msg = (topic: string, payload: unknown): FirmwareMessage => ({
  topic,
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

const parse = (text: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

export interface TasmotaOptions {
  relayCount: number;
  metering: boolean;
  /** SetOption26: `POWER1` even with one relay. */
  indexAlways?: boolean;
}

export function tasmotaFirmware(topic: string, options: TasmotaOptions): Firmware & { relays: boolean[] } {
  const relays = Array.from({ length: options.relayCount }, () => false);
  const key = (n: number) => (options.relayCount > 1 || options.indexAlways ? `POWER${n}` : 'POWER');
  const onOff = (on: boolean) => (on ? 'ON' : 'OFF');
  return {
    relays,
    receive(m: OutgoingMessage) {
      const prefix = `cmnd/${topic}/`;
      if (!m.topic.startsWith(prefix)) return [];
      const command = m.topic.slice(prefix.length).toUpperCase();
      const power = /^POWER([1-8]?)$/.exec(command);
      if (power) {
        const n = power[1] ? Number(power[1]) : 1;
        if (n > relays.length) return [msg(`stat/${topic}/RESULT`, { Command: 'Unknown' })];
        const arg = m.payload.trim().toUpperCase();
        if (['ON', '1', 'TRUE'].includes(arg)) relays[n - 1] = true;
        else if (['OFF', '0', 'FALSE'].includes(arg)) relays[n - 1] = false;
        else if (['TOGGLE', '2'].includes(arg)) relays[n - 1] = !relays[n - 1];
        else if (arg !== '' && arg !== '?') return [];
        return [
          msg(`stat/${topic}/RESULT`, { [key(n)]: onOff(relays[n - 1]!) }),
          msg(`stat/${topic}/${key(n)}`, onOff(relays[n - 1]!)),
        ];
      }
      const time = '2026-11-27T21:00:00';
      if (command === 'STATE') {
        const powers = Object.fromEntries(relays.map((on, i) => [key(i + 1), onOff(on)]));
        return [
          msg(`stat/${topic}/RESULT`, { Time: time, Uptime: '0T01:00:00', ...powers, Wifi: { RSSI: 80 } }),
        ];
      }
      if (command === 'STATUS' && m.payload.trim() === '10') {
        const energy = { Total: 3.185, Yesterday: 3.058, Today: 0.127, Power: relays.some(Boolean) ? 41 : 0 };
        const sns = options.metering ? { Time: time, ENERGY: energy } : { Time: time, Switch1: 'OFF' };
        return [msg(`stat/${topic}/STATUS10`, { StatusSNS: sns })];
      }
      return [];
    },
  };
}

export interface EmonespOptions {
  /** `nested`: base `emon/<t>`, node_name `node`; `flat`: base `emon`, node_name = t. */
  layout: 'nested' | 'flat';
  node: string;
  nodeType: string;
}

export function emonespFirmware(
  topicName: string,
  options: EmonespOptions,
): Firmware & { connect(): FirmwareMessage[] } {
  const base = options.layout === 'nested' ? `emon/${topicName}` : 'emon';
  const node = options.layout === 'nested' ? options.node : topicName;
  const root = `${base}/${node}`;
  let ctrlMode = 'Off';
  return {
    connect: () => [msg(`${root}/describe`, options.nodeType)],
    receive(m: OutgoingMessage) {
      if (m.topic === `${root}/in/ctrlmode`) {
        const modes: Record<string, string> = {
          '2': 'Timer',
          '1': 'On',
          '0': 'Off',
          Timer: 'Timer',
          On: 'On',
          Off: 'Off',
        };
        ctrlMode = modes[m.payload] ?? 'Off'; // anything else, `on` included, switches it Off
        return [];
      }
      if (m.topic === `${root}/in/state`) {
        return [
          msg(`${root}/out/state`, { ip: '192.168.1.50', ctrlmode: ctrlMode, timer: '0 0 0 0', vout: '0' }),
        ];
      }
      return [];
    },
  };
}

export interface ShellyOptions {
  deviceId: string;
  switches: number;
  metering: boolean;
}

export function shellyFirmware(prefix: string, options: ShellyOptions): Firmware {
  const outputs = Array.from({ length: options.switches }, () => false);
  const status = (id: number) => ({
    id,
    source: 'MQTT',
    output: outputs[id],
    ...(options.metering
      ? {
          apower: outputs[id] ? 8.9 : 0,
          voltage: 231.2,
          current: outputs[id] ? 0.04 : 0,
          aenergy: { total: 1250.5, by_minute: [0, 0, 0], minute_ts: 1790000000 },
        }
      : {}),
    temperature: { tC: 37.1, tF: 98.8 },
  });
  return {
    receive(m: OutgoingMessage) {
      if (m.topic !== `${prefix}/rpc`) return [];
      const frame = parse(m.payload);
      if (
        !frame ||
        typeof frame.src !== 'string' ||
        frame.id === undefined ||
        typeof frame.method !== 'string'
      )
        return [];
      const reply = (body: Record<string, unknown>) =>
        msg(`${frame.src as string}/rpc`, { id: frame.id, src: options.deviceId, dst: frame.src, ...body });
      const params = (frame.params ?? {}) as Record<string, unknown>;
      const id = typeof params.id === 'number' ? params.id : 0;
      if (id < 0 || id >= outputs.length)
        return [reply({ error: { code: -105, message: `Argument 'id', value ${id} not found!` } })];
      if (frame.method === 'Switch.GetStatus') return [reply({ result: status(id) })];
      if (frame.method === 'Switch.Set' && typeof params.on === 'boolean') {
        const wasOn = outputs[id]!;
        outputs[id] = params.on;
        const out = [reply({ result: { was_on: wasOn } })];
        // A status notification goes out when the output changes (rpc_ntf, on by default).
        if (wasOn !== params.on)
          out.push(
            msg(`${prefix}/events/rpc`, {
              src: options.deviceId,
              dst: `${prefix}/events`,
              method: 'NotifyStatus',
              params: { ts: 1790000000.12, [`switch:${id}`]: { id, output: params.on, source: 'MQTT' } },
            }),
          );
        return out;
      }
      return [reply({ error: { code: -114, message: `Method ${frame.method} failed: Method not found!` } })];
    },
  };
}

export function openevseFirmware(base: string): Firmware {
  // EvseProperties: only the fields set are serialised; auto_release always.
  let override: Record<string, unknown> | null = null;
  let limit = { type: 'none', value: 0, auto_release: true };
  const vehicleConnected = true;
  const reports = (): FirmwareMessage[] => {
    const active = override?.state !== 'disabled';
    const pilotA = typeof override?.charge_current === 'number' ? override.charge_current : 32;
    return [
      msg(`${base}/override`, override ?? { state: 'null' }),
      msg(`${base}/status`, active ? 'active' : 'disabled'),
      msg(`${base}/state`, String(active ? (vehicleConnected ? 3 : 1) : 254)),
      msg(`${base}/pilot`, String(pilotA)),
    ];
  };
  return {
    receive(m: OutgoingMessage) {
      if (m.topic === `${base}/override/set`) {
        if (m.payload === 'clear') {
          if (override === null) return [];
          override = null;
          return reports();
        }
        const props = parse(m.payload);
        if (!props) return [];
        const next: Record<string, unknown> = {
          ...(override ?? {}),
          auto_release: override?.auto_release ?? false,
        };
        for (const field of ['state', 'charge_current', 'max_current', 'auto_release']) {
          if (!(field in props)) continue;
          if (props[field] === 'clear') delete next[field];
          else next[field] = props[field];
        }
        if (JSON.stringify(next) === JSON.stringify(override)) return []; // claim unchanged: nothing published
        override = next;
        return reports();
      }
      if (m.topic === `${base}/limit/set`) {
        if (m.payload === 'clear') limit = { type: 'none', value: 0, auto_release: true };
        else {
          const props = parse(m.payload);
          const type = typeof props?.type === 'string' ? props.type : 'none';
          const value = typeof props?.value === 'number' ? props.value : 0;
          if (type === 'none' || value <= 0) return [];
          limit = { type, value, auto_release: props?.auto_release !== false };
        }
        return [msg(`${base}/limit`, limit)];
      }
      return [];
    },
  };
}
