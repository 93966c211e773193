import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BootState, HubFacts, SessionInfo } from '../../src/api/contract.js';
import { api, ApiCallError, rememberCsrf } from './api.js';
import { setHubTimeZone, useI18n } from './i18n.js';
import { lazyComponent } from './lazy.js';
import { LiveConnection } from './live.js';
import { DashboardPage, forgetPrefetched, prefetchDashboard } from './pages/dashboard.js';
import { PairingPrompt } from './pairing-prompt.js';
import { routeOf, type RouteTarget } from './routes.js';
import { Shell } from './shell.js';
import { LoginPage } from './pages/login.js';
import { OnboardingPage } from './pages/onboarding.js';
import './styles.css';

type View =
  { kind: 'loading' } | { kind: 'onboarding' } | { kind: 'login' } | { kind: 'app'; session: SessionInfo };

const TIME_ZONE_KEY = 'hub.timeZone';

/**
 * What the hub inlined in the page for a signed-in load (src/api/boot-html.ts): the answers the
 * boot would ask for. Absent for anyone not signed in, or when the hub could not answer in time.
 */
function inlinedBootState(): BootState | undefined {
  const element = document.getElementById('hub-boot');
  // Read once, then gone from the page: after a logout nothing of it (the CSRF token) stays behind.
  element?.remove();
  try {
    const state = JSON.parse(element?.textContent ?? 'null') as BootState | null;
    return state && !state.onboarding.needed ? state : undefined;
  } catch {
    return undefined;
  }
}

// On a phone 400 ms from the hub each round trip saved is 400 ms sooner to the number
// (docs/web-app.md, Performance): a signed-in load has its answers in the page; otherwise boot asks
// for everything at once, before the first render.
const inlined = inlinedBootState();
// A page restored from the back/forward cache may be one a user has since signed out of: load it anew.
addEventListener('pageshow', (event) => event.persisted && location.reload());
const boot = inlined
  ? undefined
  : { onboarding: api.onboardingState(), session: api.session(), hub: api.hub() };
if (boot) for (const p of [boot.onboarding, boot.session, boot.hub]) p.catch(() => undefined);
const bootLive = new LiveConnection();
if (inlined) {
  rememberCsrf(inlined.session.csrfToken);
  localStorage.setItem(TIME_ZONE_KEY, inlined.hub.timeZone);
}
if (!location.hash || location.hash === '#/') prefetchDashboard(inlined);
// The household's clock as last seen, so a reload need not wait for the hub to draw times.
const knownTimeZone = inlined?.hub.timeZone ?? localStorage.getItem(TIME_ZONE_KEY);
if (knownTimeZone) setHubTimeZone(knownTimeZone);

function App() {
  const { t } = useI18n();
  const [view, setView] = useState<View>(() =>
    inlined ? { kind: 'app', session: inlined.session } : { kind: 'loading' },
  );
  const [fatal, setFatal] = useState<string>();
  const live = useRef<LiveConnection | undefined>(bootLive);

  const show = (next: View) => {
    if (next.kind !== 'app') {
      live.current?.close();
      live.current = undefined;
    }
    setView(next);
  };
  const signedIn = (session: SessionInfo, hub: Promise<HubFacts> = api.hub()) => {
    rememberCsrf(session.csrfToken);
    live.current ??= new LiveConnection();
    const draw = () => setView({ kind: 'app', session });
    const facts = hub.then((f) => {
      setHubTimeZone(f.timeZone);
      localStorage.setItem(TIME_ZONE_KEY, f.timeZone);
    });
    // Times are the household's clock: without a remembered timezone, wait for the hub's.
    if (knownTimeZone) draw();
    else void facts.catch(() => undefined).finally(draw);
  };

  useEffect(() => {
    if (!boot) return;
    (async () => {
      if ((await boot.onboarding).needed) return show({ kind: 'onboarding' });
      try {
        signedIn(await boot.session, boot.hub);
      } catch (err) {
        if (err instanceof ApiCallError && err.status === 401) return show({ kind: 'login' });
        throw err;
      }
    })().catch((err: Error) => setFatal(err.message));
  }, []);

  const logout = async () => {
    await api.logout().catch(() => undefined);
    rememberCsrf(undefined);
    forgetPrefetched();
    show({ kind: 'login' });
  };

  if (fatal) return <p role="alert">{t('app.unreachable', { error: fatal })}</p>;
  switch (view.kind) {
    case 'loading':
      return <p class="loading">{t('app.loading')}</p>;
    case 'onboarding':
      return <OnboardingPage onDone={signedIn} />;
    case 'login':
      return <LoginPage onDone={signedIn} />;
    case 'app':
      return <SignedIn session={view.session} live={live.current!} onLogout={logout} />;
  }
}

const HistoryPage = lazyComponent(() => import('./pages/history.js').then((m) => m.HistoryPage));
const EnergyPage = lazyComponent(() => import('./pages/energy.js').then((m) => m.EnergyPage));
const InputsPage = lazyComponent(() => import('./pages/inputs.js').then((m) => m.InputsPage));
const SettingsPage = lazyComponent(() => import('./pages/settings.js').then((m) => m.SettingsPage));
const DevicesPage = lazyComponent(() => import('./pages/devices.js').then((m) => m.DevicesPage));
const CommunityPage = lazyComponent(() => import('./pages/community.js').then((m) => m.CommunityPage));

/** The signed-in app: one live connection, hash routes; admin pages only for administrators. */
function SignedIn(props: { session: SessionInfo; live: LiveConnection; onLogout: () => void }) {
  const isAdmin = props.session.user.role === 'admin';
  const [{ route, id }, setRoute] = useState<RouteTarget>(() => routeOf(location.hash, isAdmin));
  const live = props.live;
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash, isAdmin));
    addEventListener('hashchange', onHash);
    return () => {
      removeEventListener('hashchange', onHash);
      live.close();
    };
  }, [isAdmin, live]);
  return (
    <Shell session={props.session} route={route} onLogout={props.onLogout}>
      {isAdmin && <PairingPrompt live={live} />}
      {route === 'inputs' ? (
        <InputsPage live={live} />
      ) : route === 'energy' ? (
        <EnergyPage />
      ) : route === 'history' ? (
        <HistoryPage feedId={id} />
      ) : route === 'devices' ? (
        <DevicesPage session={props.session} live={live} deviceId={id} />
      ) : route === 'community' ? (
        <CommunityPage session={props.session} />
      ) : route === 'settings' ? (
        <SettingsPage />
      ) : (
        <DashboardPage session={props.session} live={live} />
      )}
    </Shell>
  );
}

render(<App />, document.getElementById('app')!);
// The offline app shell (see ui/sw.js); the hub serves it from its own origin.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
