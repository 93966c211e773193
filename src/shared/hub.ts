import type { Component, ComponentStatus } from './component.js';
import type { Logger } from './logger.js';
import { describeError } from './errors.js';

export interface Readiness {
  ready: boolean;
  components: Record<string, ComponentStatus>;
}

/** Ordered start, reverse stop, and the readiness view over a list of components. */
export class Hub {
  private started: Component[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    readonly components: readonly Component[],
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    for (const component of this.components) {
      this.log.debug({ component: component.name }, 'starting');
      this.started.push(component);
      await component.start();
    }
  }

  /** Stops what was started, last first; one failing stop does not prevent the others. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  readiness(): Readiness {
    const components: Record<string, ComponentStatus> = {};
    let ready = true;
    for (const component of this.components) {
      const status = component.status();
      components[component.name] = status;
      if (status.state !== 'ready' && component.neededForReady !== false) ready = false;
    }
    return { ready, components };
  }

  private async stopAll(): Promise<void> {
    for (const component of [...this.started].reverse()) {
      try {
        await component.stop();
      } catch (err) {
        this.log.error({ component: component.name, err: describeError(err) }, 'stop failed');
      }
    }
    this.started = [];
  }
}
