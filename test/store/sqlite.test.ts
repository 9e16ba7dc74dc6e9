import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('sqlite', {
  async open() {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    return store;
  },
  async cleanup() {},
});
