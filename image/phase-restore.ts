// test:image, "a restore of a backup taken on another image": hub A's backup (downloaded from its
// app) restored with `hub restore` onto a second appliance booted fresh from the same image. B
// must come back as A: its administrator, its feeds with their values, its MQTT CA.
import type { FileServer } from './file-server.js';
import { GuestHub } from './guest-hub.js';
import { check, report, seconds } from './report.js';
import type { Vm } from './vm.js';

export interface TakenBackup {
  path: string; // on the file server
  bytes: number;
  admin: { username: string; password: string };
  feeds: { id: number; value: unknown }[];
  caSha256: string;
}

export async function restoreOnAnotherImage(opts: {
  bootFresh: () => Promise<Vm>;
  files: FileServer;
  backup: TakenBackup;
}): Promise<void> {
  const { backup } = opts;
  const vm = await opts.bootFresh();
  try {
    await vm.waitReady(300_000 * vm.slow);
    await vm.waitShell();
    const hub = new GuestHub(() => vm.baseUrl);
    const onboarding = (await (await fetch(`${vm.baseUrl}/api/v1/onboarding`)).json()) as { needed: boolean };
    check('the second appliance starts fresh (onboarding needed)', onboarding, onboarding.needed);
    const ownCa = await vm.sh('sha256sum /data/hub/tls/ca.crt | cut -c1-64');
    check('and has a CA of its own (no two hubs share one)', ownCa, ownCa !== backup.caSha256);

    const startedMs = Date.now();
    await vm.sh(`curl -fsS -o /data/restore.tar.gz ${opts.files.url(backup.path)}`, 120_000 * vm.slow);
    await vm.sh('systemctl stop hubd');
    const restored = await vm.shell.run(
      'HUB_DATA_DIR=/data/hub HUB_RUN_DIR=/run/hubd /opt/hub/scripts/hub restore /data/restore.tar.gz',
      300_000 * vm.slow,
    );
    check("`hub restore` takes the other appliance's backup", restored.out, restored.code === 0);
    await vm.sh('systemctl start hubd', 300_000 * vm.slow);
    await vm.waitReady(300_000 * vm.slow);
    report('restore', { backupBytes: backup.bytes, restoreToReadyS: seconds(Date.now() - startedMs) });

    const session = await hub.signIn(backup.admin.username, backup.admin.password).catch((err: Error) => err);
    check(
      "the restored hub knows the other appliance's administrator",
      String(session),
      !(session instanceof Error),
    );
    if (!(session instanceof Error)) {
      const key = await hub.writeKey(session);
      const values = [];
      for (const feed of backup.feeds) values.push({ id: feed.id, value: await hub.feedValue(key, feed.id) });
      check(
        'its feeds read the values they had when the backup was taken',
        { expected: backup.feeds, restored: values },
        JSON.stringify(values) === JSON.stringify(backup.feeds),
      );
    }
    const ca = await vm.sh('sha256sum /data/hub/tls/ca.crt | cut -c1-64');
    check("its MQTT CA is the other appliance's (devices keep trusting it)", ca, ca === backup.caSha256);
    const owner = await vm.sh('stat -c %U /data/hub/hub.db');
    check('the restored files belong to the hub user', owner, owner === 'hub');
  } finally {
    vm.close();
  }
}
