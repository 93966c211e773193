import { z } from 'zod';
import { processByKey } from './process-catalog.js';
import emonpiSolarPv1 from './templates/emonpi-solar-pv-1.json' with { type: 'json' };
import emontx4 from './templates/emontx4.json' with { type: 'json' };
import openevse from './templates/openevse.json' with { type: 'json' };
import shelly from './templates/shelly.json' with { type: 'json' };
import smartplug from './templates/smartplug.json' with { type: 'json' };
import tasmota from './templates/tasmota.json' with { type: 'json' };

// Device templates (auto-configuration): declarative JSON in ./templates, written from the facts in
// reference/emoncms.md §5. A step names a process and at most one argument: a feed of the same
// template, an input of the same node, a number or an MQTT topic.

const name = z.string().regex(/^[\p{L}\p{N}_. -]{1,64}$/u, 'letters, digits, " ", "_", "-", "." (1 to 64)');
const step = z.strictObject({
  process: z.string(),
  feed: name.optional(),
  input: name.optional(),
  value: z.number().optional(),
  text: z.string().min(1).optional(),
});
export const templateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  name: z.string().min(1),
  description: z.string(),
  /** What a node's `describe` says when this template fits it. */
  describe: z.array(z.string().min(1)),
  feeds: z.array(z.strictObject({ name, unit: z.string().max(10), intervalS: z.number().int().positive() })),
  inputs: z.array(z.strictObject({ name, description: z.string().max(128), process: z.array(step) })),
});

export type DeviceTemplate = z.infer<typeof templateSchema>;
export type TemplateStep = DeviceTemplate['inputs'][number]['process'][number];

/** Checks a template beyond its shape: known processes, the right argument for each, names that resolve. */
export function templateProblems(t: DeviceTemplate): string[] {
  const feeds = new Set(t.feeds.map((f) => f.name));
  const inputs = new Set(t.inputs.map((i) => i.name));
  const problems: string[] = [];
  for (const input of t.inputs)
    for (const [i, s] of input.process.entries()) {
      const where = `${t.id}: input ${input.name}, step ${i + 1}`;
      const def = processByKey(s.process);
      if (!def) {
        problems.push(`${where}: unknown process ${s.process}`);
        continue;
      }
      const given = (['feed', 'input', 'value', 'text'] as const).filter((k) => s[k] !== undefined);
      const want = def.argType === 'none' ? [] : [def.argType];
      if (given.join() !== want.join())
        problems.push(`${where}: ${def.name} takes ${want[0] ?? 'no argument'}`);
      if (s.feed !== undefined && !feeds.has(s.feed)) problems.push(`${where}: no feed ${s.feed}`);
      if (s.input !== undefined && !inputs.has(s.input)) problems.push(`${where}: no input ${s.input}`);
    }
  return problems;
}

function load(json: unknown): DeviceTemplate {
  const t = templateSchema.parse(json);
  const problems = templateProblems(t);
  if (problems.length) throw new Error(`device template: ${problems.join('; ')}`);
  return t;
}

export const TEMPLATES: readonly DeviceTemplate[] = [
  emonpiSolarPv1,
  emontx4,
  openevse,
  smartplug,
  // Driven devices (issue 13): applied by the device readings runner, not by `describe`.
  tasmota,
  shelly,
].map(load);

export function templateById(id: string): DeviceTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** The template for what a node says it is (`emon/<node>/describe`), if the hub has one. */
export function templateForDescribe(type: string): DeviceTemplate | undefined {
  const wanted = type.trim().toLowerCase();
  return TEMPLATES.find((t) => t.describe.includes(wanted));
}
