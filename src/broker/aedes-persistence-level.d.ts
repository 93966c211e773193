// aedes-persistence-level ships no types; this is the part of its async class the hub uses.
declare module 'aedes-persistence-level/asyncPersistence.js' {
  export default class AsyncLevelPersistence {
    constructor(db: unknown);
    outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<void>;
    createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
    destroy(): Promise<void>;
  }
}
