import type { ComponentChildren } from 'preact';
import type { SessionInfo } from '../../src/api/contract.js';
import { DownBanner } from './down-banner.js';
import { LOCALES, setLocale, useI18n, type Locale } from './i18n.js';
import type { Route } from './routes.js';

export type { Route } from './routes.js';

/** The frame around every signed-in page: navigation (admin pages only for admins), language, logout. */
export function Shell(props: {
  session: SessionInfo;
  route: Route;
  onLogout: () => void;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  const { user } = props.session;
  // A phone shows a short label where the full one would not fit; the full one stays its name.
  const link = (route: Route, label: string, short = label) => (
    <a
      href={`#/${route}`}
      aria-current={props.route === route ? 'page' : undefined}
      aria-label={short === label ? undefined : label}
    >
      {short === label
        ? label
        : [<span class="nav-full">{label}</span>, <span class="nav-short">{short}</span>]}
    </a>
  );
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Energy Hub</span>
        <nav aria-label={t('nav.main')}>
          {link('dashboard', t('nav.dashboard'))}
          {link('energy', t('nav.energy'))}
          {link('history', t('nav.history'))}
          {link('devices', t('nav.devices'))}
          {link('community', t('nav.community'))}
          {user.role === 'admin' && link('inputs', t('nav.inputs'), t('nav.inputsShort'))}
          {user.role === 'admin' && link('settings', t('nav.settings'))}
        </nav>
        <div class="who">
          <LanguagePicker />
          <span class="who-name">
            {user.username} <small>({user.role})</small>
          </span>
          <button type="button" class="secondary" onClick={props.onLogout}>
            {t('shell.logout')}
          </button>
        </div>
      </header>
      {user.role === 'admin' && <DownBanner />}
      {props.children}
    </div>
  );
}

/** The language switch, on every page including sign-in (a choice kept in this browser). */
export function LanguagePicker() {
  const { t, locale } = useI18n();
  return (
    <label class="language">
      <span class="visually-hidden">{t('shell.language')}</span>
      <select value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
        {Object.entries(LOCALES).map(([code, { name }]) => (
          <option value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
