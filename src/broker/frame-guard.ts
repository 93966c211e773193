import { bytesNeeded, checkStrings, connectLevel, isKnownProtocolLevel } from './mqtt-strings.js';

/** What the guard says about the bytes seen so far on one connection. */
export type FrameVerdict =
  | { kind: 'ok' }
  /** A packet announces a size over the limit (or a malformed remaining length). */
  | { kind: 'oversized'; bytes: number }
  /** A topic, filter, client id or username is not valid MQTT UTF-8 (MQTT-1.5.3-1/-2). */
  | { kind: 'bad-string'; why: string }
  /** A CONNECT with a protocol level the broker does not speak (MQTT-3.1.2-2: CONNACK 1). */
  | { kind: 'bad-protocol-level'; level: number };

const OK: FrameVerdict = { kind: 'ok' };

/**
 * Watches the bytes of one MQTT connection before the parser sees them. Reads fixed headers: a
 * type byte, then the remaining length as 1-4 bytes of 7-bit groups (MQTT 3.1.1 §2.2.3), and says
 * when a packet is over the size limit before its body is buffered. Of CONNECT, SUBSCRIBE and
 * UNSUBSCRIBE it keeps the body, of PUBLISH only the topic, to check their strings on raw bytes.
 */
export class FrameGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private kept: Uint8Array = new Uint8Array(0);
  private keepLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds a chunk; says what is wrong with the first bad packet in it, if any. */
  push(chunk: Uint8Array): FrameVerdict {
    for (let i = 0; i < chunk.length;) {
      if (this.state === 'type') {
        this.state = 'length';
        this.packetType = chunk[i++]! >> 4;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const byte = chunk[i++]!;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if (byte & 0x80) {
          // malformed: longer than 4 bytes
          if (this.lengthBytes === 4) return { kind: 'oversized', bytes: Number.MAX_SAFE_INTEGER };
          continue;
        }
        const total = 1 + this.lengthBytes + this.length;
        if (total > this.maxPacketBytes) return { kind: 'oversized', bytes: total };
        this.bodyLeft = this.length;
        this.kept = new Uint8Array(0);
        this.keepLeft = Math.min(this.length, bytesNeeded(this.packetType, this.kept));
        if (this.bodyLeft > 0) this.state = 'body';
        else this.state = 'type';
      } else {
        // keepLeft never exceeds bodyLeft: kept bytes are the start of the body.
        const take = Math.min(this.keepLeft > 0 ? this.keepLeft : this.bodyLeft, chunk.length - i);
        const verdict = this.keepLeft > 0 ? this.keep(chunk.subarray(i, i + take)) : OK;
        this.bodyLeft -= take;
        i += take;
        if (verdict.kind !== 'ok') return verdict;
        if (this.bodyLeft === 0) this.state = 'type';
      }
    }
    return OK;
  }

  private keep(bytes: Uint8Array): FrameVerdict {
    const kept = new Uint8Array(this.kept.length + bytes.length);
    kept.set(this.kept);
    kept.set(bytes, this.kept.length);
    this.kept = kept;
    this.keepLeft -= bytes.length;
    if (this.keepLeft > 0) return OK;
    // A PUBLISH first needs its topic length, then the topic.
    const needed = Math.min(this.length, bytesNeeded(this.packetType, kept));
    if (needed > kept.length) {
      this.keepLeft = needed - kept.length;
      return OK;
    }
    if (this.packetType === 1) {
      const level = connectLevel(kept);
      if (level !== undefined && !isKnownProtocolLevel(level)) return { kind: 'bad-protocol-level', level };
    }
    const why = checkStrings(this.packetType, kept);
    return why ? { kind: 'bad-string', why } : OK;
  }
}
