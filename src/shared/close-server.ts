/** What an HTTP server offers to be shut down (node:http's Server). */
export interface ClosableServer {
  close(callback: () => void): unknown;
  closeAllConnections(): void;
}

/** Stops listening and ends every connection at once, kept-alive ones included. */
export async function closeServerNow(server: ClosableServer): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
