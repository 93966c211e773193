import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../../src/api/contract.js';
import { api, ApiCallError, rememberCsrf } from './api.js';
import { DashboardPage } from './pages/dashboard.js';
import { LoginPage } from './pages/login.js';
import { OnboardingPage } from './pages/onboarding.js';
import './styles.css';

type View =
  { kind: 'loading' } | { kind: 'onboarding' } | { kind: 'login' } | { kind: 'app'; session: SessionInfo };

function App() {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [fatal, setFatal] = useState<string>();

  const signedIn = (session: SessionInfo) => {
    rememberCsrf(session.csrfToken);
    setView({ kind: 'app', session });
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

  if (fatal) return <p role="alert">The hub cannot be reached: {fatal}</p>;
  switch (view.kind) {
    case 'loading':
      return <p class="loading">Loading…</p>;
    case 'onboarding':
      return <OnboardingPage onDone={signedIn} />;
    case 'login':
      return <LoginPage onDone={signedIn} />;
    case 'app':
      return <DashboardPage session={view.session} onLogout={logout} />;
  }
}

render(<App />, document.getElementById('app')!);
