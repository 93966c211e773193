// test:image's web server on the host (the guest reaches it at 10.0.2.2): serves the update bundle
// for the remote trigger and the backup for the restore. Honours Range (the hub resumes a cut
// download), can cut the first download of a file half-way, and records what it was asked.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';

export interface ServedRequest {
  path: string;
  range: string | undefined;
  status: number;
}

export class FileServer {
  readonly requests: ServedRequest[] = [];
  private readonly cutOnce = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly files: Map<string, string>,
  ) {}

  static async start(files: Record<string, string>): Promise<FileServer> {
    const map = new Map(Object.entries(files));
    const handlers: { handle?: FileServer['handle'] } = {};
    const server = createServer((req, res) => handlers.handle!(req.url ?? '/', req.headers.range, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new FileServer(server, (server.address() as { port: number }).port, map);
    handlers.handle = (path, range, res) => self.handle(path, range, res);
    return self;
  }

  /** The next GET of `path` sends half the file and then drops the connection. */
  cutNextDownload(path: string): void {
    this.cutOnce.add(path);
  }

  url(path: string, host = '10.0.2.2'): string {
    return `http://${host}:${this.port}${path}`;
  }

  private handle(path: string, range: string | undefined, res: ServerResponse): void {
    const file = this.files.get(path);
    if (!file) {
      this.requests.push({ path, range, status: 404 });
      res.writeHead(404).end('not found');
      return;
    }
    const size = statSync(file).size;
    const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const start = match ? Number(match[1]) : 0;
    if (start >= size && size > 0) {
      this.requests.push({ path, range, status: 416 });
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const status = match ? 206 : 200;
    this.requests.push({ path, range, status });
    res.writeHead(status, {
      'content-type': 'application/octet-stream',
      'content-length': String(size - start),
      'accept-ranges': 'bytes',
      ...(match ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const cut = this.cutOnce.delete(path);
    const end = cut ? start + Math.floor((size - start) / 2) : size - 1;
    const stream = createReadStream(file, { start, end });
    stream.pipe(res, { end: !cut });
    if (cut) stream.on('end', () => res.destroy());
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
