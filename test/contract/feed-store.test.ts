import { join } from 'node:path';
import { FeedFiles } from '../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../src/timeseries/feed-store.local.js';
import { ThreadFeedStore } from '../../src/timeseries/feed-store.thread.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';
import { feedStoreContract } from './feed-store.contract.js';

const teardown = useTeardown();

feedStoreContract('LocalFeedStore', async () => {
  const scratchDir = makeTempDir(teardown);
  return { store: new LocalFeedStore(new FeedFiles(join(scratchDir, 'feeds'))), scratchDir };
});
feedStoreContract('ThreadFeedStore (worker thread)', async () => {
  const scratchDir = makeTempDir(teardown);
  const store = new ThreadFeedStore(join(scratchDir, 'feeds'));
  await store.start();
  teardown.add(() => store.stop());
  return { store, scratchDir };
});
