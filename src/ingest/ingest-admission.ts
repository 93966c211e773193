// Whether readings may be stored: their times and the inputs they would create. Pure; the input
// registry (IngestService) answers what exists.

import type { NodeReadings } from './readings.js';

export interface AdmissionRules {
  /** Create an input the first time a node/name is seen. */
  createInputs: boolean;
  maxNodes: number;
  maxInputsPerNode: number;
  /** Readings stamped further than this into the future are refused. */
  maxFutureS: number;
}

/** What the registry holds now. */
export interface KnownInputs {
  has(node: string, name: string): boolean;
  nodeCount(): number;
  /** Inputs of a node (0 for a node never seen). */
  inputCount(node: string): number;
}

/**
 * Why these readings may not be stored together (the first reason), or undefined. Checked as one:
 * a time that is not a unix time or is too far ahead, an unknown input while creation is off, or
 * more nodes or inputs per node than the caps, counting what the readings would create.
 */
export function admissionProblem(
  batch: readonly NodeReadings[],
  nowS: number,
  rules: AdmissionRules,
  known: KnownInputs,
): string | undefined {
  const newNames = new Map<string, Set<string>>();
  for (const r of batch) {
    if (!Number.isFinite(r.timeS) || r.timeS < 0) return `time of node ${r.node} is not a unix time`;
    if (r.timeS > nowS + rules.maxFutureS)
      return `time ${r.timeS} of node ${r.node} is too far in the future`;
    for (const { name } of r.values)
      if (!known.has(r.node, name)) {
        let names = newNames.get(r.node);
        if (!names) newNames.set(r.node, (names = new Set()));
        names.add(name);
      }
  }
  if (newNames.size === 0) return undefined;
  const [node, names] = [...newNames][0]!;
  if (!rules.createInputs)
    return `input ${node}/${[...names][0]} does not exist and creating inputs is turned off`;
  const newNodes = [...newNames.keys()].filter((n) => known.inputCount(n) === 0).length;
  if (known.nodeCount() + newNodes > rules.maxNodes)
    return `Reached the maximal allowed number of different NodeIds (${rules.maxNodes})`;
  for (const [n, added] of newNames)
    if (known.inputCount(n) + added.size > rules.maxInputsPerNode)
      return `Reached the maximal allowed number of inputs for node ${n} (${rules.maxInputsPerNode})`;
  return undefined;
}
