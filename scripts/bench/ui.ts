// npm run bench:ui — cold loads in headless Chromium against a real hubd holding one year of 10 s
// power data (imported as an emoncms PHPFina feed): the dashboard (first paint, usable, bytes) and
// the history page's year chart (drawn, bytes). Baseline in the same run: the same year of data
// fetched by Node from the same API, so the browser's share is visible. Then a cheap phone far from
// the router (CPU 4× slower, 400 ms round trip, 400 kbit/s each way): cold (new context, empty
// cache) and warm (the same context reloaded: service worker and HTTP cache), first paint and the
// live power number, beside the same figures unthrottled.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { freePort, waitUntilReady } from '../hubd-process.js';

const INTERVAL_S = 10;
const YEAR_POINTS = (365 * 86_400) / INTERVAL_S;
const RUNS = 5;
const PHONE_RUNS = 3;
// Chromium's DevTools profile for the phone: 400 kbit/s is 50,000 bytes/s.
const PHONE = { cpuRate: 4, latencyMs: 400, bytesPerS: 50_000 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const emit = (fields: Record<string, unknown>) => console.log(JSON.stringify(fields));

const LIVE_NUMBER_SEEN_MS = `new Promise((resolve) => {
  const seen = () => document.querySelector('[data-testid="power-now"]') && (resolve(performance.now()), true);
  if (!seen()) new MutationObserver((_, o) => seen() && o.disconnect()).observe(document, { subtree: true, childList: true });
})`;

// First contentful paint once it has happened: a page whose state comes inlined may first paint
// only when its script has drawn the number, after that number is in the DOM.
const FIRST_PAINT_MS = `new Promise((resolve) => new PerformanceObserver((list, o) => {
  const fcp = list.getEntriesByName('first-contentful-paint')[0];
  if (fcp) (o.disconnect(), resolve(fcp.startTime));
}).observe({ type: 'paint', buffered: true }))`;

interface LoadFigures {
  paintMs: number;
  liveMs: number;
}

/**
 * One dashboard load, cold then warm (the same context reloaded once the service worker controls
 * the page), optionally as the throttled phone. Times from the navigation's start.
 */
async function coldAndWarm(
  browser: Browser,
  base: string,
  cookie: { name: string; value: string },
  phone: boolean,
): Promise<{ cold: LoadFigures; warm: LoadFigures }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    await context.addCookies([{ ...cookie, url: base }]);
    const page = await context.newPage();
    if (phone) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuRate });
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: PHONE.latencyMs,
        downloadThroughput: PHONE.bytesPerS,
        uploadThroughput: PHONE.bytesPerS,
      });
    }
    const load = async (go: () => Promise<unknown>): Promise<LoadFigures> => {
      await go();
      // The number's arrival on the page's own clock (navigation start = 0), seen as it is added.
      const liveMs = (await page.evaluate(LIVE_NUMBER_SEEN_MS)) as number;
      const paintMs = (await page.evaluate(FIRST_PAINT_MS)) as number;
      return { paintMs, liveMs };
    };
    const cold = await load(() => page.goto(base, { waitUntil: 'commit' }));
    await page.evaluate('navigator.serviceWorker.ready');
    await page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, { timeout: 60_000 });
    const warm = await load(() => page.reload({ waitUntil: 'commit' }));
    return { cold, warm };
  } finally {
    await context.close();
  }
}

/** A year of household power ending now, as emoncms writes a PHPFina feed. */
function writeYearFeed(dir: string, endS: number): void {
  mkdirSync(dir, { recursive: true });
  const startS = Math.floor((endS - YEAR_POINTS * INTERVAL_S) / INTERVAL_S) * INTERVAL_S;
  const meta = Buffer.alloc(16);
  meta.writeUInt32LE(INTERVAL_S, 8);
  meta.writeUInt32LE(startS, 12);
  const dat = Buffer.alloc(YEAR_POINTS * 4);
  for (let i = 0; i < YEAR_POINTS; i++) {
    const hour = ((startS + i * INTERVAL_S) % 86_400) / 3600;
    dat.writeFloatLE(250 + 900 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + (i % 97), i * 4);
  }
  writeFileSync(join(dir, '1.meta'), meta);
  writeFileSync(join(dir, '1.dat'), dat);
  writeFileSync(join(dir, 'list.json'), JSON.stringify([{ id: 1, name: 'use', tag: 'house', unit: 'W' }]));
}

