import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PostgresCosts, predict } from '../../bench/lib/capacity.js';
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

describe('capacity model', () => {
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
    const prediction = predict(costs, {
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
