import type { User } from '../auth/ports.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { templateForDescribe } from './template-catalog.js';
import type { AppliedTemplate } from './template-service.js';

export interface AutoConfigureDeps {
  bus: EventBus;
  templates: { applyTemplate(templateId: string, node: string, ownerId: number): AppliedTemplate };
  /** The users; the first administrator owns what is configured. */
  users: { listUsers(): User[] };
  log: Logger;
}

/** A node that says what it is (`describe`) gets its device template, owned by the first admin. */
export class AutoConfigureRunner implements Component {
  readonly name = 'auto-configure';
  private unsubscribe: (() => void) | undefined;
  private applied = 0;

  constructor(private readonly deps: AutoConfigureDeps) {}

  async start(): Promise<void> {
    this.unsubscribe ??= this.deps.bus.on('ingest.device.described', ({ node, type }) =>
      this.configure(node, type),
    );
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  status(): ComponentStatus {
    return { state: this.unsubscribe ? 'ready' : 'stopped', detail: { applied: this.applied } };
  }

  private configure(node: string, type: string): void {
    const template = templateForDescribe(type);
    const owner = this.deps.users.listUsers().find((u) => u.role === 'admin');
    if (!template || !owner) return;
    try {
      const applied = this.deps.templates.applyTemplate(template.id, node, owner.id);
      this.applied++;
      this.deps.log.info(
        { node, type, template: template.id, feeds: applied.feeds.length },
        'device template applied',
      );
    } catch (err) {
      this.deps.log.warn({ node, type, err: describeError(err) }, 'device template could not be applied');
    }
  }
}
