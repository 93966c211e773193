// scripts/run-node --import tsx scripts/bench/backup.ts — `hub backup` and `hub restore` of a hub
// with BENCH_FEEDS feeds (default 20) × BENCH_DAYS days (default 1) of 10 s data with rollups,
// run as the commands themselves (no hubd: the offline path). One JSON line per figure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAdmin } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config-file.fs.js';
import { encodeMeta, encodeValues } from '../../src/timeseries/phpfina-format.js';

const FEEDS = Number(process.env.BENCH_FEEDS ?? 20);
const DAYS = Number(process.env.BENCH_DAYS ?? 1);
const INTERVAL_S = 10;
const points = (DAYS * 86_400) / INTERVAL_S;
const root = mkdtempSync(join(tmpdir(), 'bench-backup-'));
const dataDir = join(root, 'hub');
const startS = Math.floor(Date.now() / 1000) - DAYS * 86_400;

function emit(metric: string, fields: Record<string, number | string>): void {
  console.log(JSON.stringify({ bench: 'backup', metric, feeds: FEEDS, days: DAYS, ...fields }));
}

function hub(args: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`hub ${args.join(' ')}: ${run.stderr}`);
  return { ms: Math.round(performance.now() - t0), stdout: run.stdout };
}

try {
  const admin = composeAdmin(loadConfig({ HUB_DATA_DIR: dataDir }));
  const owner = await admin.auth.addUser('ann', 'ann-password', 'admin');
  let seed = 1;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5) * 40;
  for (let f = 0; f < FEEDS; f++) {
    const feed = admin.feeds.create({ name: `power${f}`, intervalS: INTERVAL_S, ownerId: owner.id });
    // A household-like power signal in whole watts, as emonTx sends.
    const values = Array.from({ length: points }, (_, i) =>
      Math.round(400 + 300 * Math.sin((i / 8640) * 2 * Math.PI + f) + noise()),
    );
    writeFileSync(
      join(dataDir, 'feeds', `${feed.id}.meta`),
      encodeMeta({ intervalS: INTERVAL_S, startTimeS: startS }),
    );
    writeFileSync(join(dataDir, 'feeds', `${feed.id}.dat`), encodeValues(values));
    await admin.feeds.rebuildRollups(feed.id);
  }
  admin.close();
  const out = join(root, 'backup.tar.gz');
  const made = hub(['backup', '--out', out], { HUB_DATA_DIR: dataDir });
  const inCommand = /in ([\d.]+) s/.exec(made.stdout)?.[1] ?? '?';
  const feedBytes = FEEDS * points * 4;
  emit('backup', { wallMs: made.ms, backupS: inCommand, bytes: statSync(out).size, datBytes: feedBytes });
  const restored = hub(['restore', out], { HUB_DATA_DIR: join(root, 'fresh') });
  emit('restore', { wallMs: restored.ms });
} finally {
  rmSync(root, { recursive: true, force: true });
}
