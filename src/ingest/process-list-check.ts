import { PROCESSES } from './process-catalog.js';
import type { ProcessStep } from './process-types.js';
import { parsed, refused, type Parsed } from './readings.js';

export interface StepTargets {
  feedExists(id: number): boolean;
  inputExists(id: number): boolean;
  /** The ingest base topic: publishing under it would feed the value back in (a loop). */
  ingestBaseTopic: string;
}

const MAX_STEPS = 64;

/**
 * Checks a process list a person sent ({id, arg} steps): known processes, arguments of the right
 * type, feeds and inputs that exist, MQTT topics without wildcards.
 */
export function checkSteps(value: unknown, targets: StepTargets): Parsed<ProcessStep[]> {
  if (!Array.isArray(value)) return refused('the process list must be a list of {id, arg} steps');
  if (value.length > MAX_STEPS) return refused(`a process list has at most ${MAX_STEPS} steps`);
  const steps: ProcessStep[] = [];
  for (const [i, raw] of value.entries()) {
    const step = raw as { id?: unknown; arg?: unknown } | null;
    const def = typeof step?.id === 'number' ? PROCESSES.get(step.id) : undefined;
    if (!step || !def) return refused(`step ${i + 1}: unknown process ${JSON.stringify(step?.id)}`);
    const problem = argProblem(def.argType, step.arg, targets);
    if (problem) return refused(`step ${i + 1} (${def.name}): ${problem}`);
    steps.push(def.argType === 'none' ? { id: def.id } : { id: def.id, arg: step.arg as number | string });
  }
  return parsed(steps);
}

function argProblem(type: string, arg: unknown, targets: StepTargets): string | undefined {
  switch (type) {
    case 'none':
      return undefined;
    case 'value':
      return typeof arg === 'number' && Number.isFinite(arg) ? undefined : 'the argument must be a number';
    case 'text':
      if (
        typeof arg !== 'string' ||
        arg.length === 0 ||
        arg.length > 256 ||
        /[#+]/.test(arg) ||
        arg.includes('\0')
      )
        return 'the argument must be an MQTT topic without wildcards';
      if (arg.startsWith('$')) return 'topics starting with $ belong to the broker';
      if (arg === targets.ingestBaseTopic || arg.startsWith(`${targets.ingestBaseTopic}/`))
        return `publishing under ${targets.ingestBaseTopic}/ would feed the value back into the inputs`;
      return undefined;
    case 'feed':
      return Number.isInteger(arg) && targets.feedExists(arg as number)
        ? undefined
        : `feed ${String(arg)} does not exist`;
    case 'input':
      return Number.isInteger(arg) && targets.inputExists(arg as number)
        ? undefined
        : `input ${String(arg)} does not exist`;
    default:
      return `unknown argument type ${type}`;
  }
}
