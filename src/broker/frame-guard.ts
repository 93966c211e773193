/**
 * Watches the bytes of one MQTT connection and says when a packet announces a size over the
 * limit, before its body is buffered. Reads only fixed headers: a type byte, then the remaining
 * length as 1-4 bytes of 7-bit groups (MQTT 3.1.1 §2.2.3).
 */
export class FrameGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds a chunk; returns the announced size of the first packet over the limit, or 0. */
  push(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length;) {
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        i++;
      } else if (this.state === 'length') {
        const byte = chunk[i++]!;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return Number.MAX_SAFE_INTEGER; // malformed: longer than 4 bytes
          continue;
        }
        const total = 1 + this.lengthBytes + this.length;
        if (total > this.maxPacketBytes) return total;
        this.bodyLeft = this.length;
        this.state = this.bodyLeft > 0 ? 'body' : 'type';
      } else {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        if (this.bodyLeft === 0) this.state = 'type';
      }
    }
    return 0;
  }
}
