import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText, Field } from '../components.js';

export function LoginPage(props: { onDone: (session: SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onDone(await api.login(username, password));
    } catch (err) {
      setError((err as Error).message);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <form class="auth-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to your Energy Hub</h1>
        <Field
          id="username"
          label="Username"
          value={username}
          autocomplete="username"
          onInput={setUsername}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          autocomplete="current-password"
          onInput={setPassword}
        />
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
