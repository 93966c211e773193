import { useEffect, useState } from 'preact/hooks';
import type { EnergyToday, SessionInfo } from '../../../src/api/contract.js';
import { api, type Feed } from '../api.js';
import { Card } from '../components.js';
import { formatMoney, formatNumber, formatTime, useI18n } from '../i18n.js';
import type { LiveConnection } from '../live.js';

const POWER_NAMES = ['use', 'power', 'house', 'import'];
const STALE_AFTER_S = 120;
const HOUR_S = 3600;

/**
 * The household's power feed, by one documented rule: the first feed in watts named use, power,
 * house or import (in that order), else the first feed in watts.
 */
export function powerFeed(feeds: readonly Feed[]): Feed | undefined {
  const watts = feeds.filter((f) => f.unit === 'W');
  for (const name of POWER_NAMES) {
    const found = watts.find((f) => f.name.toLowerCase() === name);
    if (found) return found;
  }
  return watts[0];
}

/** Solar, import and export feeds in watts, shown beside the household power when they exist. */
const SIDE_FEEDS = ['solar', 'import', 'export'] as const;

interface Source {
  name: string;
  timeS: number;
}

export function DashboardPage(props: { session: SessionInfo; live: LiveConnection }) {
  const { t, locale } = useI18n();
  const isAdmin = props.session.user.role === 'admin';
  const [feed, setFeed] = useState<Feed | null>();
  const [now, setNow] = useState<{ timeS: number; value: number | null }>();
  const [hour, setHour] = useState<[number, number | null][]>([]);
  const [sources, setSources] = useState<Source[]>([]);
  const [clockS, setClockS] = useState(() => Date.now() / 1000);
  const [today, setToday] = useState<EnergyToday>();
  const [side, setSide] = useState<{ feed: Feed; value: number | null }[]>([]);

  useEffect(() => {
    const feedRef: { id?: number } = {};
    const stops: (() => unknown)[] = [];
    (async () => {
      const feeds = await api.feeds();
      const chosen = powerFeed(feeds) ?? null;
      setFeed(chosen);
      feedRef.id = chosen?.id;
      const sideFeeds = SIDE_FEEDS.flatMap((name) =>
        feeds
          .filter((f) => f.unit === 'W' && f.name.toLowerCase() === name && f.id !== chosen?.id)
          .slice(0, 1),
      );
      const lasts = await Promise.all(sideFeeds.map((f) => api.lastValue(f.id)));
      setSide(sideFeeds.map((f, i) => ({ feed: f, value: lasts[i]?.value ?? null })));
      stops.push(
        props.live.subscribe(
          sideFeeds.map((f) => f.id),
          [],
          (kind, v) => {
            if (kind !== 'feed') return;
            setSide((all) => all.map((x) => (x.feed.id === v.id ? { ...x, value: v.value } : x)));
          },
        ),
      );
      if (isAdmin) setSources(sourcesFromInputs(await api.inputs()));
      if (!chosen) return;
      const endS = Math.floor(Date.now() / 1000);
      const [last, data] = await Promise.all([
        api.lastValue(chosen.id),
        api.feedData(chosen.id, endS - HOUR_S, endS, 60),
      ]);
      if (last) setNow({ timeS: last.tsS, value: last.value });
      setHour(data);
      setToday(await api.energyToday(chosen.id));
      stops.push(
        props.live.subscribe([chosen.id], [], (kind, v) => {
          if (kind !== 'feed' || v.id !== chosen.id) return;
          setNow({ timeS: v.timeS, value: v.value });
          setHour((points) => [...points.filter(([ts]) => ts > v.timeS - HOUR_S), [v.timeS, v.value]]);
        }),
      );
    })().catch(() => setFeed(null));
    const tick = setInterval(() => setClockS(Date.now() / 1000), 10_000);
    // Today's energy moves slowly: a refresh a minute is plenty.
    const refresh = setInterval(() => {
      if (feedRef.id) api.energyToday(feedRef.id).then(setToday, () => undefined);
    }, 60_000);
    return () => {
      stops.forEach((stop) => stop());
      clearInterval(tick);
      clearInterval(refresh);
    };
  }, [props.live, isAdmin]);

  return (
    <main class="dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t('dash.title')}</h1>
      <div class="cards">
        <Card title={t('dash.power')}>
          {feed && now?.value != null ? (
            <>
              <p class="big-number" aria-live="polite">
                <span data-testid="power-now">{formatNumber(locale, now.value)}</span> <small>W</small>
              </p>
              <p class="muted">{t('dash.updated', { time: formatTime(locale, now.timeS) })}</p>
              <Sparkline points={hour} label={t('dash.lastHour')} />
            </>
          ) : (
            <p class="empty">{t('dash.noPower')}</p>
          )}
        </Card>
        {side.map(({ feed: f, value }) => (
          <Card title={t(`dash.${f.name.toLowerCase() as 'solar' | 'import' | 'export'}`)}>
            <p class="big-number">
              {value === null ? '–' : formatNumber(locale, value)} <small>W</small>
            </p>
          </Card>
        ))}
        {today && (
          <Card title={t('dash.today')}>
            <p class="big-number" data-testid="today-energy">
              {t('dash.energy', { kwh: formatNumber(locale, today.energyKWh, 2) })}
            </p>
            <p class="muted" data-testid="today-cost">
              {t('dash.cost', {
                cost: formatMoney(locale, today.totalMinor, today.currency),
                standing: formatMoney(locale, today.standingChargeMinor, today.currency),
              })}
            </p>
            <p class={today.goodTime.good ? 'badge live' : 'badge stale'} data-testid="good-time">
              {today.goodTime.flat
                ? t('dash.flat')
                : t(today.goodTime.good ? 'dash.goodTime' : 'dash.notNow', { band: today.goodTime.band })}
            </p>
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
        {isAdmin && (
          <Card title={t('dash.connect')}>
            <p>{t('dash.connectText')}</p>
            <a class="button-link" href="/api/v1/mqtt/ca.crt" download="energy-hub-ca.crt">
              {t('dash.ca')}
            </a>
          </Card>
        )}
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
