import { useEffect, useState } from 'preact/hooks';
import type { ReadinessReport } from '../../src/api/contract.js';
import { api } from './api.js';
import { useI18n, type MessageKey } from './i18n.js';

const REFRESH_MS = 15_000;

/** Names of the parts of the hub a person may see down (others show their component name). */
const LABELS: Record<string, MessageKey> = {
  mqtt: 'down.mqtt',
  'vzlogger-push': 'down.vzloggerPush',
  redis: 'down.redis',
  'redis-server': 'down.redis',
  'feed-files': 'down.feedFiles',
};

interface DownPart {
  name: string;
  reason: string;
  retrying: boolean;
}

/** What of the hub could not start and why (admins see the reasons in /readyz), refreshed while open. */
export function DownBanner() {
  const { t } = useI18n();
  const [down, setDown] = useState<DownPart[]>([]);
  useEffect(() => {
    const refresh = () =>
      void api.readiness().then(
        (report) => setDown(downParts(report)),
        () => undefined,
      );
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (down.length === 0) return null;
  return (
    <div class="down-banner" role="status">
      {down.map((part) => {
        const label = LABELS[part.name];
        const component = label ? t(label) : part.name;
        return <p>{t(part.retrying ? 'down.retrying' : 'down.stays', { component, reason: part.reason })}</p>;
      })}
    </div>
  );
}

function downParts(report: ReadinessReport): DownPart[] {
  return Object.entries(report.components).flatMap(([name, status]) => {
    const reason = status.detail?.reason;
    if (status.state !== 'down' || typeof reason !== 'string') return [];
    return [{ name, reason, retrying: status.detail?.retrying === true }];
  });
}
