import type { ReplayAllBody, ReplayedDeadLetters, SkippedDeadLetters } from '../api-types';

/** What a replay did, in the server's numbers, and the selection to replay again once a webhook is enabled. */
export interface Outcome {
  tone: 'success' | 'warning';
  text: string;
  skipped: SkippedDeadLetters[];
  retry: ReplayAllBody;
}

function events(count: number): string {
  return count === 1 ? '1 failed event' : `${count.toLocaleString()} failed events`;
}

export function outcomeOf(result: ReplayedDeadLetters, body: ReplayAllBody): Outcome {
  const skipped = result.skipped.reduce((sum, s) => sum + s.count, 0);
  const replayed =
    result.replayed > 0
      ? `Replaying ${events(result.replayed)}: each is delivered again with the full retry schedule.`
      : 'Nothing was replayed.';
  return {
    tone: skipped > 0 ? 'warning' : 'success',
    text: skipped > 0 ? `${replayed} ${events(skipped)} stayed in the queue.` : replayed,
    skipped: result.skipped,
    retry: body,
  };
}

/** Why a replay passed over some dead letters (their webhook is disabled), with Enable for each webhook. */
export function SkippedList({
  skipped,
  future,
  onEnable,
}: {
  skipped: SkippedDeadLetters[];
  /** Said before the replay (a dry run's count), not after it. */
  future?: boolean;
  onEnable: (skipped: SkippedDeadLetters) => void;
}) {
  return (
    <ul className="skipped-list">
      {skipped.map((s) => (
        <li key={s.webhookId}>
          <span>
            {future ? `${events(s.count)} will be skipped` : `${events(s.count)} not replayed`}: the webhook{' '}
            <strong>{s.description || s.url}</strong>
            {s.description && <span className="mono break"> ({s.url})</span>} is disabled
            {s.disabledReason ? ` (${s.disabledReason})` : ''}.
          </span>
          <button type="button" className="button button-small" onClick={() => onEnable(s)}>
            {future ? 'Enable webhook' : 'Enable webhook and replay'}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ReplayOutcome({
  outcome,
  onEnable,
  onDismiss,
}: {
  outcome: Outcome;
  onEnable: (skipped: SkippedDeadLetters) => void;
  onDismiss: () => void;
}) {
  return (
    <div
      className={`notice notice-${outcome.tone === 'success' ? 'success' : 'warning'} replay-outcome`}
      role="status"
    >
      <div>
        <p>{outcome.text}</p>
        {outcome.skipped.length > 0 && <SkippedList skipped={outcome.skipped} onEnable={onEnable} />}
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
