// The payload is a gzipped tar made and unpacked by the system's GNU tar (Debian's tar is
// essential, so every image has it). No tar library is among the hub's dependencies (ADR 011).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

function waitForExit(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${what} exited ${code}: ${stderr.trim().slice(0, 500)}`)),
    );
  });
}

/** Packs the contents of `dir` (not the folder itself) into a gzipped tar at `outFile`. */
export async function packTarGz(dir: string, outFile: string): Promise<void> {
  const child = spawn('tar', ['-czf', outFile, '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '.'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForExit(child, 'tar -c');
}

/**
 * Unpacks the gzipped tar found from `offset` to the end of `file` into `destDir`, hashing the
 * bytes as they stream so the unpacked tree is the one whose sha256 was checked (returned).
 */
export async function unpackTarGz(file: string, offset: number, destDir: string): Promise<string> {
  // Not as the archive says: no owner, and modes through the umask (release-store drops setuid).
  const child = spawn('tar', ['-xzf', '-', '--no-same-owner', '--no-same-permissions', '-C', destDir], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const exited = waitForExit(child, 'tar -x');
  const hash = createHash('sha256');
  const source = createReadStream(file, { start: offset });
  source.on('data', (chunk) => hash.update(chunk as Buffer));
  source.on('error', (err) => child.stdin?.destroy(err));
  child.stdin?.on('error', () => undefined); // tar exiting early is reported by its exit code
  source.pipe(child.stdin!);
  await exited;
  return hash.digest('hex');
}
