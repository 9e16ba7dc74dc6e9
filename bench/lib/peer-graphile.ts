/**
 * The graphile-worker 0.17 peer: what a Node team would build on it (bench/lib/peer-postgres.ts has
 * the process layout). The API inserts with `addJob` (`addJobs` when batched) through WorkerUtils
 * on a pool of 16 connections (`maxPoolSize`: one per insert in flight, up to 16 of the 64 clients at once); each
 * worker process runs `run()` with a `deliver` task.
 *
 * Worker settings, from graphile-worker's own documentation (the options' doc comments in
 * dist/index.d.ts, "Performance"):
 * - concurrency 32: jobs in flight per process; each is an HTTP request waiting on the receiver, so
 *   many are cheap, and two processes give 64 in flight, what Herald allows one webhook.
 * - localQueue.size 500: "if you have very high throughput and extremely fast tasks then a much
 *   higher number [than concurrentJobs + 1] may make sense"; a pool fetches and locks 500 jobs in
 *   one query instead of one query a job. No refetchDelay: it exists for many instances polling an
 *   almost empty queue, and would delay every fetch after a short one here.
 * - completeJobBatchDelay 0 (and failJobBatchDelay 0): "Even setting this to `0` can be impactful":
 *   completions of the same tick share one statement.
 * - LISTEN/NOTIFY is graphile-worker's own (new jobs wake the pools); pollInterval stays 2 s as the
 *   fallback.
 * - maxPoolSize 34: "we recommend setting it to `10` or `concurrentJobs + 2`, whichever is
 *   larger" (a pool opens connections as it needs them; with the local queue and batched
 *   completions it needs few).
 * - A logger that keeps warnings and errors: the default writes a line for every completed job.
 * Retries: graphile-worker's default of 25 attempts with exponential backoff.
 */
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import type { DeliveryJob } from './peer-http.js';
import { servePostgresPeer } from './peer-postgres.js';

const TASK = 'deliver';

const logger = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') process.stderr.write(`graphile-worker: ${message}\n`);
});

servePostgresPeer({
  async openPublisher(database) {
    const utils = await makeWorkerUtils({ connectionString: database, maxPoolSize: 16, logger });
    await utils.migrate();
    return {
      add: async (job) => {
        await utils.addJob(TASK, job);
      },
      addMany: async (jobs) => {
        await utils.addJobs(jobs.map((payload) => ({ identifier: TASK, payload })));
      },
      close: async () => {
        await utils.release();
      },
    };
  },

  async startWorker(database, deliver) {
    const runner = await run({
      connectionString: database,
      concurrency: 32,
      maxPoolSize: 34,
      noHandleSignals: true,
      logger,
      taskList: { [TASK]: (payload) => deliver(payload as DeliveryJob) },
      preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    return { close: () => runner.stop() };
  },
});
