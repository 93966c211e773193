import type { LiveSnapshot, LiveStateStore } from './ports.js';
import type { TimeValue } from './process-types.js';

/**
 * Live state held in this process: for service tests and anywhere Redis is not wanted. Behaves as
 * RedisLiveState (test/contract/live-state.contract.ts): writes merge, loads are copies.
 */
export class MemoryLiveState implements LiveStateStore {
  private readonly state: LiveSnapshot = { inputs: new Map(), feeds: new Map(), processes: new Map() };

  async load(): Promise<LiveSnapshot> {
    return {
      inputs: copy(this.state.inputs),
      feeds: copy(this.state.feeds),
      processes: copy(this.state.processes),
    };
  }

  async write(changes: LiveSnapshot): Promise<void> {
    merge(this.state.inputs, changes.inputs);
    merge(this.state.feeds, changes.feeds);
    merge(this.state.processes, changes.processes);
  }

  async forgetInputs(ids: readonly number[]): Promise<void> {
    for (const id of ids) this.state.inputs.delete(id);
  }
}

function copy<K>(map: Map<K, TimeValue>): Map<K, TimeValue> {
  return new Map([...map].map(([key, tv]) => [key, { ...tv }]));
}

function merge<K>(into: Map<K, TimeValue>, from: Map<K, TimeValue>): void {
  for (const [key, tv] of from) into.set(key, { timeS: tv.timeS, value: tv.value });
}
