/**
 * What every ratio divides by: a bare `undici.request` sender straight to the receiver, no storage.
 * The CPU each side spends on a request (every thread of its process, from /proc) is what the
 * CPU-cost figures divide Herald's CPU per delivered event by.
 */
import { cpuMeter } from '../lib/procs.js';
import type { Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { load, receiverStats, requireAll, resetReceiver } from './shared/measure.js';

export const ceiling: Scenario = {
  id: 'ceiling',
  title: 'Ceiling: bare undici.request sender → receiver (no storage)',
  figures: [
    { key: 'rps', label: 'requests/s', unit: '/s' },
    { key: 'senderCpuUs', label: 'bare sender CPU per request', unit: 'µs' },
    { key: 'receiverCpuUs', label: 'bare receiver CPU per request', unit: 'µs' },
  ],
  runs: (_ctx, full) => full,
  async measure(ctx) {
    const requests = ctx.sizes.ceilingRequests;
    await resetReceiver(ctx, { uniqueSeqs: requests });
    const senderCpu = cpuMeter([ctx.loadgen.pid]);
    const receiverCpu = cpuMeter([ctx.receiver.pid]);
    const result = await load(ctx, {
      kind: 'raw',
      url: `${ctx.receiverUrl}/ceiling`,
      events: requests,
      concurrency: 64,
    });
    const stats = await receiverStats(ctx);
    const perRequestUs = (seconds: number) => (seconds / requests) * 1e6;
    const senderCpuUs = perRequestUs(senderCpu());
    const receiverCpuUs = perRequestUs(receiverCpu());
    requireAll(stats, requests, 'ceiling', result);
    return {
      values: { rps: stats.rate, senderCpuUs, receiverCpuUs },
      details: { sender: loadDetails(result), receiver: receiverDetails(stats) },
    };
  },
};
