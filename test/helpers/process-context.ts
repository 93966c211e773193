import type { ProcessContext, TimeValue } from '../../src/ingest/process-types.js';

/** A context over plain maps: what a process sees and what it posted. */
export function memoryContext(
  opts: {
    feeds?: Record<number, TimeValue>;
    inputs?: Record<number, number | null>;
    state?: Record<string, TimeValue>;
    timeZone?: string;
  } = {},
) {
  const feeds = new Map(Object.entries(opts.feeds ?? {}).map(([k, v]) => [Number(k), v]));
  const state = new Map(Object.entries(opts.state ?? {}));
  const posts: { feedId: number; timeS: number; value: number | null; join: boolean; feedTimeS: number }[] =
    [];
  const published: [string, number | null][] = [];
  const ctx: ProcessContext = {
    timeZone: opts.timeZone ?? 'UTC',
    inputValue: (id) => opts.inputs?.[id] ?? null,
    feedLast: (id) => feeds.get(id) ?? null,
    postToFeed: (feedId, timeS, value, join, feedTimeS = timeS) => {
      posts.push({ feedId, timeS, value, join, feedTimeS });
      feeds.set(feedId, { timeS, value });
    },
    getState: (k) => state.get(k),
    setState: (k, tv) => void state.set(k, tv),
    publish: (topic, value) => void published.push([topic, value]),
  };
  return { ctx, posts, published, state, feeds };
}
