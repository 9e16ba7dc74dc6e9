import type { Delivery, DeliveryStatus, DeliveryTrigger } from '../api-types';
import { Badge, type Tone } from '../components/Badge';
import { formatRelative, isSuccessCode } from '../format';

/* How a delivery's status, status code and trigger are shown, alike in the history table and its detail dialog. */

const STATUS_TONE: Record<DeliveryStatus, Tone> = {
  succeeded: 'success',
  failed: 'danger',
  pending: 'warning',
};
export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
};
export const TRIGGER_LABEL: Record<DeliveryTrigger, string> = {
  event: 'Event',
  test: 'Test',
  resend: 'Resend',
  replay: 'Replay',
};

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{STATUS_LABEL[status]}</Badge>;
}

export function StatusCode({ delivery }: { delivery: Delivery }) {
  if (delivery.statusCode === null) {
    return (
      <span className="code-cell">
        <span className="code code-none" aria-hidden="true">
          —
        </span>
        <span className="visually-hidden">No status code</span>
        {delivery.error && <span className="cell-sub text-danger">{delivery.error}</span>}
        {!delivery.error && delivery.status === 'pending' && <span className="cell-sub">Not sent yet</span>}
      </span>
    );
  }
  const ok = isSuccessCode(delivery.statusCode);
  return (
    <span className="code-cell">
      <span className={`code ${ok ? 'code-ok' : 'code-fail'}`} title={ok ? 'Success' : 'Failure'}>
        {delivery.statusCode}
      </span>
      <span className="visually-hidden">{ok ? ' success' : ' failure'}</span>
    </span>
  );
}

/** A pending delivery with no time set belongs to an ordered webhook and waits for the one before it. */
export function WaitingItsTurn() {
  return (
    <span title="This webhook delivers in order: this event goes once the one before it has succeeded or been dead-lettered.">
      Waiting its turn
    </span>
  );
}

/** Under a pending delivery's status: when it is due, or that it waits its turn. */
export function PendingNote({ nextAttemptAt }: { nextAttemptAt: string | null }) {
  return (
    <span className="cell-sub">
      {nextAttemptAt ? `due ${formatRelative(nextAttemptAt)}` : <WaitingItsTurn />}
    </span>
  );
}
