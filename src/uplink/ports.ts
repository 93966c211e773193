// The uplink's boundaries: the connection to the server, the replay mark, and what it shows.

export interface UplinkHandlers {
  onConnect(): void;
  onClose(error?: string): void;
  onMessage(topic: string, payload: Buffer): void;
}

/** An MQTT connection to the server that reconnects by itself until ended. */
export interface UplinkConnection {
  publish(topic: string, payload: string, opts: { retain: boolean; qos: 0 | 1 }): void;
  end(): Promise<void>;
}
export type ConnectUplink = (handlers: UplinkHandlers) => UplinkConnection;

/** issuedAt of the last accepted remote command; kept across restarts against replays. */
export interface ReplayMark {
  read(): number | undefined;
  write(issuedAtMs: number): void;
}

/** GET /api/v1/server. */
export interface ServerConnectionView {
  configured: boolean;
  connected: boolean;
  url: string | null;
  hubId: string | null;
  lastError: string | null;
  refusedCommands: number;
}

export function uplinkTopics(prefix: string, hubId: string) {
  const base = `${prefix}/${hubId}`;
  return {
    status: `${base}/status`,
    command: `${base}/command`,
    commandResult: `${base}/command/result`,
    update: `${base}/update`,
  };
}
