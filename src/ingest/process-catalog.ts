import { PROCESS_FUNCTIONS } from './process-functions.js';
import type { ArgType, ProcessDef } from './process-types.js';

// The processes the hub runs, with emoncms's ids, function names, labels and argument types
// (facts: reference/emoncms.md §2.6). Ids emoncms has that are not here are refused when a list
// is set, never silently skipped.
const DEFS: [id: number, name: string, label: string, argType: ArgType][] = [
  [1, 'log_to_feed', 'Log to feed', 'feed'],
  [2, 'scale', 'x', 'value'],
  [3, 'offset', '+', 'value'],
  [4, 'power_to_kwh', 'Power to kWh', 'feed'],
  [5, 'power_to_kwhd', 'Power to kWh/d', 'feed'],
  [6, 'times_input', 'x input', 'input'],
  [7, 'input_ontime', 'Input on-time', 'feed'],
  [11, 'add_input', '+ input', 'input'],
  [12, 'divide_input', '/ input', 'input'],
  [14, 'accumulator', 'Accumulator', 'feed'],
  [21, 'kwh_to_power', 'kWh to Power', 'feed'],
  [22, 'subtract_input', '- input', 'input'],
  [24, 'allowpositive', 'Allow positive', 'none'],
  [25, 'allownegative', 'Allow negative', 'none'],
  [26, 'signed2unsigned', 'Signed to unsigned', 'none'],
  [27, 'max_value', 'Max daily value', 'feed'],
  [28, 'min_value', 'Min daily value', 'feed'],
  [33, 'reset2zero', 'Reset to ZERO', 'none'],
  [34, 'wh_accumulator', 'Wh Accumulator', 'feed'],
  [35, 'publish_to_mqtt', 'Publish to MQTT', 'text'],
  [36, 'reset2null', 'Reset to NULL', 'none'],
  [37, 'reset2original', 'Reset to Original', 'none'],
  [42, 'if_zero_skip', 'If ZERO, skip next', 'none'],
  [43, 'if_not_zero_skip', 'If !ZERO, skip next', 'none'],
  [44, 'if_null_skip', 'If NULL, skip next', 'none'],
  [45, 'if_not_null_skip', 'If !NULL, skip next', 'none'],
  [46, 'if_gt_skip', 'If >, skip next', 'value'],
  [47, 'if_gt_equal_skip', 'If >=, skip next', 'value'],
  [48, 'if_lt_skip', 'If <, skip next', 'value'],
  [49, 'if_lt_equal_skip', 'If <=, skip next', 'value'],
  [50, 'if_equal_skip', 'If =, skip next', 'value'],
  [51, 'if_not_equal_skip', 'If !=, skip next', 'value'],
  [52, 'goto_process', 'GOTO', 'value'],
  [61, 'max_value_allowed', 'Max value allowed', 'value'],
  [62, 'min_value_allowed', 'Min value allowed', 'value'],
  [63, 'abs_value', 'Absolute value', 'none'],
  [64, 'kwh_accumulator', 'kWh Accumulator', 'feed'],
  [65, 'log_to_feed_join', 'Log to feed (Join)', 'feed'],
];

export const PROCESSES: ReadonlyMap<number, ProcessDef> = new Map(
  DEFS.map(([id, name, label, argType]) => {
    const run = PROCESS_FUNCTIONS.get(id);
    if (!run) throw new Error(`process ${id} (${name}) has no function`);
    return [id, { id, name, key: `process__${name}`, label, argType, run }];
  }),
);

const BY_NAME = new Map([...PROCESSES.values()].flatMap((p) => [[p.name, p] as const, [p.key, p] as const]));

/** A process by emoncms key ("process__log_to_feed"), function name ("log_to_feed") or id ("1"). */
export function processByKey(key: string): ProcessDef | undefined {
  return /^\d+$/.test(key) ? PROCESSES.get(Number(key)) : BY_NAME.get(key);
}
