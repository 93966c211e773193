// The bodies a Tasmota device publishes: its native discovery (tasmota_xdrv_driver/
// xdrv_12_discovery.ino TasDiscoverMessage/TasDiscovery: retained `tasmota/discovery/<MAC>/config`
// and `…/sensors`, "ver":1), INFO2, STATE and ENERGY, and its default identity (MAC, host name).
import { hex6, isoSeconds, type MqttLogin } from './sim-base.js';

/** Tasmota's default MQTT user and password (my_user_config.h MQTT_USER / MQTT_PASS). */
export const TASMOTA_DEFAULT_USER = 'DVES_USER';
export const TASMOTA_DEFAULT_PASSWORD = 'DVES_PASS';

/** The login a factory-fresh Tasmota connects with (what pairing without typing lets in). */
export function tasmotaDefaultLogin(url: string): MqttLogin {
  return { url, username: TASMOTA_DEFAULT_USER, password: TASMOTA_DEFAULT_PASSWORD };
}

/** Eight relays on an ESP8266 (MAX_RELAYS), as many friendly names (MAX_FRIENDLYNAMES). */
const MAX_RELAYS = 8;
const MAX_SWITCHES = 8;
const MAX_KEYS = 4;
const MAX_SHUTTERS = 4;

export interface TasmotaIdentity {
  /** 12 upper-case hex digits, no colons (NetworkUniqueId). */
  mac: string;
  ip: string;
  hostname: string;
  /** SET_DEVICENAME (default "Tasmota"). */
  deviceName: string;
  /** %topic% */
  topic: string;
  /** ModuleName(): the module or template name. */
  module: string;
  /** TasmotaGlobal.version */
  version: string;
  relayCount: number;
}

/** A MAC stable per topic whose last three bytes are those of the `DVES_XXXXXX` client id. */
export function defaultMac(topic: string): string {
  return `A4CF12${hex6(topic)}`;
}

/** Hostname `%s-%04d` with the topic and the chip id's low 13 bits (`_` is not allowed in a host name). */
export function tasmotaHostname(topic: string, mac: string): string {
  const chip = parseInt(mac.slice(-4), 16) & 0x1fff;
  return `${topic.replaceAll('_', '-')}-${String(chip).padStart(4, '0')}`;
}

/** Tasmota's MakeValidMqtt for a topic: `+`, `#`, `/` and spaces become `_`. */
export function validTopic(name: string): string {
  return name.replace(/[+#/ ]/g, '_');
}

/** TasDiscovery's two retained messages, config first. */
export function discoveryMessages(
  d: TasmotaIdentity,
  sensors: Record<string, unknown>,
): [topic: string, body: Record<string, unknown>][] {
  return [
    [`tasmota/discovery/${d.mac}/config`, discoveryConfig(d)],
    [`tasmota/discovery/${d.mac}/sensors`, { sn: sensors, ver: 1 }],
  ];
}

/** The body of `tasmota/discovery/<MAC>/config` (field order as TasDiscoverMessage writes it). */
export function discoveryConfig(d: TasmotaIdentity): Record<string, unknown> {
  const relays = Math.max(1, d.relayCount);
  const friendly = (i: number) => (i === 0 ? d.deviceName : `${d.deviceName}${i + 1}`);
  return {
    ip: d.ip,
    dn: d.deviceName,
    fn: Array.from({ length: MAX_RELAYS }, (_, i) => (i < relays ? friendly(i) : null)),
    hn: d.hostname,
    mac: d.mac,
    md: d.module,
    ty: 0,
    if: 0,
    ofln: 'Offline',
    onln: 'Online',
    state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
    sw: d.version,
    t: d.topic,
    ft: '%prefix%/%topic%/',
    tp: ['cmnd', 'stat', 'tele'],
    rl: Array.from({ length: MAX_RELAYS }, (_, i) => (i < d.relayCount ? 1 : 0)),
    swc: Array.from({ length: MAX_SWITCHES }, () => -1),
    swn: Array.from({ length: MAX_SWITCHES }, () => null),
    btn: Array.from({ length: MAX_KEYS }, () => 0),
    so: {
      '4': 0,
      '11': 0,
      '13': 0,
      '17': 0,
      '20': 0,
      '30': 0,
      '68': 0,
      '73': 0,
      '82': 0,
      '114': 0,
      '117': 0,
    },
    lk: 0,
    lt_st: 0,
    sho: Array.from({ length: MAX_SHUTTERS }, () => 0),
    ver: 1,
  };
}

/** `tele/<t>/INFO1`, the first message after subscribing. */
export function info1(d: TasmotaIdentity, fallbackTopic: string, groupTopic: string) {
  return {
    Info1: {
      Module: d.module,
      Version: `${d.version}(release-tasmota)`,
      FallbackTopic: fallbackTopic,
      GroupTopic: `cmnd/${groupTopic}/`,
    },
  };
}

/** `tele/<t>/INFO2`, sent after INFO1 while the web server runs. */
export function info2(d: TasmotaIdentity): Record<string, unknown> {
  return { Info2: { WebServerMode: 'Admin', Hostname: d.hostname, IPAddress: d.ip } };
}

/** `tele/<t>/STATE` (and Status 11's StatusSTS) with the relays' `POWER<x>` fields. */
export function stateBody(
  nowMs: number,
  bootMs: number,
  mqttCount: number,
  power: Record<string, string>,
): Record<string, unknown> {
  const upS = Math.floor((nowMs - bootMs) / 1000);
  return {
    Time: isoSeconds(nowMs),
    Uptime: uptime(upS),
    UptimeSec: upS,
    Heap: 26,
    SleepMode: 'Dynamic',
    Sleep: 50,
    LoadAvg: 19,
    MqttCount: mqttCount,
    ...power,
    Wifi: {
      AP: 1,
      SSId: 'home',
      Channel: 6,
      Mode: '11n',
      RSSI: 78,
      Signal: -61,
      LinkCount: 1,
      Downtime: '0T00:00:03',
    },
  };
}

/** The ENERGY object of SENSOR and Status 10 (a POW's meter, counting since boot). */
export function energyBody(bootMs: number, energyKWh: number, powerW: number, voltageV: number) {
  return {
    TotalStartTime: isoSeconds(bootMs),
    Total: round(energyKWh, 3),
    Yesterday: 0,
    Today: round(energyKWh, 3),
    Period: 0,
    Power: powerW,
    ApparentPower: powerW,
    ReactivePower: 0,
    Factor: powerW > 0 ? 1 : 0,
    Voltage: voltageV,
    Current: round(powerW / voltageV, 3),
  };
}

/** `1T02:03:04` (days T hh:mm:ss), Tasmota's uptime. */
function uptime(totalS: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(totalS / 86400);
  return `${d}T${pad(Math.floor(totalS / 3600) % 24)}:${pad(Math.floor(totalS / 60) % 60)}:${pad(totalS % 60)}`;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
