import { processByKey } from './process-catalog.js';
import type { ProcessStep } from './process-types.js';
import type { DeviceTemplate } from './template-catalog.js';

export interface ExistingFeed {
  id: number;
  tag: string;
  name: string;
}
export interface ExistingInput {
  id: number;
  node: string;
  name: string;
  processList: readonly ProcessStep[];
}

/** What applying a template to a node does (emoncms's "prepare"): create or reuse, set or keep. */
export interface TemplatePlan {
  feeds: { name: string; tag: string; unit: string; intervalS: number; existingId?: number }[];
  inputs: { name: string; description: string; existingId?: number }[];
}

/** Feeds are matched by tag (the node) and name, inputs by node and name, as emoncms does. */
export function planTemplate(
  t: DeviceTemplate,
  node: string,
  existing: { feeds: readonly ExistingFeed[]; inputs: readonly ExistingInput[] },
): TemplatePlan {
  return {
    feeds: t.feeds.map((f) => ({
      ...f,
      tag: node,
      existingId: existing.feeds.find((e) => e.tag === node && e.name === f.name)?.id,
    })),
    inputs: t.inputs.map((i) => ({
      name: i.name,
      description: i.description,
      existingId: existing.inputs.find((e) => e.node === node && e.name === i.name)?.id,
    })),
  };
}

/** An input's list with the template's feed and input names replaced by their ids. */
export function resolveSteps(
  steps: DeviceTemplate['inputs'][number]['process'],
  feedIds: ReadonlyMap<string, number>,
  inputIds: ReadonlyMap<string, number>,
): ProcessStep[] {
  return steps.map((s) => {
    const id = processByKey(s.process)!.id;
    if (s.feed !== undefined) return { id, arg: feedIds.get(s.feed)! };
    if (s.input !== undefined) return { id, arg: inputIds.get(s.input)! };
    if (s.value !== undefined) return { id, arg: s.value };
    if (s.text !== undefined) return { id, arg: s.text };
    return { id };
  });
}
