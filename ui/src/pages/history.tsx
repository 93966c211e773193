import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, type Feed } from '../api.js';
import { attachTouchZoom } from './chart-touch.js';
import { Card, ErrorText } from '../components.js';
import { currentHubTimeZone, timeAxisValues, useI18n, type MessageKey } from '../i18n.js';

const PRESETS_S: [MessageKey, number][] = [
  ['history.hour', 3600],
  ['history.day', 86_400],
  ['history.week', 7 * 86_400],
  ['history.month', 30 * 86_400],
  ['history.year', 365 * 86_400],
];
/** About one point per 1.5 px of a desktop chart; the hub averages (rollups make a year cheap). */
const TARGET_POINTS = 800;
const CHART_HEIGHT_PX = 260;

/** Averaging interval for a range: the feed's own interval or a round multiple giving ≤ 800 points. */
export function intervalFor(rangeS: number, feedIntervalS: number): number {
  const wanted = Math.max(feedIntervalS, Math.ceil(rangeS / TARGET_POINTS));
  const nice = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
  const step = nice.find((n) => n >= wanted && n % feedIntervalS === 0) ?? wanted;
  return Math.max(step, feedIntervalS);
}

/** Any feed as a chart: presets, drag (mouse or finger) or pinch to zoom, step back and forward, CSV of what is shown. */
export function HistoryPage(props: { feedId?: number }) {
  const { t, locale } = useI18n();
  const [feeds, setFeeds] = useState<Feed[]>([]);
  const [feedId, setFeedId] = useState<number>();
  const [range, setRange] = useState<{ startS: number; endS: number }>(() => {
    const endS = Math.floor(Date.now() / 1000);
    return { startS: endS - 86_400, endS };
  });
  const [error, setError] = useState<string>();
  const [drawn, setDrawn] = useState(0);
  const chartEl = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const feed = feeds.find((f) => f.id === feedId);

  useEffect(() => {
    api
      .feeds()
      .then((list) => {
        setFeeds(list);
        // `#/history/<feed id>` (a device's feed) opens on that feed.
        setFeedId(list.find((f) => f.id === props.feedId)?.id ?? list[0]?.id);
      })
      .catch((err: Error) => setError(err.message));
    // A phone turned sideways or a resized window: the chart follows its container's width.
    const observer = new ResizeObserver(() => {
      const width = chartEl.current?.clientWidth;
      if (plot.current && width) plot.current.setSize({ width, height: CHART_HEIGHT_PX });
    });
    if (chartEl.current) observer.observe(chartEl.current);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
    };
  }, []);

  const intervalS = feed ? intervalFor(range.endS - range.startS, feed.intervalS) : 0;
  useEffect(() => {
    if (!feed || !chartEl.current) return;
    let cancelled = false;
    api
      .feedData(feed.id, range.startS, range.endS, intervalS)
      .then((points) => {
        if (cancelled || !chartEl.current) return;
        const data: uPlot.AlignedData = [points.map((p) => p[0]), points.map((p) => p[1])];
        // uPlot paints on a canvas that CSS cannot reach: take the theme's colours (dark mode too).
        const css = getComputedStyle(chartEl.current);
        const [text, line, grid] = [
          ['--text', '#1b1f1c'],
          ['--accent', '#1f6f43'],
          ['--border', '#d5dbd6'],
        ].map(([name, fallback]) => css.getPropertyValue(name!).trim() || fallback!);
        const axis = { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } };
        plot.current?.destroy();
        plot.current = new uPlot(
          {
            width: chartEl.current.clientWidth || 320,
            height: CHART_HEIGHT_PX,
            series: [{}, { label: `${feed.name} (${feed.unit || '–'})`, stroke: line, spanGaps: false }],
            scales: { x: { time: true } },
            // Axis labels in the hub's timezone (the household's clock), not the phone's.
            tzDate: (tsS) => uPlot.tzDate(new Date(tsS * 1000), currentHubTimeZone() ?? 'UTC'),
            // Tick labels through Intl in the chosen language (24-hour, `26 Nov`), not uPlot's US ones.
            axes: [{ ...axis, values: timeAxisValues(locale) }, axis],
            hooks: {
              setSelect: [
                (u) => {
                  if (u.select.width < 5) return;
                  const startS = Math.floor(u.posToVal(u.select.left, 'x'));
                  const endS = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
                  setRange({ startS, endS });
                },
              ],
            },
          },
          data,
          chartEl.current,
        );
        attachTouchZoom(plot.current, (startS, endS) => setRange({ startS, endS }));
        setError(undefined);
        setDrawn((n) => n + 1);
      })
      .catch((err: Error) => {
        if (cancelled) return;
        // The old chart is not this range's data: take it away so the error stands in its place.
        plot.current?.destroy();
        plot.current = undefined;
        setError(err.message);
      });
    return () => void (cancelled = true);
  }, [feed, range, intervalS, locale]);

  const preset = (seconds: number) => {
    const endS = Math.floor(Date.now() / 1000);
    setRange({ startS: endS - seconds, endS });
  };
  const pan = (direction: -1 | 1) => {
    const width = range.endS - range.startS;
    setRange({ startS: range.startS + direction * width, endS: range.endS + direction * width });
  };
  const csv =
    feed &&
    `/api/v1/feeds/${feed.id}/data?start=${range.startS}&end=${range.endS}&interval=${intervalS}&average=1&format=csv&timeformat=iso8601`;

  return (
    <main class="dashboard" aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
      <Card title={t('history.chart')}>
        <div class="inline-form">
          <div class="field">
            <label for="history-feed">{t('history.feed')}</label>
            <select
              id="history-feed"
              value={String(feedId ?? '')}
              onChange={(e) => setFeedId(Number((e.target as HTMLSelectElement).value))}
            >
              {feeds.map((f) => (
                <option value={String(f.id)}>{f.tag ? `${f.tag}: ${f.name}` : f.name}</option>
              ))}
            </select>
          </div>
          <div class="actions" role="group" aria-label={t('history.range')}>
            {PRESETS_S.map(([key, seconds]) => (
              <button type="button" class="secondary small" onClick={() => preset(seconds)}>
                {t(key)}
              </button>
            ))}
            <button
              type="button"
              class="secondary small"
              onClick={() => pan(-1)}
              aria-label={t('history.earlier')}
            >
              ←
            </button>
            <button
              type="button"
              class="secondary small"
              onClick={() => pan(1)}
              aria-label={t('history.later')}
            >
              →
            </button>
          </div>
        </div>
        {feeds.length === 0 && <p class="empty">{t('feeds.none')}</p>}
        <ErrorText message={error} />
        <div
          ref={chartEl}
          class="chart"
          hidden={!!error}
          data-drawn={drawn}
          aria-label={t('history.chart')}
          role="img"
        />
        <p class="muted">{t('history.zoomHint')}</p>
        {csv && (
          <a class="button-link" href={csv} download={`${feed.name}.csv`}>
            {t('history.csv')}
          </a>
        )}
      </Card>
    </main>
  );
}
