import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';

/**
 * Copy to the clipboard, or where the browser refuses (pages on plain-http LAN addresses get no
 * clipboard; https and localhost do) select the shown value for the householder to copy by hand.
 */
function useCopy(value: string, onRefused: () => void) {
  const [copied, setCopied] = useState<boolean>();
  const code = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      onRefused();
      setCopied(false);
      requestAnimationFrame(() => code.current && getSelection()?.selectAllChildren(code.current));
    }
  };
  return { copied, copy, code };
}

function CopyButton(props: { label: string; copy: () => Promise<void>; copied: boolean | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <button
        type="button"
        class="secondary small"
        aria-label={t('secret.copy', { name: props.label })}
        onClick={() => void props.copy()}
      >
        {t('secret.copyShort')}
      </button>{' '}
      <span role="status">
        {props.copied === undefined ? '' : t(props.copied ? 'secret.copied' : 'secret.copyFailed')}
      </span>
    </>
  );
}

/** A key or secret kept off the screen until asked for (shoulders, screen shares), with a copy button. */
export function SecretValue(props: {
  label: string;
  value: string;
  testId?: string;
  initiallyShown?: boolean;
}) {
  const { t } = useI18n();
  const [shown, setShown] = useState(props.initiallyShown ?? false);
  const { copied, copy, code } = useCopy(props.value, () => setShown(true));
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
      <CopyButton label={props.label} copy={copy} copied={copied} />
    </span>
  );
}

/** A value to type into a device (host, port, topic), shown, with a copy button. */
export function CopyValue(props: { label: string; value: string; testId?: string }) {
  const { copied, copy, code } = useCopy(props.value, () => undefined);
  return (
    <span class="secret">
      <code ref={code} data-testid={props.testId}>
        {props.value}
      </code>{' '}
      <CopyButton label={props.label} copy={copy} copied={copied} />
    </span>
  );
}
