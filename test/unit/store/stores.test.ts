// Runs the Store contract against the in-memory store and the lowdb store (default and tiny segments).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openLowdbStore } from '../../../src/store/lowdb-store.js';
import type { LowdbStoreOptions } from '../../../src/store/lowdb-store.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import type { Store } from '../../../src/store/store.js';
import { runStoreContract } from '../../contract/store.contract.js';

runStoreContract('memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} }));

function lowdbHarness(options: LowdbStoreOptions) {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-store-'));
    let store: Store = await openLowdbStore(dir, options);
    return {
      get store() {
        return store;
      },
      reopen: async () => {
        await store.close();
        store = await openLowdbStore(dir, options);
        return store;
      },
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

runStoreContract('lowdb', lowdbHarness({}));
runStoreContract('lowdb, 7 records per segment', lowdbHarness({ segmentSize: 7 }));
