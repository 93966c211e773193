import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeviceView } from '../../../src/api/contract.js';
import { api, type Feed } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';
import { DeviceControls, DeviceFigures, kindName, useDeviceMessages } from './device-state.js';
import type { ScheduleCards as ScheduleCardsType } from './schedule-editor.js';

type ScheduleCardsPart = typeof ScheduleCardsType;

/**
 * The schedule and its plan, loaded when a switchable device's page opens (not through
 * lazy.tsx: sharing it with this chunk would split it out of the dashboard's script).
 */
function ScheduleCards(props: { device: DeviceView; isAdmin: boolean }) {
  const [Part, setPart] = useState<{ Cards: ScheduleCardsPart }>();
  useEffect(() => {
    void import('./schedule-editor.js').then((m) => setPart({ Cards: m.ScheduleCards }));
  }, []);
  return Part ? <Part.Cards {...props} /> : null;
}

/** One device: its state and controls, its feeds (to the history page), name and room, delete. */
export function DeviceDetail(props: {
  device: DeviceView | undefined;
  loaded: boolean;
  isAdmin: boolean;
  error: string | undefined;
}) {
  const { t: tApp } = useI18n();
  const { t } = useDeviceMessages();
  const { device } = props;
  return (
    <main class="dashboard devices">
      <p>
        <a href="#/devices">← {t('detail.all')}</a>
      </p>
      <h1>{device?.name ?? t('devices.title')}</h1>
      <ErrorText message={props.error} />
      {props.loaded && !device && <p class="empty">{t('detail.missing')}</p>}
      {device && (
        <div class="cards">
          <Card title={t('detail.state')}>
            <p class="muted">
              {device.room ?? t('devices.noRoom')} · {kindName(tApp, device.kind)}
            </p>
            <DeviceFigures device={device} />
            <DeviceControls device={device} isAdmin={props.isAdmin} />
            <dl class="keys">
              <dt>{t('detail.topic')}</dt>
              <dd>
                <code>{device.topicName}</code>
              </dd>
              {props.isAdmin && [
                <dt>{t('detail.login')}</dt>,
                <dd>
                  <code>{device.mqttUsername}</code>
                </dd>,
              ]}
            </dl>
          </Card>
          {device.capabilities.includes('switch') && (
            <ScheduleCards device={device} isAdmin={props.isAdmin} />
          )}
          <DeviceFeeds feedIds={device.feedIds} />
          {props.isAdmin && <EditDevice device={device} />}
          {props.isAdmin && <DeleteDevice device={device} />}
        </div>
      )}
    </main>
  );
}

function DeviceFeeds(props: { feedIds: number[] }) {
  const { t } = useDeviceMessages();
  const [feeds, setFeeds] = useState<Feed[]>();
  useEffect(() => {
    if (props.feedIds.length) void api.feeds().then(setFeeds, () => setFeeds([]));
  }, [props.feedIds.join()]);
  const named = new Map(feeds?.map((f) => [f.id, f]));
  return (
    <Card title={t('detail.feeds')}>
      {props.feedIds.length === 0 ? (
        <p class="empty">{t('detail.noFeeds')}</p>
      ) : (
        <ul class="feeds">
          {props.feedIds.map((id) => {
            const feed = named.get(id);
            return (
              <li>
                <a href={`#/history/${id}`}>
                  {feed ? `${feed.name}${feed.unit ? ` (${feed.unit})` : ''}` : `#${id}`}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function EditDevice(props: { device: DeviceView }) {
  const { t } = useDeviceMessages();
  const [name, setName] = useState(props.device.name);
  const [room, setRoom] = useState(props.device.room ?? '');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string>();
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    setError(undefined);
    try {
      await api.updateDevice(props.device.id, { name: name.trim(), room: room.trim() || null });
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <Card title={t('detail.edit')}>
      <form class="inline-form" onSubmit={save}>
        <label>
          {t('detail.name')}
          <input value={name} required maxLength={64} onInput={value(setName)} />
        </label>
        <label>
          {t('detail.room')}
          <input value={room} maxLength={64} onInput={value(setRoom)} />
        </label>
        <button type="submit">{t('detail.save')}</button>
      </form>
      <p role="status">{saved ? t('detail.saved') : ''}</p>
      {error && <ErrorText message={error} />}
    </Card>
  );
}

function DeleteDevice(props: { device: DeviceView }) {
  const { t } = useDeviceMessages();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);
  // The question takes the focus, on its safe answer: a stray Enter does not delete.
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);
  const remove = async () => {
    setError(undefined);
    try {
      await api.deleteDevice(props.device.id);
      location.hash = '#/devices';
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('detail.delete')}>
      {asking ? (
        <div role="alertdialog" aria-modal="false" aria-labelledby="delete-question" class="confirm">
          <p id="delete-question">{t('detail.deleteConfirm', { name: props.device.name })}</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void remove()}>
              {t('detail.deleteYes', { name: props.device.name })}
            </button>
            <button type="button" class="secondary" ref={cancel} onClick={() => setAsking(false)}>
              {t('detail.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          {t('detail.delete')}
        </button>
      )}
      {error && <ErrorText message={error} />}
    </Card>
  );
}
