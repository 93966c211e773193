import { UserError } from '../shared/errors.js';
import type { FeedRecord } from '../timeseries/ports.js';
import type { InputsPort } from './ports.js';
import { TEMPLATES, templateById, type DeviceTemplate } from './template-catalog.js';
import { planTemplate, resolveSteps } from './template-plan.js';

/** The feeds a template creates and reuses; FeedService fits. */
export interface TemplateFeeds {
  list(): FeedRecord[];
  create(input: { ownerId: number; name: string; tag: string; unit: string; intervalS: number }): FeedRecord;
}

export interface AppliedTemplate {
  template: string;
  node: string;
  feeds: { id: number; name: string; created: boolean }[];
  inputs: {
    id: number;
    name: string;
    created: boolean;
    processList: { id: number; arg?: number | string }[];
  }[];
}

/**
 * Applies device templates: creates the feeds and inputs a node lacks, reuses those it has, and
 * sets each input's process list (existing lists are overwritten, as emoncms's init does).
 */
export class TemplateService {
  constructor(
    private readonly feeds: TemplateFeeds,
    private readonly inputs: InputsPort,
  ) {}

  list(): Pick<DeviceTemplate, 'id' | 'name' | 'description' | 'describe'>[] {
    return TEMPLATES.map(({ id, name, description, describe }) => ({ id, name, description, describe }));
  }

  applyTemplate(templateId: string, node: string, ownerId: number): AppliedTemplate {
    const template = templateById(templateId);
    if (!template) throw new UserError(`no device template ${templateId}`, 404, 'template_not_found');
    const plan = planTemplate(template, node, {
      feeds: this.feeds.list(),
      inputs: this.inputs.list().filter((i) => i.node === node),
    });
    const feeds = plan.feeds.map((f) => {
      const id =
        f.existingId ??
        this.feeds.create({ ownerId, name: f.name, tag: f.tag, unit: f.unit, intervalS: f.intervalS }).id;
      return { id, name: f.name, created: f.existingId === undefined };
    });
    const inputs = plan.inputs.map((i) => ({
      id: i.existingId ?? this.inputs.ensure(node, i.name, i.description).id,
      name: i.name,
      created: i.existingId === undefined,
    }));
    const feedIds = new Map(feeds.map((f) => [f.name, f.id]));
    const inputIds = new Map(inputs.map((i) => [i.name, i.id]));
    return {
      template: template.id,
      node,
      feeds,
      inputs: inputs.map((input, k) => {
        const processList = resolveSteps(template.inputs[k]!.process, feedIds, inputIds);
        this.inputs.setProcessList(input.id, processList);
        return { ...input, processList };
      }),
    };
  }
}
