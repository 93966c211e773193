import type { PairingRequestView } from '../api/contract.js';

// The pairing auth-request state machine (docs/devices.md, Pairing), pure: time comes in as
// arguments. Unlike emoncms (one slot, the last requester wins) every pending request is kept and
// shown, each address is rate limited, and an allowance answers exactly one request from exactly
// that address within its time, then is spent.

export interface AuthRequestLimits {
  /** A pending request not renewed for this long is forgotten. */
  requestTtlMs: number;
  /** An allowed address has this long to fetch its answer. */
  allowanceTtlMs: number;
  maxPendingRequests: number;
  requestsPerAddressPerMinute: number;
}

interface PendingRequest {
  ip: string;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  hint: string | null;
  allowance: { untilMs: number; deviceId: number; answer: string } | null;
}

export type RequestOutcome =
  /** Not an IPv4 address (or not an address at all): refused, nothing stored. */
  | { kind: 'refused'; reason: string }
  /** Over the per-address limit: nothing changed. */
  | { kind: 'rate_limited' }
  /** Every slot holds an allowance waiting to be fetched: nothing changed. */
  | { kind: 'full' }
  /** From an address an admin denied lately: answered as registered, neither stored nor shown. */
  | { kind: 'ignored'; ip: string }
  /** Pending (new or renewed); `dropped` is the oldest request pushed out to make room. */
  | { kind: 'registered'; ip: string; dropped: string | null }
  /** The allowance was spent on this request: the one-time answer, and the request is gone. */
  | { kind: 'answered'; ip: string; answer: string; deviceId: number };

export type AllowOutcome = { ok: true } | { ok: false; code: 'not_pending' | 'already_allowed' };

const MINUTE_MS = 60_000;
const HINT_MAX_CHARS = 120;
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `a.b.c.d` (IPv4-mapped IPv6 unwrapped, leading zeros dropped), or undefined for anything else. */
export function normaliseIpv4(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const quad = DOTTED_QUAD.exec(MAPPED_IPV4.exec(address)?.[1] ?? address);
  if (!quad) return undefined;
  const octets = quad.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets.join('.') : undefined;
}

