/** The events the harness publishes, and the clock every process stamps them with. */
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export const EVENT_TYPE = 'ingestion.completed';
export const TENANT_ID = 'tenant_bench';

/** Pads the `data` object so the whole delivered body (Herald's envelope included) is about 300 bytes. */
const PAD = 'x'.repeat(96);

/**
 * The `data` of event `seq`. `sentAt` (publish time, epoch ms) lets the receiver compute
 * publish→receipt latency from the body alone, whoever delivered it.
 */
export function eventData(seq: number, sentAt: number) {
  return {
    seq,
    sentAt: Math.round(sentAt * 1000) / 1000,
    jobId: `job_${seq.toString(36).padStart(8, '0')}`,
    table: 'sales_data',
    rowsIngested: 15234,
    duration: 3200,
    note: PAD,
  };
}

/** The body a receiver gets for an event: Herald's documented envelope, used by the ceiling sender too. */
export function deliveryBody(seq: number, sentAt: number): string {
  return JSON.stringify({
    event: EVENT_TYPE,
    timestamp: new Date(Math.floor(sentAt / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    tenantId: TENANT_ID,
    data: eventData(seq, sentAt),
  });
}
