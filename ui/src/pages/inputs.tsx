import { useEffect, useState } from 'preact/hooks';
import type { InputJson, ProcessInfo, ProcessStepJson } from '../../../src/api/contract.js';
import { api, type Feed } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { formatNumber, formatTime, useI18n } from '../i18n.js';
import type { LiveConnection } from '../live.js';
import { ProcessEditor } from './process-editor.js';

/** Administrators: inputs grouped by node with live values, their process lists, and feeds. */
export function InputsPage(props: { live: LiveConnection }) {
  const { t, locale } = useI18n();
  const [inputs, setInputs] = useState<InputJson[]>([]);
  const [feeds, setFeeds] = useState<Feed[]>([]);
  const [processes, setProcesses] = useState<ProcessInfo[]>([]);
  const [editing, setEditing] = useState<number>();
  const [error, setError] = useState<string>();

  const reload = async () => {
    const [i, f, p] = await Promise.all([api.inputs(), api.feeds(), api.processes()]);
    setInputs(i);
    setFeeds(f);
    setProcesses(p);
    return i;
  };

  useEffect(() => {
    let stop = () => undefined as unknown;
    reload()
      .then((loaded) => {
        stop = props.live.subscribe(
          [],
          loaded.map((i) => i.id),
          (kind, v) => {
            if (kind !== 'input') return;
            setInputs((all) =>
              all.map((i) => (i.id === v.id ? { ...i, timeS: v.timeS, value: v.value } : i)),
            );
          },
        );
      })
      .catch((err: Error) => setError(err.message));
    return () => stop();
  }, [props.live]);

  const save = async (inputId: number, steps: ProcessStepJson[]) => {
    const updated = await api.setProcessList(inputId, steps);
    setInputs((all) => all.map((i) => (i.id === inputId ? updated : i)));
    setEditing(undefined);
  };

  const nodes = [...new Set(inputs.map((i) => i.node))];
  const label = (step: ProcessStepJson) => {
    const p = processes.find((x) => x.id === step.id);
    const arg = p?.argType === 'feed' ? feeds.find((f) => f.id === step.arg)?.name : step.arg;
    return `${p?.label ?? step.id}${arg === undefined ? '' : ` ${arg}`}`;
  };

  return (
    <main class="dashboard" aria-labelledby="inputs-title">
      <h1 id="inputs-title">{t('inputs.title')}</h1>
      <ErrorText message={error} />
      {nodes.length === 0 && <p class="empty">{t('inputs.none')}</p>}
      {nodes.map((node) => (
        <Card title={t('inputs.node', { node })}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('inputs.name')}</th>
                <th scope="col">{t('inputs.value')}</th>
                <th scope="col">{t('inputs.time')}</th>
                <th scope="col">{t('inputs.process')}</th>
              </tr>
            </thead>
            <tbody>
              {inputs
                .filter((i) => i.node === node)
                .map((i) => (
                  <>
                    <tr data-input={`${i.node}/${i.name}`}>
                      <th scope="row">{i.name}</th>
                      <td class="num">{i.value === null ? '–' : formatNumber(locale, i.value, 2)}</td>
                      <td>{i.timeS === null ? '–' : formatTime(locale, i.timeS)}</td>
                      <td>
                        {i.processList.map(label).join(' → ') || '–'}{' '}
                        <button type="button" class="secondary small" onClick={() => setEditing(i.id)}>
                          {t('inputs.edit', { name: i.name })}
                        </button>
                      </td>
                    </tr>
                    {editing === i.id && (
                      <tr>
                        <td colSpan={4}>
                          <ProcessEditor
                            input={i}
                            inputs={inputs}
                            feeds={feeds}
                            processes={processes}
                            onSave={(steps) => save(i.id, steps)}
                            onCancel={() => setEditing(undefined)}
                          />
                        </td>
                      </tr>
                    )}
                  </>
                ))}
            </tbody>
          </table>
        </Card>
      ))}
      <FeedsCard feeds={feeds} onCreated={() => void reload()} />
      <TemplateCard nodes={nodes} onApplied={() => void reload()} />
    </main>
  );
}

function FeedsCard(props: { feeds: Feed[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [intervalS, setIntervalS] = useState('10');
  const [unit, setUnit] = useState('W');
  const [error, setError] = useState<string>();
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.createFeed({ name, intervalS: Number(intervalS), unit });
      setName('');
      props.onCreated();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('feeds.title')}>
      {props.feeds.length === 0 ? (
        <p class="empty">{t('feeds.none')}</p>
      ) : (
        <ul class="feeds">
          {props.feeds.map((f) => (
            <li data-feed={f.name}>
              {f.tag ? `${f.tag}: ` : ''}
              {f.name}{' '}
              <small>
                ({f.unit || '–'}, {f.intervalS} s)
              </small>
            </li>
          ))}
        </ul>
      )}
      <form class="inline-form" onSubmit={create}>
        <label>
          {t('feeds.name')}
          <input
            value={name}
            required
            maxLength={64}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('feeds.interval')}
          <select value={intervalS} onChange={(e) => setIntervalS((e.target as HTMLSelectElement).value)}>
            {[5, 10, 30, 60, 300, 600, 1800, 3600].map((s) => (
              <option value={String(s)}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          {t('feeds.unit')}
          <input value={unit} maxLength={10} onInput={(e) => setUnit((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t('feeds.create')}</button>
      </form>
      <ErrorText message={error} />
    </Card>
  );
}

/** Applies a device template to a node: its feeds, inputs and process lists in one step. */
function TemplateCard(props: { nodes: string[]; onApplied: () => void }) {
  const { t } = useI18n();
  const [templates, setTemplates] = useState<{ id: string; name: string }[]>([]);
  const [template, setTemplate] = useState('');
  const [node, setNode] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  useEffect(() => {
    api.templates().then(
      (list) => {
        setTemplates(list);
        setTemplate(list[0]?.id ?? '');
      },
      (err: Error) => setError(err.message),
    );
  }, []);
  const apply = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    try {
      await api.applyTemplate(template, node);
      setDone(true);
      props.onApplied();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('templates.title')}>
      <form class="inline-form" onSubmit={apply}>
        <div class="field">
          <label for="template-id">{t('templates.template')}</label>
          <select
            id="template-id"
            value={template}
            onChange={(e) => setTemplate((e.target as HTMLSelectElement).value)}
          >
            {templates.map((x) => (
              <option value={x.id}>{x.name}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="template-node">{t('templates.node')}</label>
          <input
            id="template-node"
            list="known-nodes"
            value={node}
            required
            onInput={(e) => setNode((e.target as HTMLInputElement).value)}
          />
          <datalist id="known-nodes">
            {props.nodes.map((n) => (
              <option value={n} />
            ))}
          </datalist>
        </div>
        <button type="submit">{t('templates.apply')}</button>
        {done && <span role="status">{t('inputs.saved')}</span>}
      </form>
      <ErrorText message={error} />
    </Card>
  );
}
