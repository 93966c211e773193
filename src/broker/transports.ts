// Which listener a connection came in on, marked on its stream by the listener: a pairing login
// is for devices on TCP or TLS, never for a web page's MQTT over WebSocket.

const VIA_WEBSOCKET = Symbol('mqtt over websocket');

export function markWebSocket(stream: object): void {
  (stream as { [VIA_WEBSOCKET]?: true })[VIA_WEBSOCKET] = true;
}

export function viaWebSocket(conn: object): boolean {
  return (conn as { [VIA_WEBSOCKET]?: true })[VIA_WEBSOCKET] === true;
}
