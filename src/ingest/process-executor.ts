import { PROCESSES } from './process-catalog.js';
import type { ListOutcome, ProcessContext, ProcessStep } from './process-types.js';

/**
 * Flows an input's value through its list as emoncms does: each step gets the value the previous
 * one returned; "skip next" and GOTO move the cursor; a list that runs more than twice its length
 * (a GOTO loop) is stopped and reported.
 */
export function runProcessList(
  steps: readonly ProcessStep[],
  value: number | null,
  timeS: number,
  ctx: ProcessContext,
): ListOutcome {
  const initial = value;
  let executed = 0;
  for (let i = 0; i < steps.length; i++) {
    executed++;
    const step = steps[i]!;
    const def = PROCESSES.get(step.id);
    // Lists are checked when set; an id this hub no longer knows is passed over.
    const outcome = def ? def.run(step.arg, timeS, value, ctx, initial) : { value };
    value = outcome.value;
    if ('skipNext' in outcome) i++;
    else if ('goto' in outcome) i = outcome.goto - 1;
    if (executed > steps.length * 2) return { value, looped: true };
  }
  return { value, looped: false };
}
