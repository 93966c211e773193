import { useEffect, useState } from 'preact/hooks';
import type { DevicePlanJson, DeviceScheduleJson, DeviceView } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { hubToday } from '../i18n.js';
import {
  formFromSchedule,
  MAX_TIMER_PERIODS,
  scheduleFromForm,
  toggleDay,
  WEEKDAYS_MONDAY_FIRST,
  type FormMode,
  type ScheduleForm,
} from '../schedule-model.js';
import { PlanView, useSchedulerMessages } from './plan-chart.js';
import { ScheduleText } from './schedule-text.js';

// A device's schedule (issue 14 item 9): admins edit it (mode, ready by, run for, may pause,
// weekdays like an alarm clock, or once; a charger's energy; timer times), viewers read it; and
// its plan drawn on the signal with the cost against running it now.

const MODES: FormMode[] = ['manual', 'smart', 'timer', 'on', 'off'];
const PLAN_REFRESH_MS = 60_000;

const todayIso = () => {
  const d = hubToday();
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
};

export function ScheduleCards(props: { device: DeviceView; isAdmin: boolean }) {
  const { t } = useSchedulerMessages();
  const { device } = props;
  const [stored, setStored] = useState<DeviceScheduleJson>();
  const [plan, setPlan] = useState<DevicePlanJson | null>();
  const [error, setError] = useState<string>();
  const loadPlan = () =>
    api.plan(device.id).then(
      (p) => setPlan(p),
      (err: Error) => setError(err.message),
    );
  useEffect(() => {
    api.schedule(device.id).then(setStored, (err: Error) => setError(err.message));
  }, [device.id]);
  // A report from the device (a switch by hand pauses the schedule) may change the plan; the hub
  // also plans again on a new signal and every 15 min, which no message announces: asked again.
  useEffect(() => void loadPlan(), [device.id, device.state.relays.join(), device.state.online]);
  useEffect(() => {
    const timer = setInterval(() => void loadPlan(), PLAN_REFRESH_MS);
    return () => clearInterval(timer);
  }, [device.id]);
  const saved = (next: DeviceScheduleJson) => {
    setStored(next);
    void loadPlan();
  };
  const smart = stored?.schedule?.mode === 'smart';
  return (
    <>
      <Card title={t('schedule.title')}>
        {error && <ErrorText message={error} />}
        {stored &&
          (props.isAdmin ? (
            <ScheduleEditor device={device} stored={stored} onSaved={saved} />
          ) : (
            <ScheduleText schedule={stored.schedule} />
          ))}
      </Card>
      {stored && (
        <section class="card wide" aria-label={t('plan.title')}>
          <h2>{t('plan.title')}</h2>
          <PlanView view={plan ?? null} smart={smart} nowS={Math.floor(Date.now() / 1000)} />
        </section>
      )}
    </>
  );
}

