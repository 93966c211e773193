import { useEffect, useState } from 'preact/hooks';
import type { BootState, EnergyToday, HouseholdFeedsJson, SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card } from '../components.js';
import { formatMoney, formatNumber, formatTime, useI18n } from '../i18n.js';
import type { LiveConnection } from '../live.js';
import { lazyComponent } from '../lazy.js';
import { EnergyFlow } from './energy-flow.js';

// Admins only, below the figures: its code loads after the dashboard has drawn.
const ConnectDeviceCard = lazyComponent(
  () => import('./connect-device.js').then((m) => m.ConnectDeviceCard),
  {
    quiet: true,
  },
);

const STALE_AFTER_S = 120;
const HOUR_S = 3600;

type Role = keyof HouseholdFeedsJson;
type Live = Partial<Record<Role, { timeS: number; value: number | null }>>;

/**
 * Power now, by the balance of docs/web-app.md: the house feed, else solar + import − export +
 * battery; the grid as one signed figure, import − export, else house − solar − battery.
 */
export function livePowers(feeds: HouseholdFeedsJson, live: Live): { houseW?: number; gridW?: number } {
  const v = (role: Role) => (feeds[role] === undefined ? 0 : (live[role]?.value ?? undefined));
  const [house, solar, imp, exp, battery] = (['house', 'solar', 'import', 'export', 'battery'] as const).map(
    v,
  );
  const sum = (...xs: (number | undefined)[]) =>
    xs.every((x) => x !== undefined) ? xs.reduce((a, b) => a! + b!, 0) : undefined;
  const neg = (x: number | undefined) => (x === undefined ? undefined : -x);
  const hasGrid = feeds.import !== undefined || feeds.export !== undefined;
  const houseW = feeds.house !== undefined ? house : hasGrid ? sum(solar, imp, neg(exp), battery) : undefined;
  const gridW = hasGrid ? sum(imp, neg(exp)) : sum(houseW, neg(solar), neg(battery));
  return { houseW, gridW };
}

const FEEDS_KEY = 'hub.dashboardFeeds';
type Last = Awaited<ReturnType<typeof api.lastValue>>;
let earlyToday: Promise<EnergyToday> | undefined;
const earlyLast = new Map<number, Promise<Last>>();
/** Today's figures and the feeds' last values from the page itself: the first render shows them. */
let inlined: { today: EnergyToday; live: Live } | undefined;

/**
 * Takes today's figures and last values the hub inlined in the page, or else asks for today's
 * figures and the remembered feeds' last values while the app still boots (asked before sign-in is
 * known: a refusal is asked again); the dashboard takes the answers.
 */
export function prefetchDashboard(boot?: BootState): void {
  if (boot) {
    const roles = Object.keys(boot.today.feeds) as Role[];
    const live: Live = {};
    for (const { feedId, last } of boot.lastValues) {
      const role = roles.find((r) => boot.today.feeds[r] === feedId);
      if (role && last) live[role] = { timeS: last.tsS, value: last.value };
    }
    inlined = { today: boot.today, live };
    return;
  }
  earlyToday = api.energyToday();
  earlyToday.catch(() => undefined);
  for (const id of Object.values(rememberedFeeds() ?? {})) {
    const last = api.lastValue(id);
    last.catch(() => undefined);
    earlyLast.set(id, last);
  }
}

/** After a logout: what was fetched or inlined for one user is never shown to the next. */
export function forgetPrefetched(): void {
  earlyToday = undefined;
  earlyLast.clear();
  inlined = undefined;
}

function lastValue(id: number): Promise<Last> {
  const early = earlyLast.get(id);
  earlyLast.delete(id);
  return early?.catch(() => api.lastValue(id)) ?? api.lastValue(id);
}

/** The household's feeds as this browser last saw them: a reload asks for their values at once. */
function rememberedFeeds(): HouseholdFeedsJson | undefined {
  try {
    const feeds = JSON.parse(localStorage.getItem(FEEDS_KEY) ?? 'null') as HouseholdFeedsJson | null;
    return feeds && Object.keys(feeds).length > 0 ? feeds : undefined;
  } catch {
    return undefined;
  }
}

interface Source {
  name: string;
  timeS: number;
}

