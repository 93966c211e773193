import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';

/** A key or secret kept off the screen until asked for (shoulders, screen shares), with a copy button. */
export function SecretValue(props: {
  label: string;
  value: string;
  testId?: string;
  initiallyShown?: boolean;
}) {
  const { t } = useI18n();
  const [shown, setShown] = useState(props.initiallyShown ?? false);
  const [copied, setCopied] = useState<boolean>();
  const code = useRef<HTMLElement>(null);
  // Browsers give pages the clipboard only on https or localhost; on a plain-http LAN address the
  // value is shown and selected instead, for the householder to copy by hand.
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
    } catch {
      setShown(true);
      setCopied(false);
      requestAnimationFrame(() => code.current && getSelection()?.selectAllChildren(code.current));
    }
  };
  return (
    <span class="secret">
      <code ref={code} data-testid={props.testId}>
        {shown ? props.value : '•'.repeat(12)}
      </code>{' '}
      <button
        type="button"
        class="secondary small"
        aria-label={t(shown ? 'secret.hide' : 'secret.show', { name: props.label })}
        onClick={() => setShown(!shown)}
      >
        {t(shown ? 'secret.hideShort' : 'secret.showShort')}
      </button>{' '}
      <button
        type="button"
        class="secondary small"
        aria-label={t('secret.copy', { name: props.label })}
        onClick={() => void copy()}
      >
        {t('secret.copyShort')}
      </button>{' '}
      <span role="status">
        {copied === undefined ? '' : t(copied ? 'secret.copied' : 'secret.copyFailed')}
      </span>
    </span>
  );
}
