import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText, Field } from '../components.js';
import { useI18n } from '../i18n.js';
import { LanguagePicker } from '../shell.js';

export function LoginPage(props: { onDone: (session: SessionInfo) => void }) {
  const { t } = useI18n();
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
        <LanguagePicker />
        <h1 id="login-title">{t('auth.signInTitle')}</h1>
        <Field
          id="username"
          label={t('auth.username')}
          value={username}
          autocomplete="username"
          onInput={setUsername}
        />
        <Field
          id="password"
          label={t('auth.password')}
          type="password"
          value={password}
          autocomplete="current-password"
          onInput={setPassword}
        />
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </main>
  );
}
