import type { Delivery } from '../api-types';
import { formatDuration, formatTime, isSuccessCode } from '../format';

/** A Test's attempt as Herald recorded it: delivered or failed, the status code, the response time. */
export function TestResult({ delivery }: { delivery: Delivery }) {
  const ok = delivery.status === 'succeeded' || isSuccessCode(delivery.statusCode);
  return (
    <span className={ok ? 'text-success' : 'text-danger'} title={formatTime(delivery.timestamp)}>
      <span aria-hidden="true">{ok ? '✓ ' : '✕ '}</span>
      {ok ? 'Test delivered' : 'Test failed'}
      {delivery.statusCode !== null ? ` — ${delivery.statusCode}` : ''}
      {delivery.responseTimeMs !== null ? ` in ${formatDuration(delivery.responseTimeMs)}` : ''}
      {!ok && delivery.error ? ` — ${delivery.error}` : ''}
    </span>
  );
}
