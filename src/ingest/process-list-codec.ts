import { processByKey } from './process-catalog.js';
import type { ProcessStep } from './process-types.js';
import { parsed, refused, type Parsed } from './readings.js';

// emoncms's two spellings of a process list: the stored string "1:5,2:0.001" (ids, or
// "process__name" keys) and the set API's JSON [{"fn":"process__log_to_feed","args":["5"]}].

const ERROR_FLAG = 'process__error_found:0';

/** The stored string as emoncms writes it; a stopped list starts with emoncms's error marker. */
export function encodeProcessList(steps: readonly ProcessStep[], error: string | null): string {
  const body = steps.map((s) => (s.arg === undefined ? `${s.id}:0` : `${s.id}:${s.arg}`)).join(',');
  return error ? (body ? `${ERROR_FLAG},${body}` : ERROR_FLAG) : body;
}

/**
 * Reads `input/process/set`'s `processlist`: the JSON form, or the string form older clients send.
 * Arguments are typed by the process (number for feed, input and value; text for topics);
 * whether feeds and inputs exist is checked by process-list-check.
 */
export function decodeProcessListParam(text: string): Parsed<ProcessStep[]> {
  const trimmed = text.trim();
  if (trimmed === '') return parsed([]);
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return refused('Error decoding JSON processlist');
    }
    if (!Array.isArray(json)) return refused('Error decoding JSON processlist');
    return collect(
      json.map((item: { fn?: unknown; args?: unknown } | null) => {
        const args: unknown[] = Array.isArray(item?.args) ? item.args : [];
        return [String(item?.fn ?? ''), args[0] === undefined ? undefined : String(args[0])] as const;
      }),
    );
  }
  return collect(
    trimmed.split(',').map((pair) => {
      const [key = '', ...args] = pair.split(':');
      return [key, args.length ? args.join(':') : undefined] as const;
    }),
  );
}

function collect(pairs: readonly (readonly [string, string | undefined])[]): Parsed<ProcessStep[]> {
  const steps: ProcessStep[] = [];
  for (const [key, arg] of pairs) {
    if (key === ERROR_FLAG.split(':')[0]) continue; // setting a list clears emoncms's error marker
    const def = processByKey(key);
    if (!def) return refused(`Process ${key} does not exist`);
    if (def.argType === 'none') {
      steps.push({ id: def.id });
      continue;
    }
    if (arg === undefined || arg === '') return refused(`Process ${def.name}: missing argument`);
    if (def.argType === 'text') {
      steps.push({ id: def.id, arg });
      continue;
    }
    const value = Number(arg);
    if (!Number.isFinite(value)) return refused(`Process ${def.name}: argument ${arg} is not a number`);
    steps.push({ id: def.id, arg: value });
  }
  return parsed(steps);
}
