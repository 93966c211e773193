import { canReadFeed } from '../../timeseries/feed-access.js';
import type { FeedRecord } from '../../timeseries/ports.js';
import type { RouteDef } from '../route-table.js';
import {
  EmoncmsReply,
  emoncmsNotFoundRoutes,
  emoncmsRoutes,
  notAcceptable,
  textReply,
  TEXT_PLAIN,
  type EmoncmsCall,
  type EmoncmsEndpoint,
} from './emoncms-route.js';
import { download, feedDataAction } from './feed-data.js';
import { setFeedFields } from './feed-set.js';
import { EmoncmsFeeds, PHPFINA_ENGINE, sanitizeName, type EmoncmsFeedDeps } from './feed-view.js';
import { phpFloat, phpInt, phpJsonDecode, phpTruthy } from './php-values.js';

export type { EmoncmsFeedDeps } from './feed-view.js';

const failure = (message: string) => ({ success: false, message });

/** emoncms's default interval of a new PHPFina feed (min_feed_interval). */
const DEFAULT_INTERVAL_S = 10;

/**
 * The emoncms-compatible feed API (`/feed/*.json`, also under `/emoncms/`), `describe` and
 * `version`, answered with emoncms's bodies, content types and statuses (docs/emoncms-compat.md).
 * Ends with the `/emoncms/*` 406 catch-all: keep these routes after other emoncms routes.
 */
export function emoncmsFeedRoutes(deps: EmoncmsFeedDeps): RouteDef[] {
  const view = new EmoncmsFeeds(deps);
  const { feeds } = deps;
  const read = (run: (feed: FeedRecord, call: EmoncmsCall) => unknown) => (call: EmoncmsCall) =>
    view.single(call, 'read', (feed) => run(feed, call));
  const write = (run: (feed: FeedRecord, call: EmoncmsCall) => unknown) => (call: EmoncmsCall) =>
    view.single(call, 'write', (feed) => run(feed, call));
  const post = write((feed, call) => postPoints(view, feed, call));

  const endpoints: EmoncmsEndpoint[] = [
    {
      path: 'feed/list',
      action: (call) => {
        const withMeta = phpInt(call.get('meta')) !== 0;
        const userid = call.rawGet('userid');
        if (userid !== undefined) {
          const ownerId = phpInt(userid);
          return list(
            feeds.list().filter((f) => f.public && f.ownerId === ownerId),
            withMeta,
          );
        }
        return call.read ? list(feeds.list(), withMeta) : false;
      },
    },
    {
      path: 'feed/listwithmeta',
      action: (call) => (call.read ? list(feeds.list(), true) : view.fallThrough(call)),
    },
    { path: 'feed/getid', action: (call) => (call.read ? textReply(findId(call)) : view.fallThrough(call)) },
    { path: 'feed/create', action: (call) => (call.write ? create(call) : view.fallThrough(call)) },
    {
      path: 'feed/fetch',
      action: (call) =>
        Promise.all(
          (call.get('ids') ?? '').split(',').map(async (raw) => {
            const id = phpInt(raw);
            if (!feeds.exists(id)) return false;
            const feed = feeds.get(id);
            return canReadFeed(call.principal, feed) ? (await view.timeValue(feed)).value : false;
          }),
        ),
    },
    { path: 'feed/data', action: (call) => feedDataAction(view, call, 'data') },
    { path: 'feed/average', action: (call) => feedDataAction(view, call, 'average') },
    { path: 'feed/csvexport', action: (call) => feedDataAction(view, call, 'csvexport') },
    { path: 'feed/timevalue', action: read((feed) => view.timeValue(feed)) },
    {
      path: 'feed/value',
      action: read(async (feed, call) => {
        const time = call.get('time');
        if (!phpTruthy(time)) return (await view.timeValue(feed)).value;
        if ((await feeds.lastValue(feed.id)) === null) return false; // no data: PHPFina get_value is false
        return feeds.valueAt(feed.id, phpInt(time));
      }),
    },
    { path: 'feed/getmeta', action: read((feed) => view.metaJson(feed)) },
    { path: 'feed/aget', action: read((feed) => view.hashJson(feed, false)) },
    {
      path: 'feed/get',
      action: read(async (feed, call) => {
        const field = call.get('field')?.replace(/[^\w\s-]/g, '');
        if (field === undefined || field === '') return failure('Missing field parameter');
        if (field === 'time' || field === 'value') return (await view.timeValue(feed))[field];
        return (await view.hashJson(feed, false))[field] ?? false;
      }),
    },
    {
      path: 'feed/export',
      action: read(async (feed, call) =>
        download(await feeds.exportBytes(feed.id, Math.max(0, phpInt(call.get('start')))), `${feed.id}.dat`),
      ),
    },
    { path: 'feed/set', action: write((feed, call) => setFeedFields(feeds, feed, call)) },
    { path: 'feed/post', action: post },
    { path: 'feed/insert', action: post },
    { path: 'feed/update', action: post },
    {
      path: 'feed/delete',
      action: write(async (feed) => {
        await feeds.delete(feed.id);
        return { success: true, message: 'Feed removed successfully.' };
      }),
    },
    {
      path: 'feed/clear',
      action: write(async (feed) => {
        await feeds.clear(feed.id);
        return { success: true, message: 'Feed cleared successfully' };
      }),
    },
    {
      // Any other feed action: "Feed does not exist" for an unknown id, else 406 (as emoncms).
      path: 'feed/:action',
      action: (call) =>
        String(call.req.params.action).includes('.') ? notAcceptable() : view.fallThrough(call),
    },
    {
      path: 'describe',
      formats: 'any',
      action: () => new EmoncmsReply('emoncms', TEXT_PLAIN, 200, { 'Access-Control-Allow-Origin': '*' }),
    },
    {
      path: 'version',
      formats: 'any',
      action: () => new EmoncmsReply(deps.version.version, 'text/plain; charset=utf-8'),
    },
  ];
  return [...emoncmsRoutes(endpoints), ...emoncmsNotFoundRoutes()];

  function list(records: FeedRecord[], withMeta: boolean): Promise<unknown[]> {
    return Promise.all(records.map((feed) => view.hashJson(feed, withMeta)));
  }

  /** feed/getid: the id of the feed with this tag and name (or name alone), else false. */
  function findId(call: EmoncmsCall): number | false {
    const name = call.get('name');
    if (name === undefined) return false;
    const tag = call.get('tag');
    const found = feeds
      .list()
      .find((f) =>
        tag === undefined
          ? f.name === name.replace(/[^\w\s\-:]/g, '')
          : f.name === sanitizeName(name) && f.tag === sanitizeName(tag),
      );
    return found ? found.id : false;
  }

  function create(call: EmoncmsCall): unknown {
    const name = call.get('name') ?? '';
    const tag = call.get('tag') ?? '';
    if (sanitizeName(name) !== name) return failure('invalid characters in feed name');
    if (sanitizeName(tag) !== tag) return failure('invalid characters in feed tag');
    const engineParam = call.get('engine');
    const engine = engineParam === undefined ? PHPFINA_ENGINE : phpInt(engineParam);
    if (engine !== PHPFINA_ENGINE) return failure(`ABORTED: Engine id ${engine} is not supported.`);
    if (feeds.list().some((f) => f.name === name && f.tag === tag)) return failure('feed already exists');
    const options = phpJsonDecode(call.get('options'));
    const requested = phpInt((options as { interval?: unknown } | undefined)?.interval);
    const feed = feeds.create({
      ownerId: call.principal!.userId,
      name,
      tag,
      unit: call.get('unit') ?? '',
      intervalS: requested >= 1 ? requested : DEFAULT_INTERVAL_S,
    });
    return { success: true, feedid: feed.id, result: true };
  }
}

