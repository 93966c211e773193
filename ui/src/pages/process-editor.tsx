import { useState } from 'preact/hooks';
import type { InputJson, ProcessInfo, ProcessStepJson } from '../../../src/api/contract.js';
import type { Feed } from '../api.js';
import { ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';

/** Edits one input's process list: add, remove, reorder steps; arguments chosen from feeds and inputs. */
export function ProcessEditor(props: {
  input: InputJson;
  inputs: InputJson[];
  feeds: Feed[];
  processes: ProcessInfo[];
  onSave: (steps: ProcessStepJson[]) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [steps, setSteps] = useState<ProcessStepJson[]>(props.input.processList);
  const [error, setError] = useState<string>();
  const defaultArg = (p: ProcessInfo | undefined): number | string | undefined =>
    p?.argType === 'feed'
      ? props.feeds[0]?.id
      : p?.argType === 'input'
        ? props.inputs[0]?.id
        : p?.argType === 'value'
          ? 1
          : p?.argType === 'text'
            ? ''
            : undefined;
  const update = (i: number, step: ProcessStepJson) => setSteps(steps.map((s, k) => (k === i ? step : s)));
  const save = async () => {
    setError(undefined);
    try {
      await props.onSave(steps);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div class="process-editor" role="group" aria-label={t('inputs.edit', { name: props.input.name })}>
      <ol>
        {steps.map((step, i) => {
          const p = props.processes.find((x) => x.id === step.id);
          const stepLabel = t('inputs.step', { n: i + 1 });
          return (
            <li>
              <select
                aria-label={stepLabel}
                value={String(step.id)}
                onChange={(e) => {
                  const next = props.processes.find(
                    (x) => x.id === Number((e.target as HTMLSelectElement).value),
                  );
                  update(i, { id: next!.id, arg: defaultArg(next) });
                }}
              >
                {props.processes.map((x) => (
                  <option value={String(x.id)}>{x.label}</option>
                ))}
              </select>
              <ArgumentField
                step={step}
                process={p}
                feeds={props.feeds}
                inputs={props.inputs}
                label={`${stepLabel}: ${t('inputs.argument')}`}
                onChange={(arg) => update(i, { ...step, arg })}
              />
              <button
                type="button"
                class="secondary small"
                disabled={i === 0}
                onClick={() => setSteps(swap(steps, i))}
              >
                {t('inputs.up')}
              </button>
              <button
                type="button"
                class="secondary small"
                disabled={i === steps.length - 1}
                onClick={() => setSteps(swap(steps, i + 1))}
              >
                {t('inputs.down')}
              </button>
              <button
                type="button"
                class="secondary small"
                onClick={() => setSteps(steps.filter((_s, k) => k !== i))}
              >
                {t('inputs.remove')}
              </button>
            </li>
          );
        })}
      </ol>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const first = props.processes[0];
            if (first) setSteps([...steps, { id: first.id, arg: defaultArg(first) }]);
          }}
        >
          {t('inputs.addStep')}
        </button>
        <button type="button" onClick={() => void save()}>
          {t('inputs.save')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('inputs.cancel')}
        </button>
      </div>
      <ErrorText message={error} />
    </div>
  );
}

function ArgumentField(props: {
  step: ProcessStepJson;
  process: ProcessInfo | undefined;
  feeds: Feed[];
  inputs: InputJson[];
  label: string;
  onChange: (arg: number | string) => void;
}) {
  const type = props.process?.argType;
  if (type === 'none' || type === undefined) return null;
  if (type === 'feed' || type === 'input') {
    const options =
      type === 'feed'
        ? props.feeds.map((f) => [f.id, f.tag ? `${f.tag}: ${f.name}` : f.name] as const)
        : props.inputs.map((i) => [i.id, `${i.node}/${i.name}`] as const);
    return (
      <select
        aria-label={props.label}
        value={String(props.step.arg ?? '')}
        onChange={(e) => props.onChange(Number((e.target as HTMLSelectElement).value))}
      >
        {options.map(([id, name]) => (
          <option value={String(id)}>{name}</option>
        ))}
      </select>
    );
  }
  return (
    <input
      aria-label={props.label}
      value={String(props.step.arg ?? '')}
      inputMode={type === 'value' ? 'decimal' : undefined}
      onInput={(e) => {
        const text = (e.target as HTMLInputElement).value;
        props.onChange(type === 'value' ? Number(text) : text);
      }}
    />
  );
}

function swap<T>(list: T[], i: number): T[] {
  const out = [...list];
  [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
  return out;
}
