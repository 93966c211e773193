import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { journalSchema, type Journal } from './install-journal.js';
import type { JournalStore } from './ports.js';
import { writeFileDurably } from './durable-file.fs.js';

/** The journal as one small JSON file on the data partition, replaced atomically. */
export function fileJournalStore(file: string): JournalStore {
  return {
    async read(): Promise<Journal | null> {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const parsed = journalSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`${file} is not an update journal: ${parsed.error.message}`);
      return parsed.data;
    },
    async write(journal: Journal): Promise<void> {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileDurably(file, `${JSON.stringify(journal, null, 2)}\n`);
    },
  };
}
