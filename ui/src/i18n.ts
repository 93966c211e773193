import { useEffect, useState } from 'preact/hooks';
import { cy } from './messages-cy.js';
import { en, type MessageKey } from './messages-en.js';
import type { Locale } from './format.js';

// The chosen language (English or Welsh) and a translator; the strings are in messages-*.ts and
// the formatting of numbers and dates in format.ts.
export * from './format.js';
export type { MessageKey } from './messages-en.js';

export const LOCALES = {
  en: { name: 'English', messages: en },
  cy: { name: 'Cymraeg', messages: cy },
} as const satisfies Record<Locale, unknown>;

let current: Locale =
  (localStorage.getItem('hub.locale') as Locale | null) ??
  (navigator.language.startsWith('cy') ? 'cy' : 'en');
if (!(current in LOCALES)) current = 'en';
const listeners = new Set<() => void>();

export function setLocale(locale: Locale): void {
  current = locale;
  localStorage.setItem('hub.locale', locale);
  document.documentElement.lang = locale;
  listeners.forEach((l) => l());
}

/** The current locale and a translator; re-renders the caller when the language changes. */
export function useI18n(): {
  locale: Locale;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
} {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  document.documentElement.lang = current;
  const messages = LOCALES[current].messages;
  return { locale: current, t: (key, vars) => fill(messages[key], vars) };
}

/**
 * A lazily loaded page's own strings in both languages (they stay out of the dashboard's script),
 * translated like the app's own.
 */
export function useMessages<K extends string>(
  tables: Record<Locale, Record<K, string>>,
): { locale: Locale; t: (key: K, vars?: Record<string, string | number>) => string } {
  const { locale } = useI18n();
  return { locale, t: (key, vars) => fill(tables[locale][key], vars) };
}

function fill(message: string, vars: Record<string, string | number> = {}): string {
  return message.replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? ''));
}
