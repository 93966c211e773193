import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { cleanInputName } from './input-names.js';
import type { IngestPort, PostOutcome, VzChannel, VzChannelRepo } from './ports.js';
import type { NodeReadings } from './readings.js';

export interface VzTuples {
  uuid: string;
  tuples: readonly { tsMs: number; value: number }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * vzlogger's channels: an administrator maps each UUID to an input, and only mapped UUIDs are
 * accepted (vzlogger sends no credentials; the UUID is the capability, as in volkszaehler).
 * Values are stored raw; process lists turn counters or impulses into power and energy.
 */
export class VzloggerService {
  private loaded: Map<string, VzChannel> | undefined;

  constructor(
    private readonly repo: VzChannelRepo,
    private readonly ingest: IngestPort,
    private readonly clock: Clock,
  ) {}

  /** Read on first use: the database is migrated only when the hub starts. */
  private get byUuid(): Map<string, VzChannel> {
    return (this.loaded ??= new Map(this.repo.all().map((c) => [c.uuid, c])));
  }

  channels(): VzChannel[] {
    return [...this.byUuid.values()];
  }

  map(uuid: string, node: string, name: string): VzChannel {
    if (!UUID.test(uuid.toLowerCase()))
      throw new UserError('uuid must look like 12345678-1234-1234-1234-123456789abc', 400, 'invalid_uuid');
    const cleanNode = cleanInputName(node);
    const cleanName = cleanInputName(name);
    if (!cleanNode || !cleanName || cleanNode !== node || cleanName !== name)
      throw new UserError(
        'node and name must be letters, digits, spaces, "_", "-" or "."',
        400,
        'invalid_name',
      );
    const channel = { uuid: uuid.toLowerCase(), node: cleanNode, name: cleanName };
    this.repo.upsert(channel.uuid, channel.node, channel.name, this.clock.nowMs());
    this.byUuid.set(channel.uuid, channel);
    return channel;
  }

  unmap(uuid: string): boolean {
    this.byUuid.delete(uuid.toLowerCase());
    return this.repo.delete(uuid.toLowerCase());
  }

  /** Stores every tuple, or nothing if any UUID is unknown. */
  async push(entries: readonly VzTuples[]): Promise<PostOutcome & { unknownUuid?: string }> {
    const batch: NodeReadings[] = [];
    for (const { uuid, tuples } of entries) {
      const channel = this.byUuid.get(uuid.toLowerCase());
      if (!channel)
        return {
          stored: 0,
          refused: tuples.length,
          refusal: `No entity with UUID '${uuid}'`,
          unknownUuid: uuid,
        };
      for (const { tsMs, value } of tuples)
        batch.push({
          node: channel.node,
          timeS: Math.floor(tsMs / 1000),
          values: [{ name: channel.name, value }],
        });
    }
    return this.ingest.post(batch, 'vzlogger');
  }
}
