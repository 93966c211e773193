import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../../src/api/contract.js';
import { api, ApiCallError, rememberCsrf } from './api.js';
import { setHubTimeZone, useI18n } from './i18n.js';
import { LiveConnection } from './live.js';
import { DashboardPage } from './pages/dashboard.js';
import { EnergyPage } from './pages/energy.js';
import { HistoryPage } from './pages/history.js';
import { InputsPage } from './pages/inputs.js';
import { SettingsPage } from './pages/settings.js';
import { Shell, type Route } from './shell.js';
import { LoginPage } from './pages/login.js';
import { OnboardingPage } from './pages/onboarding.js';
import './styles.css';

type View =
  { kind: 'loading' } | { kind: 'onboarding' } | { kind: 'login' } | { kind: 'app'; session: SessionInfo };

function App() {
  const { t } = useI18n();
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [fatal, setFatal] = useState<string>();

  const signedIn = (session: SessionInfo) => {
    rememberCsrf(session.csrfToken);
    // Times are the household's clock: wait for the hub's timezone before the first page draws.
    void api
      .hub()
      .then((facts) => setHubTimeZone(facts.timeZone))
      .catch(() => undefined)
      .finally(() => setView({ kind: 'app', session }));
  };

  useEffect(() => {
    (async () => {
      if ((await api.onboardingState()).needed) return setView({ kind: 'onboarding' });
      try {
        signedIn(await api.session());
      } catch (err) {
        if (err instanceof ApiCallError && err.status === 401) return setView({ kind: 'login' });
        throw err;
      }
    })().catch((err: Error) => setFatal(err.message));
  }, []);

  const logout = async () => {
    await api.logout().catch(() => undefined);
    rememberCsrf(undefined);
    setView({ kind: 'login' });
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
      return <SignedIn session={view.session} onLogout={logout} />;
  }
}

function routeOf(hash: string, isAdmin: boolean): Route {
  if (hash === '#/history') return 'history';
  if (hash === '#/energy') return 'energy';
  if (hash === '#/settings' && isAdmin) return 'settings';
  return hash === '#/inputs' && isAdmin ? 'inputs' : 'dashboard';
}

/** The signed-in app: one live connection, hash routes; admin pages only for administrators. */
function SignedIn(props: { session: SessionInfo; onLogout: () => void }) {
  const isAdmin = props.session.user.role === 'admin';
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash, isAdmin));
  const [live] = useState(() => new LiveConnection());
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
      {route === 'inputs' ? (
        <InputsPage live={live} />
      ) : route === 'energy' ? (
        <EnergyPage />
      ) : route === 'history' ? (
        <HistoryPage />
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
