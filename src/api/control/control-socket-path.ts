import { join } from 'node:path';

/** Where hubd listens for the `hub` command of the same data dir (ADR 006, ADR 009). */
export const controlSocketPath = (runDir: string): string => join(runDir, 'control', 'hubd.sock');
