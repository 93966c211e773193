// aedes-persistence-level ships no types; this is the part of its async class the hub uses.
declare module 'aedes-persistence-level/asyncPersistence.js' {
  export default class AsyncLevelPersistence {
    constructor(db: unknown);
    outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<void>;
    createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
    /** An empty payload deletes the retained message of the topic. */
    storeRetained(packet: {
      cmd: 'publish';
      topic: string;
      payload: Buffer;
      qos: number;
      retain: true;
    }): Promise<void>;
    putWill(client: { id: string }, packet: unknown): Promise<void>;
    /** The wills of the brokers not in `brokers` (by broker id), each with its brokerId and clientId. */
    streamWill(brokers: Record<string, unknown>): AsyncIterable<unknown>;
    destroy(): Promise<void>;
  }
}
