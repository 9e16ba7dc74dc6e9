import { api } from '../api';
import type { DeadLetter, Delivery } from '../api-types';
import { CopyButton } from '../components/CopyButton';
import { DetailField, DetailStates } from '../components/details';
import { Dialog } from '../components/dialogs';
import { formatDuration, formatTime, prettyJson } from '../format';
import { useDetail } from '../hooks';
import { Link, paths } from '../router';
import { StatusBadge } from './DeliveryStatus';

interface DialogProps {
  tenantId: string;
  deadLetterId: string | null;
  onClose: () => void;
}

function CloseButton({ onClose }: { onClose: () => void }) {
  return (
    <button type="button" className="button button-primary" onClick={onClose}>
      Close
    </button>
  );
}

export function PayloadDialog({ tenantId, deadLetterId, onClose }: DialogProps) {
  const { detail, error } = useDetail(deadLetterId, (id) => api.getDeadLetter(tenantId, id), [tenantId]);
  const payload = detail?.payload ?? '';
  return (
    <Dialog
      open={deadLetterId !== null}
      title="Failed event payload"
      onClose={onClose}
      wide
      footer={
        <>
          {detail && <CopyButton text={payload} label="Copy payload" />}
          <CloseButton onClose={onClose} />
        </>
      }
    >
      <DetailStates detail={detail} error={error}>
        {(detail) => (
          <>
            <dl className="detail-grid">
              <DetailField label="Event" className="mono">
                {detail.event}
              </DetailField>
              <DetailField label="Attempts">{detail.attempts}</DetailField>
              <DetailField label="Failed">{formatTime(detail.failedAt)}</DetailField>
              <DetailField label="Event ID" className="mono break">
                {detail.eventId}
              </DetailField>
            </dl>
            <section className="detail-section">
              <h3>Error message</h3>
              <div className="notice notice-error">{detail.error}</div>
            </section>
            <section className="detail-section">
              <h3>Payload</h3>
              <pre className="code-block">{prettyJson(payload)}</pre>
            </section>
          </>
        )}
      </DetailStates>
    </Dialog>
  );
}

interface FailedEvent {
  letter: DeadLetter;
  attempts: Delivery[];
}

/** One dead letter's story: every attempt of its event to its webhook, and what the last one got back. */
export function AttemptsDialog({ tenantId, deadLetterId, onClose }: DialogProps) {
  const { detail, error } = useDetail<FailedEvent>(
    deadLetterId,
    async (id) => {
      const [letter, attempts] = await Promise.all([
        api.getDeadLetter(tenantId, id),
        api.deadLetterAttempts(tenantId, id),
      ]);
      return { letter, attempts: attempts.data };
    },
    [tenantId],
  );
  return (
    <Dialog
      open={deadLetterId !== null}
      title="Failed event attempts"
      onClose={onClose}
      wide
      footer={<CloseButton onClose={onClose} />}
    >
      <DetailStates detail={detail} error={error}>
        {({ letter, attempts }) => (
          <>
            <dl className="detail-grid">
              <DetailField label="Event" className="mono">
                {letter.event}
              </DetailField>
              <DetailField label="Event ID" className="mono break">
                {letter.eventId}
              </DetailField>
              <DetailField label="Webhook URL" className="mono break">
                {letter.url}
              </DetailField>
              <DetailField label="Failed">{formatTime(letter.failedAt)}</DetailField>
            </dl>
            <section className="detail-section">
              <h3>Last response</h3>
              <LastResponse letter={letter} />
            </section>
            <section className="detail-section">
              <h3>Attempts</h3>
              {attempts.length === 0 ? (
                <p className="muted">The delivery history no longer holds these attempts.</p>
              ) : (
                <ol className="attempt-timeline">
                  {attempts.map((attempt) => (
                    <AttemptItem key={attempt.id} attempt={attempt} />
                  ))}
                </ol>
              )}
              <p className="detail-footnote">
                <Link to={paths.deliveries(letter.webhookId)}>Open this webhook's delivery history</Link>
              </p>
            </section>
          </>
        )}
      </DetailStates>
    </Dialog>
  );
}

/** The status code and the error, each once: Herald's error for a bad status is often just "HTTP 500". */
function withStatus(statusCode: number | null, error: string | null): string {
  const status = statusCode === null ? 'No response' : `HTTP ${statusCode}`;
  return error && error !== status ? `${status} · ${error}` : status;
}

function LastResponse({ letter }: { letter: DeadLetter }) {
  const last = letter.lastAttempt;
  if (!last) return <p className="muted">The delivery history no longer holds the last attempt.</p>;
  return (
    <>
      <p className="text-danger">{withStatus(last.statusCode, letter.error)}</p>
      {last.responseBody ? (
        <pre className="code-block">{prettyJson(last.responseBody)}</pre>
      ) : (
        <p className="muted">The response had no body.</p>
      )}
    </>
  );
}

function AttemptItem({ attempt }: { attempt: Delivery }) {
  const triggered = attempt.trigger === 'event' ? '' : ` (${attempt.trigger})`;
  return (
    <li>
      <div className="attempt-line">
        <span className="attempt-number">
          Attempt {attempt.attempt}
          {triggered}
        </span>
        <StatusBadge status={attempt.status} />
        <time dateTime={attempt.timestamp}>{formatTime(attempt.timestamp)}</time>
      </div>
      <div className="cell-sub">
        {withStatus(attempt.statusCode, attempt.error)}
        {attempt.responseTimeMs !== null && ` · ${formatDuration(attempt.responseTimeMs)}`}
      </div>
    </li>
  );
}
