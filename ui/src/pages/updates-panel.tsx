import { useEffect, useRef, useState } from 'preact/hooks';
import type { UpdateInfo, UpdateProgressView } from '../../../src/api/contract.js';
import { api, csrfHeader } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';

const POLL_MS = 2000;
const FINAL = ['idle', 'installed', 'rolled-back', 'refused', 'failed', 'download-failed'];

/**
 * Admins: the running version, hub-updater's progress and last result, and "install an update"
 * from a bundle file. hub-updater stops and starts hubd during an install, so failed polls mean
 * "the hub is restarting", not an error; polling runs only while an update is active.
 */
export function UpdatesPanel() {
  const { t } = useI18n();
  const [info, setInfo] = useState<UpdateInfo>();
  const [restarting, setRestarting] = useState(false);
  const [upload, setUpload] = useState<{ sent: number; total: number }>();
  const [error, setError] = useState<string>();
  const file = useRef<HTMLInputElement>(null);

  const active = info !== undefined && !FINAL.includes(info.progress.state);
  // A failed poll during an update is hubd restarting; with no update under way it is not.
  const wasActive = useRef(false);
  wasActive.current = active || restarting;
  const load = () =>
    api
      .update()
      .then((next) => {
        setInfo(next);
        setRestarting(false);
      })
      .catch((err: Error) => (wasActive.current ? setRestarting(true) : setError(err.message)));
  useEffect(() => void load(), []);
  useEffect(() => {
    if (!active && !restarting) return undefined;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [active, restarting]);

  const install = (e: Event) => {
    e.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen) return;
    setError(undefined);
    // XMLHttpRequest: fetch reports no upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/update/bundle');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    for (const [name, value] of Object.entries(csrfHeader())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (p) => setUpload({ sent: p.loaded, total: p.total || chosen.size });
    xhr.onload = () => {
      setUpload(undefined);
      if (xhr.status === 202) {
        void load();
      } else {
        const body = (() => {
          try {
            return JSON.parse(xhr.responseText) as { error?: string };
          } catch {
            return {};
          }
        })();
        setError(body.error ?? t('updates.failedUpload', { status: String(xhr.status) }));
      }
    };
    xhr.onerror = () => {
      setUpload(undefined);
      setError(t('updates.failedUpload', { status: 'network' }));
    };
    xhr.send(chosen);
  };

  return (
    <Card title={t('updates.title')}>
      {info && (
        <p data-testid="update-version">{t('updates.running', { version: info.progress.currentVersion })}</p>
      )}
      {info && !info.available && <p class="muted">{t('updates.unavailable')}</p>}
      <p role="status" aria-live="polite" data-testid="update-status">
        {restarting ? t('updates.restarting') : info ? describe(info.progress, t) : ''}
      </p>
      {upload && <Progress label={t('updates.uploading')} done={upload.sent} total={upload.total} />}
      {info?.progress.state === 'downloading' && (
        <Progress
          label={t('updates.downloading')}
          done={info.progress.receivedBytes}
          total={info.progress.totalBytes}
        />
      )}
      {info?.available && (
        <form onSubmit={install}>
          <label>
            {t('updates.file')}
            <input
              type="file"
              accept=".bundle"
              ref={file}
              data-testid="update-file"
              disabled={active || !!upload}
            />
          </label>
          <button type="submit" disabled={active || !!upload} data-testid="update-install">
            {t('updates.install')}
          </button>
        </form>
      )}
      <ErrorText message={error} />
    </Card>
  );
}

function Progress(props: { label: string; done: number; total: number }) {
  const percent = props.total > 0 ? Math.round((props.done / props.total) * 100) : 0;
  return (
    <div>
      <span>{props.label}</span>{' '}
      <progress
        max={100}
        value={percent}
        role="progressbar"
        aria-label={props.label}
        aria-valuenow={percent}
        aria-valuemin={0}
        aria-valuemax={100}
      />{' '}
      <small>
        {(props.done / 1e6).toFixed(1)} / {(props.total / 1e6).toFixed(1)} MB
      </small>
    </div>
  );
}

type Translate = ReturnType<typeof useI18n>['t'];

function describe(p: UpdateProgressView, t: Translate): string {
  const when = 'updatedAtMs' in p ? new Date(p.updatedAtMs).toLocaleString() : '';
  switch (p.state) {
    case 'idle':
      return t('updates.idle');
    case 'downloading':
      return t('updates.downloading');
    case 'download-failed':
      return t('updates.downloadFailed', { reason: p.reason });
    case 'waiting':
      return t('updates.waiting');
    case 'queued':
    case 'verifying':
      return t('updates.verifying');
    case 'installing':
      return t('updates.installing', { step: p.step ?? '' });
    case 'installed':
      return t('updates.installed', { version: p.version ?? '', from: p.fromVersion ?? '', when });
    case 'rolled-back':
      return t('updates.rolledBack', { version: p.version ?? '', reason: p.reason ?? '', when });
    case 'refused':
      return t('updates.refused', { reason: p.reason ?? p.code ?? '', when });
    case 'failed':
      return t('updates.failed', { reason: p.reason ?? '', when });
  }
}