/** A User-Agent or similar as a one-line hint of at most 120 characters, or null. */
export function hintOf(text: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = (text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean === '' ? null : clean.slice(0, HINT_MAX_CHARS);
}

/** EmonESP's default MQTT port: an answer without a 4th part leaves the device's own port. */
export const EMONESP_MQTT_PORT = 1883;

/**
 * The one-time answer (reference/emoncms.md §4.3): `user:pass:basetopic`, and `:port` when the
 * broker is not on EmonESP's default port (the firmware takes a 4th part as its port).
 */
export function authAnswer(user: string, secret: string, baseTopic: string, mqttPort: number | null): string {
  const port = mqttPort === null || mqttPort === EMONESP_MQTT_PORT ? '' : `:${mqttPort}`;
  return `${user}:${secret}:${baseTopic}${port}`;
}

export class AuthRequests {
  private readonly pending = new Map<string, PendingRequest>();
  /** Removed by expiry and not yet handed out by prune(). */
  private readonly gone: { ip: string; lapsedDeviceId: number | null }[] = [];
  /**
   * Each address's request times in the last minute, apart from its pending request so that
   * neither pushing it out nor denying or answering it resets the limit; the least recently
   * used go first beyond a bound.
   */
  private readonly recentMs = new Map<string, number[]>();
  /** Denied addresses → until when their requests are ignored (EmonESP asks every 10 s). */
  private readonly deniedUntilMs = new Map<string, number>();

  constructor(private readonly limits: AuthRequestLimits) {}

  /** A device at `address` asks to join (GET …/device/auth/request.json). */
  request(address: string | undefined, hint: string | null, nowMs: number): RequestOutcome {
    const ip = normaliseIpv4(address);
    if (!ip) return { kind: 'refused', reason: 'only IPv4 devices can pair' };
    this.dropExpired(nowMs);
    if (this.overRate(ip, nowMs)) return { kind: 'rate_limited' };
    if ((this.deniedUntilMs.get(ip) ?? -Infinity) >= nowMs) return { kind: 'ignored', ip };
    this.deniedUntilMs.delete(ip);
    const existing = this.pending.get(ip);
    if (existing) {
      if (existing.allowance) {
        const { answer, deviceId } = existing.allowance;
        this.pending.delete(ip);
        return { kind: 'answered', ip, answer, deviceId };
      }
      existing.lastSeenMs = nowMs;
      existing.count += 1;
      existing.hint = hint ?? existing.hint;
      return { kind: 'registered', ip, dropped: null };
    }
    let dropped: string | null = null;
    if (this.pending.size >= this.limits.maxPendingRequests) {
      dropped = this.oldestDroppable();
      if (dropped === null) return { kind: 'full' };
      this.pending.delete(dropped);
    }
    this.pending.set(ip, {
      ip,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
      count: 1,
      hint,
      allowance: null,
    });
    return { kind: 'registered', ip, dropped };
  }

  /** The next request from `ip` within the allowance time gets `answer`, once. */
  allow(ip: string, answer: string, deviceId: number, nowMs: number): AllowOutcome {
    this.dropExpired(nowMs);
    const request = this.pending.get(ip);
    if (!request) return { ok: false, code: 'not_pending' };
    if (request.allowance) return { ok: false, code: 'already_allowed' };
    request.allowance = { untilMs: nowMs + this.limits.allowanceTtlMs, deviceId, answer };
    return { ok: true };
  }

  /**
   * Forgets the request from `ip` (an allowance with it) and ignores that address for the
   * request time; false when there was none.
   */
  deny(ip: string, nowMs: number): boolean {
    if (!this.pending.delete(ip)) return false;
    this.deniedUntilMs.delete(ip);
    this.deniedUntilMs.set(ip, nowMs + this.limits.requestTtlMs);
    this.bound(this.deniedUntilMs);
    return true;
  }

  /** Drops the allowance that names `deviceId` (its device was deleted); the address it was for. */
  forgetDevice(deviceId: number): string | undefined {
    for (const r of this.pending.values()) {
      if (r.allowance?.deviceId !== deviceId) continue;
      this.pending.delete(r.ip);
      return r.ip;
    }
    return undefined;
  }

  isPending(ip: string, nowMs: number): boolean {
    this.dropExpired(nowMs);
    return this.pending.has(ip);
  }

  /**
   * Removes requests not renewed within their time and allowances not fetched within theirs;
   * returns what went since the last call (also what other calls removed on the way), with the
   * device of each lapsed allowance.
   */
  prune(nowMs: number): { ip: string; lapsedDeviceId: number | null }[] {
    this.dropExpired(nowMs);
    return this.gone.splice(0);
  }

  /** The earliest time something expires, for a timer; null when nothing is pending. */
  nextExpiryMs(): number | null {
    let next: number | null = null;
    for (const r of this.pending.values()) {
      const at = r.allowance ? r.allowance.untilMs + 1 : r.lastSeenMs + this.limits.requestTtlMs + 1;
      next = next === null ? at : Math.min(next, at);
    }
    return next;
  }

  /** What the app shows (never the answer), the oldest first. */
  view(nowMs: number): PairingRequestView[] {
    this.dropExpired(nowMs);
    return [...this.pending.values()]
      .sort((a, b) => a.firstSeenMs - b.firstSeenMs)
      .map((r) => ({
        ip: r.ip,
        firstSeenMs: r.firstSeenMs,
        lastSeenMs: r.lastSeenMs,
        count: r.count,
        hint: r.hint,
        allowedUntilMs: r.allowance?.untilMs ?? null,
        deviceId: r.allowance?.deviceId ?? null,
      }));
  }

  private dropExpired(nowMs: number): void {
    for (const request of this.pending.values()) {
      const { allowance } = request;
      const expired = allowance
        ? nowMs > allowance.untilMs
        : nowMs - request.lastSeenMs > this.limits.requestTtlMs;
      if (!expired) continue;
      this.pending.delete(request.ip);
      this.gone.push({ ip: request.ip, lapsedDeviceId: allowance?.deviceId ?? null });
    }
  }

  /** Counts this request against its address's limit; true when it is over (nothing counted). */
  private overRate(ip: string, nowMs: number): boolean {
    const times = (this.recentMs.get(ip) ?? []).filter((t) => t > nowMs - MINUTE_MS);
    this.recentMs.delete(ip);
    const over = times.length >= this.limits.requestsPerAddressPerMinute;
    if (!over) times.push(nowMs);
    this.recentMs.set(ip, times);
    this.bound(this.recentMs);
    return over;
  }

  /** Keeps a per-address map within 4 × the pending limit, the least recently set going first. */
  private bound(map: Map<string, unknown>): void {
    const max = this.limits.maxPendingRequests * 4;
    for (const key of map.keys()) {
      if (map.size <= max) break;
      map.delete(key);
    }
  }

  /** The least recently seen request without an allowance (an allowance is never pushed out). */
  private oldestDroppable(): string | null {
    let oldest: PendingRequest | undefined;
    for (const r of this.pending.values())
      if (!r.allowance && (!oldest || r.lastSeenMs < oldest.lastSeenMs)) oldest = r;
    return oldest?.ip ?? null;
  }
}
