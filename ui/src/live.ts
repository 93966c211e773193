import type { LiveServerMessage, LiveValueMessage } from '../../src/api/contract.js';

type Handler = (kind: 'feed' | 'input', value: LiveValueMessage) => void;
/** Messages the hub sends unasked: devices to everyone signed in, pairing to admins, hello per connect. */
type Pushed = Extract<LiveServerMessage, { type: 'device' | 'pairing' | 'hello' }>;
type PushHandler<T extends Pushed['type']> = (message: Extract<Pushed, { type: T }>) => void;

/**
 * The page's one /ws connection: subscriptions are re-sent after a reconnect, and each value is
 * handed to whoever asked for it.
 */
export class LiveConnection {
  private ws: WebSocket | undefined;
  private readonly feeds = new Set<number>();
  private readonly inputs = new Set<number>();
  private readonly handlers = new Set<Handler>();
  private readonly pushHandlers = new Set<(message: Pushed) => void>();
  private retryMs = 500;
  private closed = false;

  private lastPairing: Extract<Pushed, { type: 'pairing' }> | undefined;

  constructor() {
    this.open();
  }

  subscribe(feeds: number[], inputs: number[], handler: Handler): () => void {
    feeds.forEach((id) => this.feeds.add(id));
    inputs.forEach((id) => this.inputs.add(id));
    this.handlers.add(handler);
    this.send({ op: 'subscribe', feeds, inputs });
    return () => this.handlers.delete(handler);
  }

  /**
   * Device and pairing messages as they come; `hello` comes after every (re)connect, when what
   * was missed while away is worth asking for again.
   */
  on<T extends Pushed['type']>(type: T, handler: PushHandler<T>): () => void {
    const filtered = (message: Pushed) => {
      if (message.type === type) handler(message as Extract<Pushed, { type: T }>);
    };
    this.pushHandlers.add(filtered);
    // The pairing state comes once when the socket opens, maybe before this page listens.
    if (this.lastPairing) filtered(this.lastPairing);
    return () => this.pushHandlers.delete(filtered);
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private open(): void {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      if (this.feeds.size || this.inputs.size)
        this.send({ op: 'subscribe', feeds: [...this.feeds], inputs: [...this.inputs] });
    };
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as LiveServerMessage;
      if (message.type === 'pairing') this.lastPairing = message;
      if (message.type === 'device' || message.type === 'pairing' || message.type === 'hello')
        this.pushHandlers.forEach((h) => h(message));
      if (message.type !== 'values') return;
      for (const v of message.feeds) this.handlers.forEach((h) => h('feed', v));
      for (const v of message.inputs) this.handlers.forEach((h) => h('input', v));
    };
    ws.onclose = () => {
      if (this.closed) return;
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  private send(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }
}