/**
 * feed/post (insert, update): `time`/`value` in the query post one point and answer the value;
 * else `data=[[t,v],…]` from the query or the form body answers {"success":true}.
 */
async function postPoints(view: EmoncmsFeeds, feed: FeedRecord, call: EmoncmsCall): Promise<unknown> {
  const join = call.get('join') === 'join';
  if (call.rawGet('time') !== undefined || call.rawGet('value') !== undefined) {
    const time = call.get('time');
    const value = phpFloat(call.get('value'));
    const tsS = time === undefined || time === '' ? view.nowS() : phpInt(time);
    await view.feeds.post(feed.id, [{ tsS, value }], join);
    // emoncms stamps the last value with the time it arrived, not the time it is stored at.
    view.deps.noteFeedValue(feed.id, { timeS: view.nowS(), value });
    return value;
  }
  const raw = call.rawGet('data') ?? call.rawPost('data');
  if (raw === undefined) return failure('missing data parameter');
  const data = phpJsonDecode(raw);
  // PHP's `$data == null` also holds for [], 0, "" and false; other non-lists fail in PHP too.
  if (!Array.isArray(data) || data.length === 0) return failure('error decoding json');
  const points = data
    .filter((dp): dp is unknown[] => Array.isArray(dp) && dp.length === 2)
    .map((dp) => ({ tsS: phpInt(dp[0]), value: phpFloat(dp[1]) }));
  if (points.length) await view.feeds.post(feed.id, points, join);
  const last = points.at(-1);
  if (last) view.deps.noteFeedValue(feed.id, { timeS: last.tsS, value: last.value });
  return { success: true };
}
