import type { Migration } from '../db/migration.js';

export const schedulerMigrations: Migration[] = [
  {
    // One schedule per device, as the JSON a person set (schedule.ts validates it on the way in
    // and again on the way out, so a stricter later version reads old rows or says why not).
    capability: 'scheduler',
    version: 1,
    name: 'device schedules',
    up: `CREATE TABLE device_schedules (
      device_id INTEGER PRIMARY KEY,
      document TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    // Each device's latest plan with the signal it was made on (why it runs when it does),
    // written when the plan changes, not at every tick.
    capability: 'scheduler',
    version: 2,
    name: 'device plans',
    up: `CREATE TABLE device_plans (
      device_id INTEGER PRIMARY KEY,
      made_at_ms INTEGER NOT NULL,
      document TEXT NOT NULL
    ) STRICT;`,
  },
  {
    // What the runner must not forget across a restart: runs measured, a started block, a pause
    // by hand, a charger's rate and meter baseline (run-memory.ts). Written on a switch, not per reading.
    capability: 'scheduler',
    version: 3,
    name: 'scheduler runs',
    up: `CREATE TABLE scheduler_runs (
      device_id INTEGER PRIMARY KEY,
      document TEXT NOT NULL
    ) STRICT;`,
  },
];
