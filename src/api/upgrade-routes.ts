import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export type UpgradeHandler = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

/**
 * WebSocket upgrade paths (/mqtt, /ws) by path: modules add theirs, the HTTP server hands each
 * upgrade to its path's handler. Made before the modules so none needs the HTTP server itself.
 */
export class UpgradeRoutes {
  private readonly handlers = new Map<string, UpgradeHandler>();

  /** An arrow property: passed on as a plain function (BrokerDeps.onUpgrade). */
  readonly onUpgrade = (path: string, handler: UpgradeHandler): void => {
    this.handlers.set(path, handler);
  };

  handlerFor(path: string): UpgradeHandler | undefined {
    return this.handlers.get(path);
  }
}
