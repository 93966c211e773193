import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { KnownInputs } from './ingest-admission.js';
import type { InputRecord, InputRepo } from './ports.js';
import type { ProcessStep } from './process-types.js';

export const inputKey = (node: string, name: string): string => `${node}\u0000${name}`;

/**
 * The inputs' configuration, mirrored in memory from SQLite (read once at start, written only when
 * an input appears or a person edits one), indexed by id, by node/name and counted per node.
 */
export class InputRegistry {
  private readonly byId = new Map<number, InputRecord>();
  private readonly byName = new Map<string, number>();
  private readonly perNode = new Map<string, number>();
  readonly known: KnownInputs = {
    has: (node, name) => this.byName.has(inputKey(node, name)),
    nodeCount: () => this.perNode.size,
    inputCount: (node) => this.perNode.get(node) ?? 0,
  };

  constructor(
    private readonly repo: InputRepo,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly counters: { inputsCreated: number; processListsStopped: number },
    private readonly log: Logger,
  ) {}

  load(): void {
    for (const input of this.repo.all()) this.remember(input);
  }

  get size(): number {
    return this.byId.size;
  }

  get nodeCount(): number {
    return this.perNode.size;
  }

  all(): InputRecord[] {
    return [...this.byId.values()];
  }

  get(id: number): InputRecord | undefined {
    return this.byId.get(id);
  }

  find(node: string, name: string): InputRecord | undefined {
    const id = this.byName.get(inputKey(node, name));
    return id === undefined ? undefined : this.byId.get(id);
  }

  require(id: number): InputRecord {
    const input = this.byId.get(id);
    if (!input) throw new UserError(`input ${id} does not exist`, 404, 'input_not_found');
    return input;
  }

  create(node: string, name: string, description: string): InputRecord {
    const input = this.repo.insert(node, name, description, this.clock.nowMs());
    const newNode = !this.perNode.has(node);
    this.remember(input);
    this.counters.inputsCreated++;
    if (newNode) this.bus.emit('ingest.node.created', { node });
    this.bus.emit('ingest.input.created', { id: input.id, node, name });
    return input;
  }

  setDescription(id: number, description: string): void {
    const input = this.require(id);
    this.repo.setDescription(id, description);
    input.description = description;
  }

  setProcessList(id: number, steps: readonly ProcessStep[]): void {
    const input = this.require(id);
    this.repo.setProcessList(id, steps, null);
    input.processList = [...steps];
    input.processListError = null;
  }

  /** Deletes the known ones of `ids`; returns those it knew (the repo's count is the answer). */
  delete(ids: readonly number[]): { known: number[]; removed: number } {
    const known = ids.filter((id) => this.byId.has(id));
    const removed = this.repo.delete(known);
    for (const id of known) {
      const input = this.byId.get(id)!;
      this.byId.delete(id);
      this.byName.delete(inputKey(input.node, input.name));
      const left = (this.perNode.get(input.node) ?? 1) - 1;
      if (left > 0) this.perNode.set(input.node, left);
      else this.perNode.delete(input.node);
    }
    return { known, removed };
  }

  /** A list that ran more than twice its length (a goto loop) is flagged and no longer run. */
  stopList(input: InputRecord): void {
    const reason = `the process list looped (more than ${2 * input.processList.length} steps) and was stopped`;
    input.processListError = reason;
    this.repo.setProcessList(input.id, input.processList, reason);
    this.counters.processListsStopped++;
    this.log.warn({ inputId: input.id, node: input.node, name: input.name }, reason);
    this.bus.emit('ingest.processlist.stopped', { inputId: input.id, reason });
  }

  private remember(input: InputRecord): void {
    this.byId.set(input.id, input);
    this.byName.set(inputKey(input.node, input.name), input.id);
    this.perNode.set(input.node, (this.perNode.get(input.node) ?? 0) + 1);
  }
}
