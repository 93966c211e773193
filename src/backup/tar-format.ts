// The 512-byte ustar header of a tar archive: enough to write and read back regular files and
// folders, so a backup opens with any `tar` and is read here without a tar library (ADR 012).

export const BLOCK_BYTES = 512;
/** 11 octal digits: a file of 8 GiB or more does not fit a plain ustar header. */
export const MAX_ENTRY_BYTES = 0o77777777777;

export type TarEntryType = 'file' | 'directory';

export interface TarHeader {
  path: string;
  type: TarEntryType;
  bytes: number;
  mode: number;
  mtimeS: number;
}

const ZERO_BLOCK = new Uint8Array(BLOCK_BYTES);

function putText(block: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > length) throw new Error(`"${text}" is too long for a tar header`);
  bytes.copy(block, offset);
}

function putOctal(block: Buffer, offset: number, length: number, value: number): void {
  putText(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** The header block of one entry (names up to 100 bytes; the backup's are far shorter). */
export function encodeTarHeader(header: TarHeader): Buffer {
  if (!Number.isSafeInteger(header.bytes) || header.bytes < 0 || header.bytes > MAX_ENTRY_BYTES)
    throw new Error(`${header.path}: ${header.bytes} bytes do not fit a tar entry`);
  const block = Buffer.alloc(BLOCK_BYTES);
  putText(block, 0, 100, header.type === 'directory' ? `${header.path}/` : header.path);
  putOctal(block, 100, 8, header.mode & 0o7777);
  putOctal(block, 108, 8, 0); // uid and gid 0: the restoring process owns what it writes
  putOctal(block, 116, 8, 0);
  putOctal(block, 124, 12, header.type === 'directory' ? 0 : header.bytes);
  putOctal(block, 136, 12, Math.max(0, Math.floor(header.mtimeS)));
  block.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  block.write(header.type === 'directory' ? '5' : '0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  putText(block, 265, 32, 'root');
  putText(block, 297, 32, 'root');
  putText(block, 148, 8, `${checksumOf(block).toString(8).padStart(6, '0')}\0 `);
  return block;
}

function checksumOf(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_BYTES; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

function readText(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number, what: string): number {
  const text = readText(block, offset, length).trim();
  if (!/^[0-7]{1,12}$/.test(text)) throw new Error(`the tar header's ${what} is not a number`);
  return parseInt(text, 8);
}

/**
 * One header block read back: the entry, or `end` for the zero block that ends an archive. Throws
 * an Error naming what is wrong (not ustar, a bad checksum, a link or device entry).
 */
export function parseTarHeader(block: Buffer): TarHeader | 'end' {
  if (block.length !== BLOCK_BYTES) throw new Error('the archive ends inside a tar header');
  if (block.equals(ZERO_BLOCK)) return 'end';
  if (block.toString('ascii', 257, 262) !== 'ustar') throw new Error('not a ustar tar header');
  if (readOctal(block, 148, 8, 'checksum') !== checksumOf(block))
    throw new Error('a tar header fails its checksum');
  const flag = block.toString('ascii', 156, 157);
  const type: TarEntryType | undefined =
    flag === '0' || flag === '\0' ? 'file' : flag === '5' ? 'directory' : undefined;
  const prefix = readText(block, 345, 155);
  const name = readText(block, 0, 100);
  const path = (prefix ? `${prefix}/${name}` : name).replace(/\/$/, '');
  if (!type) throw new Error(`${path}: entries of tar type "${flag}" (links, devices) are refused`);
  return {
    path,
    type,
    bytes: type === 'file' ? readOctal(block, 124, 12, 'size') : 0,
    mode: readOctal(block, 100, 8, 'mode'),
    mtimeS: readOctal(block, 136, 12, 'time'),
  };
}

/** Zero bytes after an entry's data up to the next block boundary. */
export function paddingBytes(bytes: number): number {
  return (BLOCK_BYTES - (bytes % BLOCK_BYTES)) % BLOCK_BYTES;
}

/** The two zero blocks that end an archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(BLOCK_BYTES * 2);
}
