// What OpenEVSE's `<base>/config/set` does to its MQTT settings: src/mqtt.cpp hands the JSON to
// config_deserialize + config_commit (src/app_config.cpp: known keys of the right type are taken,
// the rest ignored); a changed mqtt_* setting calls mqtt.restartConnection(). The client id and
// the announce's name stay the host name; the announce's `mqtt` is the new base. Pure.
import type { MqttLogin } from './sim-base.js';

export interface MqttSettings {
  login: MqttLogin;
  /** mqtt_topic */
  base: string;
}

/** A JSON object, or undefined for anything else (invalid JSON, an array, a number). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The settings after `body` (mqtt_user/pass/topic/server/port), or undefined if none changed. */
export function applyMqttConfig(now: MqttSettings, body: Record<string, unknown>): MqttSettings | undefined {
  const str = (key: string) => (typeof body[key] === 'string' ? body[key] : undefined);
  const url = new URL(now.login.url);
  const server = str('mqtt_server');
  if (server) url.hostname = server;
  const port = body.mqtt_port;
  if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) url.port = String(port);
  const next: MqttSettings = {
    login: {
      url: url.href.replace(/\/$/, ''),
      username: str('mqtt_user') ?? now.login.username,
      password: str('mqtt_pass') ?? now.login.password,
    },
    base: str('mqtt_topic') || now.base,
  };
  const same =
    next.base === now.base &&
    next.login.username === now.login.username &&
    next.login.password === now.login.password &&
    url.href === new URL(now.login.url).href;
  return same ? undefined : next;
}
