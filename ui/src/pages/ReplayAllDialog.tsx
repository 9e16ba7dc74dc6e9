import { useEffect, useState } from 'react';
import { api } from '../api';
import type { ReplayAllBody, ReplayedDeadLetters, SkippedDeadLetters } from '../api-types';
import { ConfirmDialog } from '../components/dialogs';
import { SkippedList } from './ReplayOutcome';

/** A Replay All about to be confirmed: what it asks for, and the server's dry run of it. */
export interface ReplayAllRequest {
  body: ReplayAllBody;
  dry: ReplayedDeadLetters;
}

/**
 * Confirms a Replay All with the server's own count (its dry run) and what it would pass over (the
 * dead letters of disabled webhooks, each with an Enable), then replays.
 */
export function ReplayAllDialog({
  tenantId,
  request,
  filtered,
  onReplayed,
  onEnable,
  onCancel,
}: {
  tenantId: string;
  request: ReplayAllRequest | null;
  /** Whether the queue's filters narrow it, which the question says. */
  filtered: boolean;
  onReplayed: (result: ReplayedDeadLetters, body: ReplayAllBody) => Promise<void>;
  onEnable: (skipped: SkippedDeadLetters, body: ReplayAllBody) => void;
  onCancel: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: each new request starts without an error
  useEffect(() => setError(null), [request]);

  async function replay({ body }: ReplayAllRequest) {
    setBusy(true);
    setError(null);
    try {
      await onReplayed(await api.replayDeadLetters(tenantId, body), body);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const dry = request?.dry;
  const count = dry?.replayed ?? 0;
  return (
    <ConfirmDialog
      open={request !== null}
      title={
        count > 0
          ? `Replay all ${count} failed ${count === 1 ? 'event' : 'events'}?`
          : 'No failed event can be replayed'
      }
      message={
        <>
          {count > 0 ? (
            <>
              Herald will deliver {count === 1 ? 'it' : `all ${count.toLocaleString()}`} again
              {filtered ? ' (every failed event that matches the filters)' : ''} with the full retry schedule.
              Make sure the endpoints are healthy first.
            </>
          ) : (
            'Every failed event selected belongs to a disabled webhook.'
          )}
          {dry && dry.skipped.length > 0 && (
            <SkippedList
              skipped={dry.skipped}
              future
              onEnable={(skipped) => request && onEnable(skipped, request.body)}
            />
          )}
        </>
      }
      confirmLabel={count === 1 ? 'Replay 1 event' : `Replay ${count.toLocaleString()} events`}
      busy={busy}
      confirmDisabled={count === 0}
      error={error}
      onConfirm={() => request && void replay(request)}
      onCancel={onCancel}
    />
  );
}
