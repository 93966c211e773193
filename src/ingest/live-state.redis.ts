import type { Redis } from 'ioredis';
import type { RedisKeys } from '../state/keys.js';
import type { LiveSnapshot, LiveStateStore } from './ports.js';
import type { TimeValue } from './process-types.js';

/** Last values and process state as three Redis hashes, written once per ingest batch. */
export class RedisLiveState implements LiveStateStore {
  constructor(
    private readonly redis: () => Redis,
    private readonly keys: RedisKeys,
  ) {}

  async load(): Promise<LiveSnapshot> {
    const [inputs, feeds, processes] = await Promise.all([
      this.redis().hgetall(this.keys.inputsLast()),
      this.redis().hgetall(this.keys.feedsLast()),
      this.redis().hgetall(this.keys.processState()),
    ]);
    return {
      inputs: decodeAll(inputs, Number),
      feeds: decodeAll(feeds, Number),
      processes: decodeAll(processes, String),
    };
  }

  async write(changes: LiveSnapshot): Promise<void> {
    const multi = this.redis().multi();
    if (changes.inputs.size) multi.hset(this.keys.inputsLast(), encodeAll(changes.inputs));
    if (changes.feeds.size) multi.hset(this.keys.feedsLast(), encodeAll(changes.feeds));
    if (changes.processes.size) multi.hset(this.keys.processState(), encodeAll(changes.processes));
    await multi.exec();
  }

  async forgetInputs(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.redis().hdel(this.keys.inputsLast(), ...ids.map(String));
  }
}

function encodeAll<K>(map: Map<K, TimeValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, tv] of map) out[String(key)] = `${tv.timeS},${tv.value ?? ''}`;
  return out;
}

function decodeAll<K>(hash: Record<string, string>, toKey: (field: string) => K): Map<K, TimeValue> {
  const out = new Map<K, TimeValue>();
  for (const [field, text] of Object.entries(hash)) {
    const [timeText, valueText] = text.split(',');
    const timeS = Number(timeText);
    if (!Number.isFinite(timeS)) continue;
    out.set(toKey(field), {
      timeS,
      value: valueText === '' || valueText === undefined ? null : Number(valueText),
    });
  }
  return out;
}
