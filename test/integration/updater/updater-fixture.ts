// A hub's app and data folders in a temp dir, a real hub.db, real signed bundles, and a stand-in
// for hubd under systemd: starting a release whose behaviour.json asks for a newer schema migrates
// hub.db, as a real newer hubd would; it is ready when its release is healthy on its own schema.
import Database from 'better-sqlite3';
import { generateKeyPairSync, createHash, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { writeBundle } from '../../../src/updater/bundle-writer.fs.js';
import { createUpdater } from '../../../src/updater/updater-deps.fs.js';
import type { JournalStore, ReadinessProbe, ServiceManager } from '../../../src/updater/ports.js';
import { RELEASE_MARKER, type UpdaterLayout } from '../../../src/updater/updater-layout.js';
import { switchCurrent } from '../../../src/updater/release-store.fs.js';

export interface Behaviour {
  schema: number;
  healthy: boolean;
}

export class FakeHubd implements ServiceManager, ReadinessProbe {
  running: string | null = null;
  constructor(private readonly layout: UpdaterLayout) {}

  private behaviour(): Behaviour {
    return JSON.parse(
      readFileSync(join(this.layout.appDir, 'current', 'behaviour.json'), 'utf8'),
    ) as Behaviour;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = readFileSync(join(this.layout.appDir, 'current', 'version.txt'), 'utf8');
    const db = new Database(join(this.layout.dataDir, 'hub.db'));
    db.pragma('journal_mode = WAL');
    const schema = db.pragma('user_version', { simple: true }) as number;
    const want = this.behaviour().schema;
    if (want > schema) {
      db.exec(`INSERT INTO notes (text) VALUES ('migrated by ${this.running}')`);
      db.pragma(`user_version = ${want}`);
    }
    db.close();
  }

  async stop(): Promise<void> {
    this.running = null;
  }

  async waitReady() {
    const db = new Database(join(this.layout.dataDir, 'hub.db'), { readonly: true });
    const schema = db.pragma('user_version', { simple: true }) as number;
    db.close();
    const { healthy, schema: want } = this.behaviour();
    return this.running && healthy && schema === want
      ? { ready: true as const }
      : { ready: false as const, why: `hubd ${this.running} not ready (schema ${schema})` };
  }
}

/** Every file, folder and link under `dir`, with contents hashed: to show that nothing changed. */
export function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const key = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) out[key] = `-> ${readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[key] = 'dir';
        walk(full, key);
      } else out[key] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

export function notes(dataDir: string): { schema: number; texts: string[] } {
  const db = new Database(join(dataDir, 'hub.db'), { readonly: true });
  const schema = db.pragma('user_version', { simple: true }) as number;
  const texts = (db.prepare('SELECT text FROM notes ORDER BY id').all() as { text: string }[]).map(
    (r) => r.text,
  );
  db.close();
  return { schema, texts };
}

/** A hub running release 1.0.0 (schema 1) with a hub.db and a hub.json. */
export function makeHub(root: string): {
  layout: UpdaterLayout;
  keys: { publicKey: KeyObject; privateKey: KeyObject };
} {
  const layout = { appDir: join(root, 'app'), dataDir: join(root, 'data') };
  const release = join(layout.appDir, 'releases', '1.0.0');
  mkdirSync(release, { recursive: true });
  mkdirSync(layout.dataDir, { recursive: true });
  writeFileSync(join(release, 'version.txt'), '1.0.0');
  writeFileSync(join(release, 'behaviour.json'), JSON.stringify({ schema: 1, healthy: true }));
  writeFileSync(join(release, RELEASE_MARKER), JSON.stringify({ version: '1.0.0' }));
  switchCurrent(layout, '1.0.0');
  const db = new Database(join(layout.dataDir, 'hub.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  db.exec("INSERT INTO notes (text) VALUES ('original')");
  db.pragma('user_version = 1');
  db.close();
  writeFileSync(join(layout.dataDir, 'hub.json'), '{"version":3}\n');
  return { layout, keys: generateKeyPairSync('ed25519') };
}

export async function makeBundle(
  root: string,
  opts: { version: string; behaviour: Behaviour; privateKey: KeyObject; minFromVersion?: string },
): Promise<string> {
  const dir = join(root, `release-src-${opts.version}-${Math.random().toString(16).slice(2)}`);
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'version.txt'), opts.version);
  writeFileSync(join(dir, 'behaviour.json'), JSON.stringify(opts.behaviour));
  writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), 'export const x = 1;\n');
  // A set-user-id file in the tar: it must not come out set-user-id (the updater runs as root).
  writeFileSync(join(dir, 'suid-tool'), '#!/bin/sh\n');
  chmodSync(join(dir, 'suid-tool'), 0o4755);
  const outFile = `${dir}.bundle`;
  await writeBundle({
    releaseDir: dir,
    outFile,
    version: opts.version,
    minFromVersion: opts.minFromVersion ?? '1.0.0',
    createdAt: '2026-11-28T04:00:00.000Z',
    privateKey: opts.privateKey,
  });
  return outFile;
}

export function updaterFor(
  layout: UpdaterLayout,
  publicKey: KeyObject,
  hubd: ServiceManager & ReadinessProbe,
  wrapJournal?: (store: JournalStore) => JournalStore,
) {
  const clock = new ManualClock(1_700_000_000_000);
  return createUpdater({
    layout,
    publicKey,
    service: hubd,
    readiness: hubd,
    clock,
    ...(wrapJournal ? { wrapJournal } : {}),
  });
}
