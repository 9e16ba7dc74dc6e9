import { useCallback, useState } from 'react';
import { api } from '../api';
import type { ReplayPage } from '../api-types';
import { formatTime } from '../format';
import { usePolling } from '../hooks';

/**
 * Replays the server still has under way (their attempt pending: not delivered, not back in the
 * queue), polled with the queue; nothing while there are none.
 */
export function useReplays(tenantId: string, webhookId: string | undefined, pollMs: number) {
  const [replays, setReplays] = useState<ReplayPage | null>(null);
  const refresh = useCallback(async () => {
    setReplays(await api.listReplays(tenantId, webhookId));
  }, [tenantId, webhookId]);
  usePolling(refresh, pollMs);
  return { replays, refresh };
}

/** When the replay's pending attempt goes out: a time to come, now, or after the webhook's earlier deliveries. */
function whenNext(nextAttemptAt: string | null): string {
  if (nextAttemptAt === null) return ', waiting its turn';
  return Date.parse(nextAttemptAt) > Date.now() ? `, next try ${formatTime(nextAttemptAt)}` : ', being sent';
}

export function ReplaysUnderWay({
  replays,
  names,
}: {
  replays: ReplayPage | null;
  names: Map<string, string>;
}) {
  if (!replays || replays.total === 0) return null;
  const more = replays.total - replays.data.length;
  return (
    <section className="notice notice-info replays" aria-label="Replays under way">
      <div>
        <strong>
          {replays.total === 1 ? '1 replay under way' : `${replays.total.toLocaleString()} replays under way`}
        </strong>
        : not delivered yet. Each stays here until it is delivered, or comes back to the queue if it fails
        again.
        <ul className="replay-list">
          {replays.data.map((delivery) => (
            <li key={delivery.id}>
              <span className="mono">{delivery.event}</span> to{' '}
              {names.get(delivery.webhookId) || delivery.webhookId}
              {' · '}
              attempt {delivery.attempt}
              {whenNext(delivery.nextAttemptAt)}
            </li>
          ))}
          {more > 0 && <li>and {more.toLocaleString()} more</li>}
        </ul>
      </div>
    </section>
  );
}
