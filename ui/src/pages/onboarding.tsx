import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText, Field } from '../components.js';
import { useI18n } from '../i18n.js';
import { LanguagePicker } from '../shell.js';

/** First visit: create the administrator. There is no default password. */
export function OnboardingPage(props: { onDone: (session: SessionInfo) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== confirm) return setError(t('auth.differ'));
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
        <LanguagePicker />
        <h1 id="onboarding-title">{t('auth.welcome')}</h1>
        <p>{t('auth.welcomeText')}</p>
        <Field
          id="username"
          label={t('auth.username')}
          value={username}
          autocomplete="username"
          onInput={setUsername}
        />
        <Field
          id="password"
          label={t('auth.newPassword')}
          type="password"
          value={password}
          autocomplete="new-password"
          onInput={setPassword}
        />
        <Field
          id="confirm"
          label={t('auth.passwordAgain')}
          type="password"
          value={confirm}
          autocomplete="new-password"
          onInput={setConfirm}
        />
        <ErrorText message={error} />
        <button type="submit" disabled={busy}>
          {busy ? t('auth.creating') : t('auth.create')}
        </button>
      </form>
    </main>
  );
}
