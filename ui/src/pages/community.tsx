import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo, SignalView, SignalsView } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { type Locale } from '../i18n.js';
import { goodSlots, GOOD_HORIZON_S, nextGoodS, targetSeries } from '../plan-model.js';
import { PastDaysCard } from './community-days.js';
import { SignalChart, useSchedulerMessages, whenText } from './plan-chart.js';
import type { SchedulerMessageKey } from './scheduler-messages.js';

// The Community page (issue 14 item 10): the river's generation and the community's use as the
// meter gateway forecasts them, what is missing or stale and why, the "good time to use" light
// from the household's own target (the same signals the planner uses), and past days with the
// household's share (community-days.tsx).

type T = (key: SchedulerMessageKey, vars?: Record<string, string | number>) => string;

const REFRESH_MS = 60_000;

export function CommunityPage(props: { session: SessionInfo }) {
  const { t } = useSchedulerMessages();
  const [view, setView] = useState<SignalsView>();
  const [error, setError] = useState<string>();
  const [nowS, setNowS] = useState(() => Math.floor(Date.now() / 1000));
  const load = () =>
    api.signals().then(
      (v) => {
        setView(v);
        setNowS(Math.floor(Date.now() / 1000));
        setError(undefined);
      },
      (err: Error) => setError(err.message),
    );
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <main class="dashboard community">
      <h1>{t('community.title')}</h1>
      {error && <ErrorText message={error} />}
      {view && (
        <div class="cards">
          <GoodTimeCard view={view} nowS={nowS} />
          <SignalCard name="hydro" title={t('community.hydro')} view={view} nowS={nowS} />
          <SignalCard name="community" title={t('community.community')} view={view} nowS={nowS} />
          <PastDaysCard nowS={nowS} />
          {props.session.user.role === 'admin' && <TargetCard view={view} onSaved={() => void load()} />}
        </div>
      )}
    </main>
  );
}

const targetText = (view: SignalsView) =>
  view.target.terms.length === 1
    ? view.target.terms[0]!.signal
    : view.target.terms.map((term) => `${term.signal} × ${term.weight}`).join(' + ');

function GoodTimeCard(props: { view: SignalsView; nowS: number }) {
  const { t, locale } = useSchedulerMessages();
  const { view, nowS } = props;
  const series = targetSeries(view.target, view.signals);
  const slots = series ? goodSlots(series, nowS) : [];
  const next = nextGoodS(slots, nowS);
  const goodNow = slots[0]?.good === true && slots[0].startS <= nowS;
  const used = view.target.terms.filter((term) => term.weight > 0);
  return (
    <section class="card wide" aria-label={t('community.goodTime')}>
      <h2>{t('community.goodTime')}</h2>
      {!series ? (
        <p class="notice" data-testid="good-light" data-light="none">
          {t('community.noLight', { missing: view.targetMissing.join(', ') || targetText(view) })}
        </p>
      ) : (
        <p
          class={goodNow ? 'light good' : 'light wait'}
          data-testid="good-light"
          data-light={goodNow ? 'good' : 'wait'}
        >
          <span class="lamp" aria-hidden="true" />
          {goodNow
            ? t('community.goodNow')
            : next === null
              ? t('community.noneGood')
              : t('community.notNow', { time: whenText(locale, next, nowS) })}
        </p>
      )}
      <p class="muted">
        {t('community.rule', { target: t('community.targetIs', { target: targetText(view) }) })}
      </p>
      {series && (
        <SignalChart
          series={series}
          marked={slots.filter((s) => s.good)}
          nowS={nowS}
          horizonS={GOOD_HORIZON_S}
          what={targetText(view)}
          unit={'unit' in series ? String(series.unit) : '0–1'}
          testId="good-chart"
        />
      )}
      <h3>{t('signal.freshness')}</h3>
      <ul class="sources">
        {used.map((term) => (
          <li>
            <strong>{term.signal}</strong>:{' '}
            <SignalStatus t={t} locale={locale} name={term.signal} view={view} nowS={nowS} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function SignalCard(props: { name: string; title: string; view: SignalsView; nowS: number }) {
  const { t, locale } = useSchedulerMessages();
  const signal = props.view.signals.find((s) => s.name === props.name);
  return (
    <Card title={props.title}>
      <p data-testid={`signal-${props.name}`}>
        <SignalStatus t={t} locale={locale} name={props.name} view={props.view} nowS={props.nowS} />
      </p>
      {signal?.signal && (
        <>
          <p class="muted">{t('community.today')}</p>
          <SignalChart
            series={signal.signal}
            marked={[]}
            nowS={props.nowS}
            horizonS={48 * 3600}
            what={props.title}
            unit={signal.signal.unit}
          />
        </>
      )}
    </Card>
  );
}

/** Fresh (received, until), stale or missing with the hub's why, and the last problem. */
function SignalStatus(props: { t: T; locale: Locale; name: string; view: SignalsView; nowS: number }) {
  const { t, locale, nowS } = props;
  const s: SignalView | undefined = props.view.signals.find((v) => v.name === props.name);
  if (!s) return <span class="stale-text">{t('signal.unknown', { name: props.name })}</span>;
  const why = s.why ?? '';
  const main =
    s.signal === null
      ? t('signal.missing', { why: why || s.what })
      : s.stale
        ? t('signal.stale', { why })
        : t('signal.fresh', {
            time: whenText(locale, (s.receivedAtMs ?? 0) / 1000, nowS),
            end: whenText(locale, (s.horizonEndMs ?? 0) / 1000, nowS),
          });
  return (
    <span
      class={s.signal === null || s.stale ? 'stale-text' : undefined}
      data-stale={String(s.signal === null || s.stale)}
    >
      {main}
      {s.lastError && ` ${t('signal.lastError', { error: s.lastError })}`}
    </span>
  );
}

/** Admins: one signal or a weighted mix (PUT /api/v1/signals/target). */
function TargetCard(props: { view: SignalsView; onSaved: () => void }) {
  const { t } = useSchedulerMessages();
  const names = [
    ...new Set([
      ...props.view.signals.map((s) => s.name),
      ...props.view.target.terms.map((term) => term.signal),
    ]),
  ];
  const initial = () =>
    Object.fromEntries(
      names.map((n) => [n, String(props.view.target.terms.find((term) => term.signal === n)?.weight ?? 0)]),
    );
  const [weights, setWeights] = useState<Record<string, string>>(initial);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string>();
  const save = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    setError(undefined);
    const terms = names
      .map((signal) => ({ signal, weight: Number((weights[signal] ?? '0').replace(',', '.')) }))
      .filter((term) => Number.isFinite(term.weight) && term.weight > 0);
    if (terms.length === 0) return setError(t('target.noneAbove'));
    try {
      const saved = await api.setTarget({ terms });
      setStatus(
        saved.missing.length
          ? `${t('target.saved')} ${t('target.missing', { missing: saved.missing.join(', ') })}`
          : t('target.saved'),
      );
      props.onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('target.title')}>
      <p class="muted">{t('target.help')}</p>
      <form class="inline-form" onSubmit={save}>
        {names.map((name) => (
          <label>
            {t('target.weight', { name })}
            <input
              type="number"
              min={0}
              max={100}
              step="any"
              value={weights[name] ?? '0'}
              onInput={(e) => setWeights({ ...weights, [name]: (e.target as HTMLInputElement).value })}
            />
          </label>
        ))}
        <button type="submit">{t('target.save')}</button>
      </form>
      <p role="status">{status}</p>
      <ErrorText message={error} />
    </Card>
  );
}