export function DashboardPage(props: { session: SessionInfo; live: LiveConnection }) {
  const { t, locale } = useI18n();
  const isAdmin = props.session.user.role === 'admin';
  // The inlined state serves the first dashboard of the page only; later ones ask afresh.
  const [first] = useState(() => {
    const state = inlined;
    inlined = undefined;
    return state;
  });
  const [feeds, setFeeds] = useState<HouseholdFeedsJson | null | undefined>(
    () => first && (Object.keys(first.today.feeds).length ? first.today.feeds : null),
  );
  const [live, setLive] = useState<Live>(first?.live ?? {});
  const [hour, setHour] = useState<[number, number | null][]>([]);
  const [sources, setSources] = useState<Source[]>([]);
  const [clockS, setClockS] = useState(() => Date.now() / 1000);
  const [today, setToday] = useState<EnergyToday | undefined>(first?.today);

  useEffect(() => {
    const stops: (() => unknown)[] = [];
    let shown: string | undefined;
    // Live values and the last hour for these feeds: the socket and both requests at once; the
    // number shows as soon as either the socket or /last answers (or at once, when `known`).
    const watch = (chosen: HouseholdFeedsJson, known?: Live) => {
      const key = JSON.stringify(chosen);
      if (key === shown) return;
      shown = key;
      stops.forEach((stop) => stop());
      stops.length = 0;
      const roles = Object.keys(chosen) as Role[];
      setFeeds(chosen);
      setLive(known ?? {});
      setHour([]);
      // The line of the last hour: house use where it is measured, else what comes from the grid.
      const lineId = chosen.house ?? chosen.import ?? chosen[roles[0]!]!;
      let current = true;
      stops.push(() => (current = false));
      const put = (role: Role, v: { timeS: number; value: number | null }) =>
        setLive((all) => ((all[role]?.timeS ?? -1) > v.timeS ? all : { ...all, [role]: v }));
      stops.push(
        props.live.subscribe(
          roles.map((r) => chosen[r]!),
          [],
          (kind, v) => {
            if (kind !== 'feed') return;
            const role = roles.find((r) => chosen[r] === v.id);
            if (role) put(role, { timeS: v.timeS, value: v.value });
            if (v.id === lineId)
              setHour((points) => [...points.filter(([ts]) => ts > v.timeS - HOUR_S), [v.timeS, v.value]]);
          },
        ),
      );
      for (const role of known ? [] : roles)
        void lastValue(chosen[role]!).then(
          (last) => current && last && put(role, { timeS: last.tsS, value: last.value }),
          () => undefined,
        );
      const endS = Math.floor(Date.now() / 1000);
      void api.feedData(lineId, endS - HOUR_S, endS, 60).then(
        (data) => current && setHour((points) => [...data, ...points.filter(([ts]) => ts > endS)]),
        () => undefined,
      );
    };
    const remembered = first ? undefined : rememberedFeeds();
    if (remembered) watch(remembered);
    // The page's own answer, else the boot's (asked before sign-in was known), else ask now.
    const todayNow = first
      ? Promise.resolve(first.today)
      : (earlyToday?.catch(() => api.energyToday()) ?? api.energyToday());
    earlyToday = undefined;
    earlyLast.clear();
    todayNow.then(
      (answer) => {
        setToday(answer);
        const chosen = answer.feeds;
        localStorage.setItem(FEEDS_KEY, JSON.stringify(chosen));
        if (Object.keys(chosen).length === 0) {
          stops.forEach((stop) => stop());
          shown = undefined;
          return setFeeds(null);
        }
        watch(chosen, first?.live);
      },
      () => remembered ?? setFeeds(null),
    );
    if (isAdmin)
      void api.inputs().then(
        (inputs) => setSources(sourcesFromInputs(inputs)),
        () => undefined,
      );
    const tick = setInterval(() => setClockS(Date.now() / 1000), 10_000);
    // Today's energy moves slowly: a refresh a minute is plenty.
    const refresh = setInterval(() => void api.energyToday().then(setToday, () => undefined), 60_000);
    return () => {
      stops.forEach((stop) => stop());
      clearInterval(tick);
      clearInterval(refresh);
    };
  }, [props.live, isAdmin]);

  const { houseW, gridW } = feeds ? livePowers(feeds, live) : {};
  const updatedS = Math.max(0, ...Object.values(live).map((x) => x.timeS));
  const watts = (w: number) => (
    <>
      {formatNumber(locale, w)} <small>W</small>
    </>
  );
  const money = (minor: number) => formatMoney(locale, minor, today?.currency ?? 'GBP');
  const solarHome = feeds && (feeds.solar !== undefined || feeds.export !== undefined);

  return (
    <main class="dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t('dash.title')}</h1>
      <div class="cards">
        <Card title={t('dash.power')}>
          {feeds && houseW !== undefined ? (
            <>
              <p class="big-number" aria-live="polite">
                <span data-testid="power-now">{formatNumber(locale, houseW)}</span> <small>W</small>
              </p>
              <p class="muted">{t('dash.updated', { time: formatTime(locale, updatedS) })}</p>
              <Sparkline points={hour} label={t('dash.lastHour')} />
            </>
          ) : (
            <p class="empty">{t('dash.noPower')}</p>
          )}
        </Card>
        {feeds?.solar !== undefined && (
          <Card title={t('dash.solar')}>
            <p class="big-number" data-testid="solar-now">
              {live.solar?.value == null ? '–' : watts(live.solar.value)}
            </p>
          </Card>
        )}
        {solarHome && gridW !== undefined && (
          <Card title={t('dash.grid')}>
            <p class={`big-number grid-now ${gridW < 0 ? 'exporting' : ''}`} data-testid="grid-now">
              <small>{t(gridW < 0 ? 'dash.exporting' : 'dash.importing')}</small> {watts(Math.abs(gridW))}
            </p>
          </Card>
        )}
        {feeds?.battery !== undefined && live.battery?.value != null && (
          <Card title={t('dash.battery')}>
            <p class="big-number">
              <small>{t(live.battery.value < 0 ? 'dash.charging' : 'dash.discharging')}</small>{' '}
              {watts(Math.abs(live.battery.value))}
            </p>
          </Card>
        )}
        {today && feeds && (
          <Card title={t('dash.today')}>
            <p class="big-number" data-testid="today-energy">
              {t('dash.energy', { kwh: formatNumber(locale, today.energyKWh, 2) })}
            </p>
            <p class="muted" data-testid="today-cost">
              {t('dash.cost', {
                cost: money(today.totalMinor),
                standing: money(today.standingChargeMinor),
              })}
            </p>
            {today.exportCreditMinor > 0 && (
              <p class="muted" data-testid="today-export-credit">
                {t('dash.exportCredit', { credit: money(today.exportCreditMinor) })}
              </p>
            )}
            <p class={today.goodTime.good ? 'badge live' : 'badge stale'} data-testid="good-time">
              {today.goodTime.flat
                ? t('dash.flat')
                : t(today.goodTime.good ? 'dash.goodTime' : 'dash.notNow', { band: today.goodTime.band })}
            </p>
          </Card>
        )}
        {today && solarHome && (
          <Card title={t('energy.flow')}>
            <EnergyFlow figures={today} testPrefix="today" />
          </Card>
        )}
        <Card title={t('dash.sources')}>
          {sources.length === 0 ? (
            <p class="empty">{t('dash.noSources')}</p>
          ) : (
            <ul class="sources">
              {sources.map((s) => {
                const stale = clockS - s.timeS > STALE_AFTER_S;
                return (
                  <li>
                    <span class={stale ? 'badge stale' : 'badge live'}>
                      {stale ? t('dash.stale') : t('dash.live')}
                    </span>{' '}
                    {s.name} <small>{t('dash.seen', { time: formatTime(locale, s.timeS) })}</small>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        {isAdmin && <ConnectDeviceCard />}
      </div>
    </main>
  );
}

function sourcesFromInputs(inputs: { node: string; timeS: number | null }[]): Source[] {
  const latest = new Map<string, number>();
  for (const i of inputs)
    if (i.timeS !== null) latest.set(i.node, Math.max(latest.get(i.node) ?? 0, i.timeS));
  return [...latest].map(([name, timeS]) => ({ name, timeS }));
}

/** The last hour as a line; gaps (no value) break it. */
function Sparkline(props: { points: [number, number | null][]; label: string }) {
  const values = props.points.filter((p): p is [number, number] => p[1] !== null);
  if (values.length < 2) return null;
  const [t0, t1] = [values[0]![0], values.at(-1)![0]];
  const lo = Math.min(...values.map((p) => p[1]));
  const hi = Math.max(...values.map((p) => p[1]));
  const x = (ts: number) => ((ts - t0) / Math.max(1, t1 - t0)) * 300;
  const y = (v: number) => 60 - ((v - lo) / Math.max(1e-9, hi - lo)) * 56 - 2;
  const d = values.map(([ts, v], i) => `${i ? 'L' : 'M'}${x(ts).toFixed(1)},${y(v).toFixed(1)}`).join('');
  return (
    <svg
      class="sparkline"
      viewBox="0 0 300 60"
      role="img"
      aria-label={props.label}
      preserveAspectRatio="none"
    >
      <path d={d} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
