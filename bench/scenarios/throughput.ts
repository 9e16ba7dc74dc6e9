/**
 * Closed-loop publishing through one route to one webhook; deliveries/s at the receiver. The
 * single-event and batch routes are two scenarios of the same shape.
 */
import { cpuMeter } from '../lib/procs.js';
import { ratioAtLeast, type Scenario } from './scenario.js';
import { loadDetails, receiverDetails } from './shared/details.js';
import { batchRouteAvailable, freshHerald, publishPlan } from './shared/herald.js';
import { loadUntilDelivered } from './shared/measure.js';

function throughput(batch: boolean): Scenario {
  return {
    id: batch ? 'throughput-batch' : 'throughput-single',
    title: batch
      ? 'Throughput, batch route (1,000 events per request, 4 clients), one webhook'
      : 'Throughput, single-event API (64 concurrent clients), one webhook',
    figures: [
      {
        key: 'deliveries',
        label: 'deliveries/s at the receiver',
        unit: '/s',
        ratio: true,
        ...(batch ? {} : { target: { text: '≥ 0.5 × ceiling', met: ratioAtLeast(0.5) } }),
      },
      { key: 'publish', label: 'events accepted/s by the API', unit: '/s', ratio: true },
      { key: 'cpuUs', label: 'Herald CPU per delivered event', unit: 'µs' },
    ],
    runs: (_ctx, full) => full,
    async skip(ctx) {
      if (!batch) return null;
      return (await batchRouteAvailable(ctx))
        ? null
        : 'the batch route POST /v1/tenants/:t/events/batch is not in this build';
    },
    async measure(ctx) {
      const events = batch ? ctx.sizes.batchEvents : ctx.sizes.singleEvents;
      const { herald, api } = await freshHerald(ctx, ['/one/0']);
      try {
        const plan = publishPlan(api, events, batch);
        const heraldCpu = cpuMeter([herald.pid]);
        const { result, stats } = await loadUntilDelivered(ctx, plan, 'throughput');
        const cpuUs = (heraldCpu() / stats.delivered) * 1e6;
        herald.sample();
        return {
          values: { deliveries: stats.rate, publish: result.eventsPerSec, cpuUs },
          details: {
            publisher: loadDetails(result),
            receiver: receiverDetails(stats),
            peakRssMb: Math.round(herald.peakRssMb),
          },
        };
      } finally {
        await herald.stop();
      }
    },
  };
}

export const throughputSingle = throughput(false);
export const throughputBatch = throughput(true);