const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-ui-'));
const [httpPort, mqttPort] = [await freePort(), await freePort()];
const env = {
  ...process.env,
  HUB_DATA_DIR: dataDir,
  HUB_MDNS: '0',
  HUB_HTTP_PORT: String(httpPort),
  HUB_MQTT_PORT: String(mqttPort),
  HUB_REDIS_URL: 'embedded',
  HUB_LOG_LEVEL: 'warn',
};
writeFileSync(
  join(dataDir, 'hub.json'),
  JSON.stringify({ mqtt: { tls: { enabled: false } }, ingest: { vzloggerPush: { enabled: false } } }),
);
const cli = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, input });
  if (r.status !== 0) throw new Error(`hub ${args.join(' ')}: ${String(r.stderr)}`);
};
cli(['user', 'add', 'bench', '--admin'], 'bench-password\n');
writeYearFeed(join(dataDir, 'import'), Math.floor(Date.now() / 1000));
cli(['feeds', 'import-emoncms', join(dataDir, 'import')]);

const hubd = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: 'ignore' });
const base = `http://127.0.0.1:${httpPort}`;
try {
  await waitUntilReady(base);
  const login = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const [name, value] = cookie.split('=') as [string, string];

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const dash = { paint: [] as number[], usable: [] as number[], bytes: 0 };
  const year = { drawn: [] as number[], bytes: 0, points: 0 };
  const baseline: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    let bytes = 0;
    page.on(
      'response',
      (r) =>
        void r.body().then(
          (b) => (bytes += b.length),
          () => undefined,
        ),
    );
    const t0 = Date.now();
    await page.goto(base);
    await page.getByTestId('power-now').waitFor();
    dash.usable.push(Date.now() - t0);
    dash.paint.push((await page.evaluate(FIRST_PAINT_MS)) as number);
    dash.bytes = bytes;

    await page.goto(`${base}/#/history`);
    await page.locator('.chart[data-drawn="1"]').waitFor();
    bytes = 0;
    const reply = page.waitForResponse(
      (r) => r.url().includes('/data?') && r.url().includes('interval=43200'),
    );
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Year' }).click();
    const points = ((await (await reply).json()) as unknown[]).length;
    await page.locator('.chart[data-drawn="2"]').waitFor();
    year.drawn.push(Date.now() - t1);
    year.bytes = bytes;
    year.points = points;
    await context.close();

    const endS = Math.floor(Date.now() / 1000);
    const t2 = Date.now();
    const res = await fetch(
      `${base}/api/v1/feeds/1/data?start=${endS - 365 * 86_400}&end=${endS}&interval=43200&average=1`,
      {
        headers: { cookie },
      },
    );
    await res.json();
    baseline.push(Date.now() - t2);
  }
  for (const phone of [false, true]) {
    const runs = [];
    for (let run = 0; run < PHONE_RUNS; run++)
      runs.push(await coldAndWarm(browser, base, { name, value }, phone));
    for (const kind of ['cold', 'warm'] as const)
      emit({
        bench: `ui_dashboard_${phone ? 'phone' : 'desktop'}_${kind}`,
        runs: PHONE_RUNS,
        ...(phone
          ? { cpu_slowdown: PHONE.cpuRate, rtt_ms: PHONE.latencyMs, kbit_s: (PHONE.bytesPerS * 8) / 1000 }
          : {}),
        first_contentful_paint_ms: Math.round(median(runs.map((r) => r[kind].paintMs))),
        live_number_ms: Math.round(median(runs.map((r) => r[kind].liveMs))),
        ...(phone
          ? {
              target_paint_ms: kind === 'warm' ? 1000 : undefined,
              target_live_ms: kind === 'warm' ? 1500 : 3000,
            }
          : {}),
      });
  }
  await browser.close();
  emit({
    bench: 'ui_dashboard_cold_load',
    runs: RUNS,
    first_contentful_paint_ms: Math.round(median(dash.paint)),
    usable_ms: median(dash.usable),
    bytes_received_decoded: dash.bytes,
    target_usable_ms: 1000,
  });
  emit({
    bench: 'ui_year_chart',
    runs: RUNS,
    points: year.points,
    drawn_ms: median(year.drawn),
    bytes_received_decoded: year.bytes,
    baseline_node_fetch_same_data_ms: median(baseline),
    target_drawn_ms: 1000,
  });
} finally {
  hubd.kill('SIGTERM');
}
