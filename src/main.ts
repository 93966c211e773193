import { hostname } from 'node:os';
import { compose } from './compose.js';
import { ConfigError, loadConfig } from './config/config-file.fs.js';
import { tightenDataDir } from './config/data-dir.fs.js';
import { holdRunLockForHubd } from './config/hubd-run-lock.js';
import { controlSocketPath } from './api/control/control-socket-path.js';
import { restorePendingReason } from './backup/restore-journal.fs.js';
import { systemClock } from './shared/clock.js';
import { describeError } from './shared/errors.js';
import { LogSink, openFdWriter } from './shared/logger-sink.fs.js';
import { ProcessMemory } from './shared/process-memory.js';
import { planSdNotify, startSdNotify } from './shared/sd-notify.js';
import { systemdNotifySender } from './shared/sd-notify.process.js';
import { createPinoLogger } from './shared/logger.pino.js';

// Process entry of hubd: environment → config → compose() → start; SIGTERM/SIGINT → stop.

const STOP_DEADLINE_MS = 5000;
const EXIT_CONFIG = 78; // sysexits EX_CONFIG: systemd will not restart-loop on a bad config
const LOG_FLUSH_MS = 1000;

// Everything hubd creates (hub.db and its WAL, feeds, keys, hub.json) is for its own user only.
process.umask(0o077);
// A banner line to a full disk or a closed pipe must not end the process.
process.stderr.on('error', () => undefined);

async function main(): Promise<void> {
  // Read-only until the run lock is ours: hub.json is created or migrated by its holder only.
  let loaded = loadOrExit(true);
  const clock = systemClock;
  // The clock's timers never hold the process open, and while redis-server starts, a component is
  // retried or hubd stops, no server may be listening: hubd stays up until it calls process.exit.
  // eslint-disable-next-line no-restricted-globals -- a keep-alive handle, not a timer that runs
  setInterval(() => undefined, 0x7fffffff);
  const logSink = new LogSink(openFdWriter(1, clock), clock);
  const log = createPinoLogger(loaded.config.log.level, logSink);
  const exit = async (code: number) => {
    await logSink.flush(LOG_FLUSH_MS); // a stdout nobody reads must not hold the exit up
    process.exit(code);
  };
  // One writer of the data dir (ADR 009): a second hubd stops this one; a `hub` command is awaited.
  const socket = controlSocketPath(loaded.paths.runDir);
  const stderr = (text: string) => void process.stderr.write(text);
  if (!(await holdRunLockForHubd(loaded.paths.dataDir, socket, clock, log, stderr))) return exit(1);
  // A restore a power cut left half done: opening hub.db now would make an empty one beside the
  // moved data (docs/backup.md); `hub restore --resume` or `--abort` decides.
  const pendingRestore = restorePendingReason(loaded.paths.dataDir);
  if (pendingRestore) {
    stderr(`${pendingRestore}\nhubd did not start.\n`);
    return exit(EXIT_CONFIG);
  }
  loaded = loadOrExit(false);
  if (loaded.created) log.info({ file: loaded.paths.configFile }, 'created hub.json with defaults');
  if (loaded.migrated)
    log.info(
      { file: loaded.paths.configFile, ...loaded.migrated },
      `brought hub.json from version ${loaded.migrated.fromVersion} to ${loaded.migrated.toVersion}`,
    );
  for (const warning of loaded.warnings) log.warn({ file: loaded.paths.configFile }, warning);
  const tightened = tightenDataDir(loaded.paths.dataDir);
  if (tightened.count > 0 || tightened.failed > 0)
    log.warn(
      { dataDir: loaded.paths.dataDir, tightened: tightened.count, failed: tightened.failed },
      `tightened the modes of ${tightened.count} files and directories in the data dir to 600/700`,
    );
  const { hub, http, broker, version } = compose(loaded, log, clock, [logSink, new ProcessMemory()]);

  // Under systemd (hubd.service, Type=notify): READY=1 when /readyz would say ready, then the
  // watchdog, fed from this event loop, so a hung hubd is restarted.
  const sdPlan = planSdNotify(process.env, process.pid);
  const sdSend = sdPlan && systemdNotifySender(process.env);
  const stopSdNotify =
    sdPlan &&
    sdSend &&
    startSdNotify({
      plan: sdPlan,
      clock,
      isReady: () => hub.readiness().ready,
      send: sdSend,
      onError: (err) => log.warn({ err: describeError(err) }, 'systemd-notify failed'),
    });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stopSdNotify?.();
    await sdSend?.(['STOPPING=1']).catch(() => undefined);
    clock.after(STOP_DEADLINE_MS, () => {
      log.error({}, `stop took longer than ${STOP_DEADLINE_MS} ms; exiting anyway`);
      process.exit(1);
    });
    await hub.stop();
    log.info({}, 'stopped');
    await exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await hub.start();
  } catch (err) {
    // Only a component nothing works without (hub.db) ends start-up; others come up down (ADR 008).
    log.error({ err: describeError(err) }, 'start failed');
    process.stderr.write(`${describeError(err)}\nhubd did not start.\n`);
    await hub.stop();
    await exit(1);
  }
  const port = http.boundPortOrUndefined;
  const readiness = hub.readiness();
  const host = loaded.config.http.host;
  const downReason = (name: string) => {
    const status = readiness.components[name];
    return status?.state === 'down' ? `down: ${String(status.detail?.reason)}, retrying` : undefined;
  };
  const urls =
    port === undefined
      ? [downReason('http') ?? 'not listening']
      : host === '0.0.0.0' || host === '::'
        ? [`http://${hostname()}.local:${port}/`, `http://localhost:${port}/`]
        : [`http://${host}:${port}/`];
  const ports = broker?.ports();
  const mqtt = !ports
    ? 'turned off'
    : (downReason('mqtt') ??
      [
        `port ${ports.tcp}`,
        ports.tls ? `TLS port ${ports.tls}` : 'no TLS (see the log)',
        loaded.config.mqtt.websocket.enabled ? 'WebSocket /mqtt' : '',
      ]
        .filter(Boolean)
        .join(', '));
  log.info({ urls, mqtt, dataDir: loaded.paths.dataDir }, 'hubd started');
  process.stderr.write(
    [
      `Energy Hub ${version.version} is running (Node ${process.version}).`,
      `  web app:  ${urls.join('  or  ')}`,
      `  MQTT:     ${mqtt}`,
      `  data:     ${loaded.paths.dataDir}`,
      `  ready:    ${readiness.ready ? 'yes' : 'not yet, see /readyz'}`,
      '',
    ].join('\n'),
  );
}

function loadOrExit(readOnly: boolean) {
  try {
    return loadConfig(process.env, { readOnly });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\nhubd did not start.\n`);
    process.exit(EXIT_CONFIG);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`hubd failed: ${describeError(err)}\n`);
  process.exit(1);
});
