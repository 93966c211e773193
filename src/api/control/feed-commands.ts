import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthService } from '../../auth/auth-service.js';
import { describeError, UserError } from '../../shared/errors.js';
import {
  verifyEmoncmsFeed,
  type EmoncmsListEntry,
  type ImportCandidate,
} from '../../timeseries/emoncms-import.js';
import type { FeedService } from '../../timeseries/feed-service.js';

export interface FeedCommandDeps {
  auth: AuthService;
  feeds: FeedService;
  /** Rewrites input process lists that log to feeds given new ids (ingest's SQLite). */
  processLists?: {
    rewriteFeedIds(newIds: ReadonlyMap<number, number>): { id: number; node: string; name: string }[];
  };
  out: (line: string) => void;
  /** Who reads the files given, for the message when it may not: "hubd (user energy)". */
  reader?: string;
}

/** `hub feeds check [--repair]`: exit 1 if any feed has an unrepaired problem. */
export async function checkFeeds(deps: FeedCommandDeps, repair: boolean): Promise<number> {
  const results = await deps.feeds.check(repair);
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
 * `hub feeds import-emoncms <dir> [--only 1,2] [--list list.json] [--owner name] [--remap]`:
 * copies the PHPFina feeds of an emoncms data folder under their emoncms ids (dashboards, apps
 * and process lists `1:<feedid>` name feeds by id), with name, tag, unit and public flag from
 * list.json, and builds their rollups. If an id is taken here, nothing is imported and the
 * conflicts are listed; `--remap` gives those feeds new ids, and `--rewrite-process-lists` also
 * points the process lists that log to the old ids at the new ones. A tag:name that exists already is refused, as emoncms does.
 */
export async function importEmoncms(
  deps: FeedCommandDeps,
  dir: string,
  opts: { only?: string; list?: string; owner?: string; remap?: boolean; rewriteProcessLists?: boolean },
): Promise<number> {
  const names = readFolder(dir, deps.reader ?? 'hub');
  const listFile = opts.list ?? (existsSync(join(dir, 'list.json')) ? join(dir, 'list.json') : undefined);
  if (listFile) plainFile(listFile);
  const owner = opts.owner
    ? deps.auth.listUsers().find((u) => u.username === opts.owner)
    : deps.auth.listUsers().find((u) => u.role === 'admin');
  if (!owner)
    throw new Error(
      opts.owner ? `no user "${opts.owner}"` : 'create the administrator first (hub user add NAME --admin)',
    );
  const entries = readList(listFile);
  const wanted = opts.only ? new Set(opts.only.split(',').map((s) => Number(s.trim()))) : undefined;
  const ids = names
    .map((f) => /^(\d+)\.meta$/.exec(f)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .filter((id) => !wanted || wanted.has(id))
    .sort((a, b) => a - b);
  const missing = [...(wanted ?? [])].filter((id) => !ids.includes(id));
  let refused = missing.length;
  const report = new Map<number, string>(); // one line per emoncms feed, printed in id order
  const candidates: ImportCandidate[] = [];
  for (const id of ids) {
    const dat = join(dir, `${id}.dat`);
    const linked = [join(dir, `${id}.meta`), ...(existsSync(dat) ? [dat] : [])].find((f) => !isPlainFile(f));
    if (linked) {
      refused++;
      report.set(id, `refused emoncms feed ${id}: ${linked} is a link or not a regular file`);
      continue;
    }
    const verdict = verifyEmoncmsFeed(
      id,
      readFileSync(join(dir, `${id}.meta`)),
      existsSync(dat) ? statSync(dat).size : undefined,
      entries.get(id),
    );
    if ('take' in verdict) candidates.push(verdict.take);
    else {
      refused++;
      report.set(id, `refused emoncms feed ${id}: ${verdict.refuse.reason}`);
    }
  }
  const taken = candidates.filter((c) => deps.feeds.isIdTaken(c.emoncmsId));
  if (taken.length && !opts.remap) {
    for (const [, line] of [...report].sort(([a], [b]) => a - b)) deps.out(line);
    deps.out(`emoncms feed ids already taken here: ${taken.map((c) => c.emoncmsId).join(', ')}`);
    for (const c of taken) deps.out(`  ${c.emoncmsId} "${c.name}"`);
    deps.out('nothing imported; run again with --remap to give these feeds new ids');
    deps.out("(add --rewrite-process-lists if this hub's process lists use the emoncms ids)");
    return 1;
  }
  // Feeds keeping their ids first, so a new id never lands on an emoncms id still to come.
  const remapped = new Map<number, number>();
  let took = 0;
  for (const c of [...candidates.filter((c) => !taken.includes(c)), ...taken]) {
    const keepId = !taken.includes(c);
    let feedId: number;
    try {
      feedId = (await deps.feeds.importFeed(c, owner.id, join(dir, `${c.emoncmsId}.dat`), keepId)).id;
    } catch (err) {
      refused++;
      report.set(c.emoncmsId, `refused emoncms feed ${c.emoncmsId}: ${describeError(err)}`);
      continue;
    }
    took++;
    if (!keepId) remapped.set(c.emoncmsId, feedId);
    const partial = c.partialBytes ? `, ${c.partialBytes} bytes of a partial last value left behind` : '';
    report.set(
      c.emoncmsId,
      `took emoncms feed ${c.emoncmsId} "${c.name}" (${c.intervalS} s, ${c.npoints} values${partial}) as feed ${feedId}`,
    );
  }
  for (const [, line] of [...report].sort(([a], [b]) => a - b)) deps.out(line);
  for (const id of missing) deps.out(`refused emoncms feed ${id}: no ${id}.meta in ${dir}`);
  for (const [from, to] of remapped) deps.out(`emoncms feed ${from} is feed ${to} here`);
  // A taken id names this hub's own feed: its process lists move only when asked (lists copied
  // from the emonPi that use its ids), never by default.
  if (remapped.size && opts.rewriteProcessLists && deps.processLists) {
    for (const input of deps.processLists.rewriteFeedIds(remapped))
      deps.out(`process list of input ${input.id} (${input.node}/${input.name}) now logs to the new ids`);
  }
  deps.out(`took ${took}, refused ${refused}`);
  return 0;
}

function readList(listPath: string | undefined): Map<number, EmoncmsListEntry> {
  const entries = new Map<number, EmoncmsListEntry>();
  if (!listPath) return entries;
  const parsed = JSON.parse(readFileSync(listPath, 'utf8')) as unknown;
  if (!Array.isArray(parsed))
    throw new Error(`${listPath} is not an emoncms feed/list.json export (a JSON list)`);
  for (const e of parsed as EmoncmsListEntry[]) entries.set(Number(e.id), e);
  return entries;
}

/**
 * hubd imports as its own user: a link in a backup folder (`1.dat -> hub.db` or a TLS key) would copy
 * hubd's own secrets into a feed anyone may read, and a FIFO or device would hang the feed worker.
 */
function isPlainFile(path: string): boolean {
  return lstatSync(path).isFile();
}

function plainFile(path: string): void {
  if (existsSync(path) && !isPlainFile(path))
    throw new Error(`${path} is a link or not a regular file: refused`);
}

/** The names in the folder to import, or a UserError that says why they cannot be read. */
function readFolder(dir: string, reader: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is not a folder`);
    return readdirSync(dir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(describeFolderError(dir, (err as NodeJS.ErrnoException).code ?? 'EIO', reader));
  }
}

/**
 * Why a folder to import cannot be read. hubd imports as its own user: a folder only `sudo` can
 * read (a home dir) is refused with a hint, not reported missing.
 */
export function describeFolderError(dir: string, code: string, reader: string): string {
  if (code === 'ENOENT') return `no folder ${dir}`;
  const who = reader.split(' ')[0];
  if (code === 'EACCES' || code === 'EPERM')
    return `${reader} cannot read ${dir} (${code}): copy it where ${who} can read it`;
  return `${reader} cannot read ${dir} (${code})`;
}
