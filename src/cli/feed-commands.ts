import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthService } from '../auth/auth-service.js';
import { verifyEmoncmsFeed, type EmoncmsListEntry } from '../timeseries/emoncms-import.js';
import type { FeedService } from '../timeseries/feed-service.js';

export interface FeedCommandDeps {
  auth: AuthService;
  feeds: FeedService;
  out: (line: string) => void;
}

/** `hub feeds check [--repair]`: exit 1 if any feed has an unrepaired problem. */
export function checkFeeds(deps: FeedCommandDeps, repair: boolean): number {
  const results = deps.feeds.check(repair);
  let bad = 0;
  for (const { id, problems } of results) {
    if (problems.length === 0) continue;
    if (problems.some((p) => !p.endsWith('(repaired)'))) bad++;
    for (const problem of problems) deps.out(`feed ${id}: ${problem}`);
  }
  deps.out(`${results.length} feeds checked, ${bad} with problems${repair ? '; rollups rebuilt' : ''}`);
  return bad ? 1 : 0;
}

/**
 * `hub feeds import-emoncms <dir> [--only 1,2] [--list list.json] [--owner name]`: copies the
 * PHPFina feeds of an emoncms data folder, builds their rollups, reports what it took and refused.
 */
export function importEmoncms(
  deps: FeedCommandDeps,
  dir: string,
  opts: { only?: string; list?: string; owner?: string },
): number {
  if (!existsSync(dir)) throw new Error(`no folder ${dir}`);
  const owner = opts.owner
    ? deps.auth.listUsers().find((u) => u.username === opts.owner)
    : deps.auth.listUsers().find((u) => u.role === 'admin');
  if (!owner)
    throw new Error(
      opts.owner ? `no user "${opts.owner}"` : 'create the administrator first (hub user add NAME --admin)',
    );
  const listPath = opts.list ?? (existsSync(join(dir, 'list.json')) ? join(dir, 'list.json') : undefined);
  const entries = new Map<number, EmoncmsListEntry>();
  if (listPath) {
    const parsed = JSON.parse(readFileSync(listPath, 'utf8')) as unknown;
    if (!Array.isArray(parsed))
      throw new Error(`${listPath} is not an emoncms feed/list.json export (a JSON list)`);
    for (const e of parsed as EmoncmsListEntry[]) entries.set(Number(e.id), e);
  }
  const wanted = opts.only ? new Set(opts.only.split(',').map((s) => Number(s.trim()))) : undefined;
  const ids = readdirSync(dir)
    .map((f) => /^(\d+)\.meta$/.exec(f)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .filter((id) => !wanted || wanted.has(id))
    .sort((a, b) => a - b);
  let took = 0;
  let refused = 0;
  for (const id of ids) {
    const dat = join(dir, `${id}.dat`);
    const verdict = verifyEmoncmsFeed(
      id,
      readFileSync(join(dir, `${id}.meta`)),
      existsSync(dat) ? statSync(dat).size : undefined,
      entries.get(id),
    );
    if ('refuse' in verdict) {
      refused++;
      deps.out(`refused emoncms feed ${id}: ${verdict.refuse.reason}`);
      continue;
    }
    const c = verdict.take;
    const feed = deps.feeds.importFeed(c, owner.id, dat);
    took++;
    const partial = c.partialBytes ? `, ${c.partialBytes} bytes of a partial last value left behind` : '';
    deps.out(
      `took emoncms feed ${id} "${c.name}" (${c.intervalS} s, ${c.npoints} values${partial}) as feed ${feed.id}`,
    );
  }
  for (const id of wanted ?? [])
    if (!ids.includes(id)) deps.out(`refused emoncms feed ${id}: no ${id}.meta in ${dir}`);
  deps.out(`took ${took}, refused ${refused + [...(wanted ?? [])].filter((id) => !ids.includes(id)).length}`);
  return 0;
}
