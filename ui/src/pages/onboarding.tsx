import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText, Field } from '../components.js';

/** First visit: create the administrator. There is no default password. */
export function OnboardingPage(props: { onDone: (session: SessionInfo) => void }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    setBusy(true);
    setError(undefined);
    try {
      props.onDone(await api.onboard(username, password));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <form class="auth-form" onSubmit={submit} aria-labelledby="onboarding-title">
        <h1 id="onboarding-title">Welcome to your Energy Hub</h1>
        <p>Create the administrator account. You will use it to add meters, devices and other people.</p>
        <Field
          id="username"
          label="Username"
          value={username}
          autocomplete="username"
          onInput={setUsername}
        />
        <Field
          id="password"
          label="Password (at least 8 characters)"
          type="password"
          value={password}
          autocomplete="new-password"
          onInput={setPassword}
        />
        <Field
          id="confirm"
          label="Password again"
          type="password"
          value={confirm}
          autocomplete="new-password"
          onInput={setConfirm}
        />
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create administrator'}
        </button>
      </form>
    </main>
  );
}