function ScheduleEditor(props: {
  device: DeviceView;
  stored: DeviceScheduleJson;
  onSaved: (next: DeviceScheduleJson) => void;
}) {
  const { t } = useSchedulerMessages();
  const isCharger = props.device.kind === 'openevse';
  const [form, setForm] = useState<ScheduleForm>(() => formFromSchedule(props.stored.schedule, todayIso()));
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<string>();
  const set = (change: Partial<ScheduleForm>) => {
    setStatus('');
    setForm({ ...form, ...change });
  };
  const text = (key: keyof ScheduleForm) => (e: Event) =>
    set({ [key]: (e.target as HTMLInputElement).value });
  const id = (name: string) => `schedule-${props.device.id}-${name}`;
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setStatus('');
    const made = scheduleFromForm(form, isCharger);
    if ('problem' in made) return setError(t(`problem.${made.problem}`));
    try {
      if (made.schedule === null) {
        await api.clearSchedule(props.device.id);
        props.onSaved({ deviceId: props.device.id, schedule: null, updatedAtMs: null });
        setStatus(t('schedule.cleared'));
      } else {
        props.onSaved(await api.setSchedule(props.device.id, made.schedule));
        setStatus(t('schedule.saved'));
      }
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="schedule-form" onSubmit={save}>
      <fieldset>
        <legend>{t('schedule.mode')}</legend>
        {MODES.map((mode) => (
          <label class="choice">
            <input
              type="radio"
              name={id('mode')}
              value={mode}
              checked={form.mode === mode}
              onChange={() => set({ mode })}
            />
            {t(`schedule.mode.${mode}`)}
          </label>
        ))}
      </fieldset>
      {form.mode === 'smart' && (
        <div class="schedule-fields">
          <label>
            {t('schedule.readyBy')}
            <input type="time" required value={form.readyBy} onInput={text('readyBy')} />
          </label>
          <fieldset class="run-for">
            <legend>{t('schedule.runFor')}</legend>
            <label>
              {t('schedule.hours')}
              <input
                type="number"
                min={0}
                max={24}
                step={1}
                value={form.runHours}
                onInput={text('runHours')}
              />
            </label>
            <label>
              {t('schedule.minutes')}
              <input
                type="number"
                min={0}
                max={59}
                step={1}
                value={form.runMinutes}
                onInput={text('runMinutes')}
              />
            </label>
          </fieldset>
          {isCharger && (
            <label>
              {t('schedule.energy')}
              <input inputMode="decimal" value={form.energyKWh} onInput={text('energyKWh')} />
              <small class="muted">{t('schedule.energyHint')}</small>
            </label>
          )}
          <label>
            {t('schedule.powerW')}
            <input inputMode="numeric" value={form.powerW} onInput={text('powerW')} />
            <small class="muted">{t('schedule.powerHint')}</small>
          </label>
          {isCharger && (
            <fieldset class="inline">
              <legend>{t('schedule.range')}</legend>
              <label>
                {t('schedule.rangeKm')}
                <input inputMode="decimal" value={form.rangeKm} onInput={text('rangeKm')} />
              </label>
              <label>
                {t('schedule.whPerKm')}
                <input inputMode="decimal" value={form.whPerKm} onInput={text('whPerKm')} />
              </label>
            </fieldset>
          )}
          <label class="choice">
            <input
              type="checkbox"
              checked={form.interruptible}
              onChange={(e) => set({ interruptible: (e.target as HTMLInputElement).checked })}
            />
            {t('schedule.mayPause')}
          </label>
          {form.interruptible && (
            <div class="inline-fields">
              <label>
                {t('schedule.minOn')}
                <input
                  type="number"
                  min={0}
                  max={720}
                  value={form.minOnMinutes}
                  onInput={text('minOnMinutes')}
                />
              </label>
              <label>
                {t('schedule.minGap')}
                <input
                  type="number"
                  min={0}
                  max={720}
                  value={form.minGapMinutes}
                  onInput={text('minGapMinutes')}
                />
              </label>
            </div>
          )}
          <label class="choice">
            <input
              type="checkbox"
              checked={form.once}
              onChange={(e) => set({ once: (e.target as HTMLInputElement).checked })}
            />
            {t('schedule.once')}
          </label>
          {form.once ? (
            <label>
              {t('schedule.onceDate')}
              <input type="date" required value={form.onceDate} onInput={text('onceDate')} />
            </label>
          ) : (
            <DayChips
              legend={t('schedule.repeat')}
              days={form.repeat}
              onChange={(repeat) => set({ repeat })}
            />
          )}
        </div>
      )}
      {form.mode === 'timer' && (
        <div class="schedule-fields">
          <fieldset>
            <legend>{t('schedule.periods')}</legend>
            {form.periods.map((p, i) => {
              const change = (key: 'start' | 'stop') => (e: Event) =>
                set({
                  periods: form.periods.map((q, j) =>
                    j === i ? { ...q, [key]: (e.target as HTMLInputElement).value } : q,
                  ),
                });
              return (
                <div class="inline-fields">
                  <label>
                    {t('schedule.start')}
                    <input type="time" required value={p.start} onInput={change('start')} />
                  </label>
                  <label>
                    {t('schedule.stop')}
                    <input type="time" required value={p.stop} onInput={change('stop')} />
                  </label>
                  {form.periods.length > 1 && (
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() => set({ periods: form.periods.filter((_q, j) => j !== i) })}
                    >
                      {t('schedule.removePeriod', { start: p.start, stop: p.stop })}
                    </button>
                  )}
                </div>
              );
            })}
            {form.periods.length < MAX_TIMER_PERIODS && (
              <button
                type="button"
                class="secondary small"
                onClick={() => set({ periods: [...form.periods, { start: '12:00', stop: '13:00' }] })}
              >
                {t('schedule.addPeriod')}
              </button>
            )}
          </fieldset>
          <DayChips
            legend={t('schedule.repeat')}
            days={form.timerRepeat}
            onChange={(timerRepeat) => set({ timerRepeat })}
          />
        </div>
      )}
      <div class="actions">
        <button type="submit">{t('schedule.save')}</button>
      </div>
      <p role="status">{status}</p>
      <ErrorText message={error} />
    </form>
  );
}

/** Weekdays as an alarm clock has them: Monday first, each a toggle button read as pressed or not. */
function DayChips(props: { legend: string; days: number[]; onChange: (days: number[]) => void }) {
  const { t } = useSchedulerMessages();
  return (
    <fieldset class="day-chips">
      <legend>{props.legend}</legend>
      {WEEKDAYS_MONDAY_FIRST.map((day) => (
        <button
          type="button"
          class="chip"
          aria-pressed={props.days.includes(day) ? 'true' : 'false'}
          onClick={() => props.onChange(toggleDay(props.days, day))}
        >
          <span aria-hidden="true">{t(`dayShort.${day}`)}</span>
          <span class="visually-hidden">{t(`day.${day}`)}</span>
        </button>
      ))}
    </fieldset>
  );
}
