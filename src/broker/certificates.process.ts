import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface TlsMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  /** Where the CA certificate is, for `mosquitto_sub --cafile`. */
  caFile: string;
}

const RENEW_BEFORE_MS = 30 * 86_400_000;
const SERVER_DAYS = 397; // the longest lifetime clients accept for a server certificate

/** The names a device may use to reach the hub: hub.local, the hostname, loopback and LAN addresses. */
export function hubNames(): { dns: string[]; ips: string[] } {
  const host = hostname();
  const dns = [...new Set(['hub.local', host, `${host}.local`, 'localhost'])];
  const ips = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !ips.includes(a.address)) ips.push(a.address);
  }
  return { dns, ips };
}

/**
 * The hub's own CA (10 years) and a server certificate it signs for the hub's names, made with
 * openssl on first start and renewed 30 days before expiry or when the names change.
 */
export function ensureTlsMaterial(dir: string, log: Logger, clock: Pick<Clock, 'nowMs'>): TlsMaterial {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string) => join(dir, name);
  if (!existsSync(f('ca.crt')) || !existsSync(f('ca.key'))) {
    const subject = `/CN=Energy Hub local CA (${hostname()})`;
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-sha256',
      '-days',
      '3650',
      '-subj',
      subject,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    ]);
    log.info({ file: f('ca.crt') }, 'created the hub CA');
  }
  const names = hubNames();
  const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((ip) => `IP:${ip}`)].join(',');
  if (needsServerCert(f('server.crt'), san, f('server.san'), clock.nowMs())) {
    writeFileSync(
      f('server.ext'),
      `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
    );
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=hub.local',
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-sha256',
      '-days',
      String(SERVER_DAYS),
      '-extfile',
      f('server.ext'),
      '-out',
      f('server.crt'),
    ]);
    writeFileSync(f('server.san'), san);
    log.info({ names: san }, 'issued the MQTT server certificate');
  }
  return {
    caCertPem: readFileSync(f('ca.crt'), 'utf8'),
    certPem: readFileSync(f('server.crt'), 'utf8'),
    keyPem: readFileSync(f('server.key'), 'utf8'),
    caFile: f('ca.crt'),
  };
}

/** A user-supplied certificate replaces ours; the CA offered for download is then not ours. */
export function loadUserTls(certFile: string, keyFile: string): TlsMaterial {
  const certPem = readFileSync(certFile, 'utf8');
  return { caCertPem: certPem, certPem, keyPem: readFileSync(keyFile, 'utf8'), caFile: certFile };
}

function needsServerCert(certFile: string, san: string, sanFile: string, nowMs: number): boolean {
  if (!existsSync(certFile) || !existsSync(sanFile)) return true;
  if (readFileSync(sanFile, 'utf8') !== san) return true;
  const cert = new X509Certificate(readFileSync(certFile));
  return Date.parse(cert.validTo) - nowMs < RENEW_BEFORE_MS;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `openssl ${args[0]} failed${stderr ? `: ${stderr}` : ''} (is the openssl package installed?)`,
      { cause: err },
    );
  }
}
