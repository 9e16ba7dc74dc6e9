import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costsAt, fitCosts, type PostgresCosts, predict } from '../../bench/lib/capacity.js';
import { batchWhileBusy } from '../../bench/lib/peer-http.js';
import type { FigureResult } from '../../bench/lib/report.js';
import { spread } from '../../bench/lib/stats.js';
import { comparisons } from '../../bench/scenarios/comparisons.js';

const figure = (scenario: string, key: string, median: number): FigureResult => ({
  scenario,
  scenarioTitle: scenario,
  key,
  figure: key,
  unit: '/s',
  status: 'ok',
  spread: spread([median]),
});
const find = (results: FigureResult[], start: string) => results.find((r) => r.figure.startsWith(start));

describe('bench comparisons across scenarios', () => {
  it('divides by the best peer, names it, and judges the target', () => {
    const results = comparisons([
      figure('postgres', 'workers2', 3000),
      figure('graphile-worker', 'single', 700),
      figure('pg-boss', 'single', 1400),
    ]);
    const ratio = find(results, 'Herald PostgreSQL, 2 workers ÷ best peer (pg-boss), one insert');
    assert.equal(ratio?.spread?.median, 3000 / 1400);
    assert.equal(ratio?.met, true);
  });

  it('sets the drain beside the featureless reference and that reference beside the best peer', () => {
    const results = comparisons([
      figure('postgres-backlog', 'drain', 4000),
      figure('relay-postgres', 'drain', 6000),
      figure('graphile-worker', 'drain', 5000),
      figure('pg-boss', 'drain', 2000),
    ]);
    assert.equal(
      find(results, 'Herald PostgreSQL backlog drain, 2 workers ÷ relay-postgres')?.spread?.median,
      4000 / 6000,
    );
    const reference = find(results, 'relay-postgres backlog drain ÷ best peer (graphile-worker)');
    assert.equal(reference?.spread?.median, 6000 / 5000);
    assert.equal(reference?.met, null);
  });

  it('reports the CPU cost against the bare sender and receiver of the same run', () => {
    const results = comparisons([
      figure('ceiling', 'senderCpuUs', 30),
      figure('ceiling', 'receiverCpuUs', 20),
      figure('throughput-single', 'cpuUs', 70),
    ]);
    const cost = find(results, 'CPU cost, SQLite');
    assert.equal(cost?.spread?.median, 70 / 50);
    assert.equal(cost?.met, false);
  });

  it('says which scenario a comparison lacks instead of inventing a ratio', () => {
    const results = comparisons([figure('postgres', 'workers2', 3000)]);
    const ratio = find(results, 'Herald PostgreSQL, 2 workers ÷ relay-postgres');
    assert.equal(ratio?.status, 'skipped');
    assert.equal(ratio?.reason, 'relay-postgres did not run');
    assert.equal(find(results, 'Herald single-event'), undefined);
  });
});

describe('bench publish batching', () => {
  it('puts what arrives while a flush runs into the next flush', async () => {
    const flushed: number[][] = [];
    let release = () => {};
    const add = batchWhileBusy(async (items: number[]) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [add(2), add(3)];
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(flushed, [[1], [2, 3]]);
  });
});

/** Costs whose worker-dependent figures grow by `perWorker` per worker from `base` (API and WAL fixed). */
function costsWith(workers: number, base: number, perWorker: number): PostgresCosts {
  const grown = base + perWorker * workers;
  return {
    events: 1000,
    seconds: 1,
    cpuUs: { api: 100, workers: grown, database: grown / 2, loadgen: 0, receiver: 0 },
    statements: { api: 0.05, workers: grown / 1000 },
    commits: grown / 1000,
    rowsWritten: 4,
    walRecords: 20,
    walBytes: 2500,
  };
}

describe('capacity model', () => {
  it('fits each cost as a line in the worker count, through the layouts measured', () => {
    const model = fitCosts([1, 2, 4].map((workers) => ({ workers, costs: costsWith(workers, 50, 40) })));
    assert.deepEqual(model.fittedTo, [1, 2, 4]);
    assert.ok(Math.abs(model.base.cpuUs.workers - 50) < 1e-9);
    assert.ok(Math.abs(model.perWorker.cpuUs.workers - 40) < 1e-9);
    assert.ok(Math.abs(model.perWorker.cpuUs.database - 20) < 1e-9);
    assert.equal(model.perWorker.cpuUs.api, 0);
    assert.equal(model.base.walBytes, 2500);
    assert.ok(Math.abs(costsAt(model, 8).cpuUs.workers - 370) < 1e-9);
  });

  it('fits the least-squares line through scattered layouts, and a constant to one layout', () => {
    const scattered = fitCosts([
      { workers: 1, costs: costsWith(1, 100, 0) },
      { workers: 2, costs: costsWith(2, 120, 0) },
      { workers: 3, costs: costsWith(3, 110, 0) },
    ]);
    // Least squares through (1,100) (2,120) (3,110): slope 5, intercept 100.
    assert.ok(Math.abs(scattered.perWorker.cpuUs.workers - 5) < 1e-9);
    assert.ok(Math.abs(scattered.base.cpuUs.workers - 100) < 1e-9);
    const single = fitCosts([{ workers: 2, costs: costsWith(2, 60, 20) }]);
    assert.equal(single.perWorker.cpuUs.workers, 0);
    assert.equal(costsAt(single, 16).cpuUs.workers, 100);
  });

  it('never predicts a cost below zero', () => {
    const falling = fitCosts([
      { workers: 1, costs: costsWith(1, 100, -40) },
      { workers: 2, costs: costsWith(2, 100, -40) },
    ]);
    assert.equal(costsAt(falling, 10).cpuUs.workers, 0);
  });

  it('takes the worker-tier limit from the costs at its own worker count', () => {
    const model = fitCosts([1, 4].map((workers) => ({ workers, costs: costsWith(workers, 0, 50) })));
    const cluster = {
      apiProcesses: 100,
      coresPerProcess: 1,
      databaseCommitsPerSec: 1e9,
      databaseWalMbPerSec: 1e9,
      databaseCores: 1e3,
    };
    // 50 µs per worker per event: M workers at 50 × M µs each sustain 20,000/s whatever M is.
    for (const workerProcesses of [1, 4, 16]) {
      const prediction = predict(model, { ...cluster, workerProcesses });
      assert.equal(prediction.bound, 'worker processes (CPU)');
      assert.ok(Math.abs(prediction.rate - 20_000) < 1e-6);
    }
  });

  it('is bound by the smallest limit', () => {
    const costs: PostgresCosts = {
      events: 1000,
      seconds: 1,
      cpuUs: { api: 100, workers: 200, database: 150, loadgen: 0, receiver: 0 },
      statements: { api: 0.2, workers: 0.5 },
      commits: 0.5,
      rowsWritten: 4,
      walRecords: 10,
      walBytes: 2000,
    };
    const prediction = predict(fitCosts([{ workers: 4, costs }]), {
      apiProcesses: 1,
      workerProcesses: 4,
      coresPerProcess: 1,
      databaseCommitsPerSec: 20_000,
      databaseWalMbPerSec: 100,
      databaseCores: 8,
    });
    assert.equal(prediction.bound, 'API processes (CPU)');
    assert.equal(prediction.rate, 10_000);
    assert.equal(prediction.limits['PostgreSQL commits'], 40_000);
    assert.equal(prediction.limits['PostgreSQL WAL'], 50_000);
  });
});
