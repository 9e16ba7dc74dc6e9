/**
 * Retention under constant load (issue 13, item 5): a SQLite store, driven in this process on an
 * injected clock, takes the same events every hour, delivers them, and prunes what is older than the
 * window (HERALD_RETENTION). Once a window is full the file should stop growing: pruning frees pages
 * and new rows reuse them. The sizes are the database plus its WAL after a TRUNCATE checkpoint, as the
 * checkpoint thread leaves them. It runs the code in src/ (the store and background worker), not dist/.
 */
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testSecretBox } from '../../test/support/secrets.js';
import { runSteadyLoad } from '../../test/support/steady-load.js';
import type { Scenario } from './scenario.js';
import { freshDir } from './shared/instances.js';

const WINDOW_HOURS = 6;
const WINDOWS = 5;

export const retention: Scenario = {
  id: 'retention',
  title: `Retention: constant load on SQLite, a ${WINDOW_HOURS} h window, ${WINDOWS} windows on an injected clock`,
  figures: [
    { key: 'window1', label: 'db + WAL after window 1', unit: 'KB' },
    { key: 'window2', label: 'db + WAL after window 2', unit: 'KB' },
    { key: 'window5', label: `db + WAL after window ${WINDOWS}`, unit: 'KB' },
    {
      key: 'growth',
      label: `window ${WINDOWS} ÷ window 2`,
      unit: '×',
      target: { text: '≤ 1.05: flat (issue 13)', met: (median) => median <= 1.05 },
    },
  ],
  runs: () => 1,
  async measure(ctx) {
    const eventsPerHour = ctx.sizes.retentionEventsPerHour;
    const path = join(freshDir(ctx, 'retention'), 'herald.db');
    const store = openSqliteStore(path, { secrets: testSecretBox() });
    try {
      await store.migrate();
      const { sizes } = await runSteadyLoad(store, path, {
        tenantId: 'tenant_steady',
        webhookId: 'wh_steady',
        eventsPerHour,
        windowHours: WINDOW_HOURS,
        windows: WINDOWS,
      });
      const kb = sizes.map((bytes) => bytes / 1024);
      const [window1 = 0, window2 = 0] = kb;
      const window5 = kb.at(-1) ?? 0;
      return {
        values: { window1, window2, window5, growth: window5 / window2 },
        details: { eventsPerHour, windowHours: WINDOW_HOURS, bytesAfterEachWindow: sizes },
      };
    } finally {
      await store.close();
    }
  },
};
