import { join } from 'node:path';

/** Where hubd listens for the `hub` command of the same data dir (docs/decisions/006). */
export const controlSocketPath = (runDir: string): string => join(runDir, 'control', 'hubd.sock');
