import { isUtf8 } from 'node:buffer';

// Checks the UTF-8 strings of MQTT 3.1/3.1.1 packets on their raw bytes: MQTT-1.5.3-1 (well-formed
// UTF-8, no surrogates) and MQTT-1.5.3-2 (no U+0000) require closing the connection. The packet
// parser would decode bad bytes to U+FFFD, which cannot be told from a genuine U+FFFD afterwards.

/** Why a packet must close its connection, or undefined when its strings are fine. */
export type StringProblem = string | undefined;

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

/** Protocol levels the parser accepts (5 is then refused by Aedes with CONNACK 1); 0x80 = bridge. */
export function isKnownProtocolLevel(level: number): boolean {
  const base = level & 0x7f;
  return base >= 3 && base <= 5;
}

/** How many body bytes of a packet of this type the checks need (Infinity = all of it). */
export function bytesNeeded(packetType: number, collected: Uint8Array): number {
  switch (packetType) {
    case CONNECT:
    case SUBSCRIBE:
    case UNSUBSCRIBE:
      return Infinity;
    case PUBLISH:
      return collected.length < 2 ? 2 : 2 + ((collected[0]! << 8) | collected[1]!);
    default:
      return 0;
  }
}

/** The protocol level byte of a CONNECT body, or undefined when the body is too short. */
export function connectLevel(body: Uint8Array): number | undefined {
  if (body.length < 2) return undefined;
  return body[2 + ((body[0]! << 8) | body[1]!)];
}

/** Checks the strings of one packet's (possibly partial, for PUBLISH) body. */
export function checkStrings(packetType: number, body: Uint8Array): StringProblem {
  const reader = new StringReader(body);
  switch (packetType) {
    case PUBLISH:
      return reader.check('topic name');
    case SUBSCRIBE:
    case UNSUBSCRIBE: {
      reader.skip(2); // packet id
      while (reader.more()) {
        const problem = reader.check('topic filter');
        if (problem) return problem;
        if (packetType === SUBSCRIBE) reader.skip(1); // requested QoS
      }
      return undefined;
    }
    case CONNECT:
      return checkConnect(reader);
    default:
      return undefined;
  }
}

function checkConnect(reader: StringReader): StringProblem {
  reader.string(); // protocol name: the parser checks it
  const level = reader.byte();
  if (level === undefined || (level & 0x7f) === 5) return undefined; // v5 is refused anyway
  const flags = reader.byte() ?? 0;
  reader.skip(2); // keepalive
  const clientId = reader.check('client id');
  if (clientId) return clientId;
  if (flags & 0x04) {
    const willTopic = reader.check('will topic');
    if (willTopic) return willTopic;
    reader.string(); // will payload: binary
  }
  return flags & 0x80 ? reader.check('username') : undefined;
}

/** Reads length-prefixed strings; a truncated packet is left to the parser to refuse. */
class StringReader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  more(): boolean {
    return this.at < this.bytes.length;
  }
  skip(n: number): void {
    this.at += n;
  }
  byte(): number | undefined {
    return this.bytes[this.at++];
  }
  string(): Uint8Array | undefined {
    if (this.at + 2 > this.bytes.length) return undefined;
    const length = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    const start = this.at + 2;
    this.at = start + length;
    if (this.at > this.bytes.length) return undefined;
    return this.bytes.subarray(start, this.at);
  }
  check(what: string): StringProblem {
    const text = this.string();
    if (!text) return undefined;
    if (text.includes(0)) return `${what} contains U+0000`;
    if (!isUtf8(text)) return `${what} is not well-formed UTF-8`;
    return undefined;
  }
}
