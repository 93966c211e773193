/** Broker counters: what /readyz shows and $SYS/broker/... publishes. */
export interface BrokerCounters {
  clientsConnected: number;
  clientsMaximum: number;
  messagesReceived: number;
  messagesSent: number;
  retainedCount: number;
  /** Publishes refused by the ACL. */
  deniedPublishes: number;
  /** Subscriptions refused by the ACL (SUBACK 0x80). */
  deniedSubscriptions: number;
  /** Connections refused: bad credentials, client id rules, connection limit. */
  refusedConnections: number;
  /** Clients disconnected for oversized packets or publish floods. */
  kickedClients: number;
  /** Messages not queued for an offline client whose queue was full. */
  droppedOffline: number;
  /** The hub's own publishes (MqttPort.publish) the broker could not take. */
  failedPublishes: number;
}

export function emptyCounters(): BrokerCounters {
  return {
    clientsConnected: 0,
    clientsMaximum: 0,
    messagesReceived: 0,
    messagesSent: 0,
    retainedCount: 0,
    deniedPublishes: 0,
    deniedSubscriptions: 0,
    refusedConnections: 0,
    kickedClients: 0,
    droppedOffline: 0,
    failedPublishes: 0,
  };
}

/** Messages per second over the last window, from two readings of a counter. */
export function ratePerS(before: number, after: number, windowMs: number): number {
  return windowMs > 0 ? Math.round(((after - before) * 1000) / windowMs) : 0;
}
