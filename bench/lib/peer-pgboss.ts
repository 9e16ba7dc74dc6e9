/**
 * The pg-boss 10 peer: what a Node team would build on it (bench/lib/peer-postgres.ts has the
 * process layout). The API inserts with `send` (`insert` when batched) on pg-boss's pool of 16
 * connections; each worker process runs 4 `work` loops on one queue.
 *
 * Worker settings, from pg-boss's own documentation (README, types.d.ts and the v10 release notes):
 * - 4 `work` loops per process: v10 dropped `teamSize`; parallel loops are several `work` calls.
 *   Each loop fetches, runs its batch, completes it, then fetches again at once when it found jobs.
 * - batchSize 500: a fetch claims up to 500 jobs in one statement and completes them in one;
 *   the handler sends the batch at once (capped at 64 connections a process, as Herald caps one
 *   webhook), and fails only the jobs whose POST failed (`fail`), the rest complete.
 * - pollingIntervalSeconds 0.5: the smallest pg-boss allows; v10 polls (no LISTEN), so an idle
 *   loop finds new jobs within half a second.
 * - `max` 10 connections a worker process (pg-boss's default, enough for 4 loops and their
 *   completions); no supervision or scheduling in the worker processes (`supervise: false`,
 *   `schedule: false`): the API process's instance maintains the queue.
 * Retries: 3 retries with backoff (`retryLimit`, `retryBackoff`), as a webhook sender would set.
 */
import PgBoss from 'pg-boss';
import type { DeliveryJob } from './peer-http.js';
import { servePostgresPeer } from './peer-postgres.js';

const QUEUE = 'deliveries';
const WORK_LOOPS = 4;
const RETRIES = { retryLimit: 3, retryDelay: 60, retryBackoff: true };

servePostgresPeer({
  async openPublisher(database) {
    const boss = new PgBoss({ connectionString: database, max: 16, schedule: false });
    boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    return {
      add: async (job) => {
        await boss.send(QUEUE, job, RETRIES);
      },
      addMany: (jobs) => boss.insert(jobs.map((data) => ({ name: QUEUE, data, ...RETRIES }))),
      close: () => boss.stop({ graceful: false, wait: true }),
    };
  },

  async startWorker(database, deliver) {
    const boss = new PgBoss({ connectionString: database, max: 10, supervise: false, schedule: false });
    boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await boss.start();
    const work = async (jobs: PgBoss.Job<DeliveryJob>[]) => {
      const outcomes = await Promise.allSettled(jobs.map((job) => deliver(job.data)));
      const failed = jobs.filter((_job, i) => outcomes[i]?.status === 'rejected').map((job) => job.id);
      if (failed.length > 0) await boss.fail(QUEUE, failed);
    };
    for (let i = 0; i < WORK_LOOPS; i++) {
      await boss.work<DeliveryJob>(QUEUE, { batchSize: 500, pollingIntervalSeconds: 0.5 }, work);
    }
    return { close: () => boss.stop({ graceful: false, wait: true }) };
  },
});
