import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import type { DeadLetter } from '../api-types';
import { ConfirmDialog } from '../components/dialogs';
import { useToast } from '../toasts';

/** Dead letters about to be discarded: one row's (`entry` given), or a selection's. */
export interface Discarding {
  ids: string[];
  entry?: DeadLetter;
}

/**
 * Confirms and discards dead letters. Those already gone (replayed or discarded elsewhere) leave
 * the list all the same, and the toast says how many were.
 */
export function DiscardDialog({
  tenantId,
  discarding,
  onDiscarded,
  onCancel,
}: {
  tenantId: string;
  discarding: Discarding | null;
  onDiscarded: (ids: string[]) => void;
  onCancel: () => void;
}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: each new confirmation starts without an error
  useEffect(() => setError(null), [discarding]);

  async function discard({ ids, entry }: Discarding) {
    setBusy(true);
    setError(null);
    try {
      if (ids.length === 1 && entry) {
        try {
          await api.discardDeadLetter(tenantId, entry.id);
          toast(`Discarded ${entry.event}. It will not be delivered.`);
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 404)) throw err;
          toast(`${entry.event} had already left the queue.`, 'info');
        }
      } else {
        const { discarded } = await api.discardDeadLetters(tenantId, { ids });
        const gone = ids.length - discarded;
        toast(
          `Discarded ${discarded} failed ${discarded === 1 ? 'event' : 'events'}.` +
            (gone > 0 ? ` ${gone} had already left the queue.` : ''),
        );
      }
      onDiscarded(ids);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog
      open={discarding !== null}
      title={
        discarding?.entry
          ? 'Discard this failed event?'
          : `Discard ${discarding?.ids.length ?? 0} failed ${discarding?.ids.length === 1 ? 'event' : 'events'}?`
      }
      message={
        discarding?.entry ? (
          <>
            <span className="mono">{discarding.entry.event}</span> will not be delivered to{' '}
            <span className="mono break">{discarding.entry.url}</span>. Its failed attempts stay in the
            delivery history until they age out.
          </>
        ) : (
          'They will not be delivered. Their failed attempts stay in the delivery history until they age out.'
        )
      }
      confirmLabel="Discard"
      danger
      busy={busy}
      error={error}
      onConfirm={() => discarding && void discard(discarding)}
      onCancel={onCancel}
    />
  );
}
