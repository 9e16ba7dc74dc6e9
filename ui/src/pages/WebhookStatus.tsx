import type { Webhook } from '../api-types';
import { Badge } from '../components/Badge';
import { formatTime } from '../format';

/*
 * Whether a webhook receives events, and if not or if it keeps failing, why: the webhooks list shows it
 * in the Status column, the webhook's own pages in a notice at the top. A null `disabledReason` on a
 * disabled webhook means a person disabled it; only Herald gives a reason.
 */

function FailingSince({ since }: { since: string }) {
  return (
    <time dateTime={since} title={since}>
      Failing since {formatTime(since)}
    </time>
  );
}

/** The Status column: Active or Disabled, with who disabled it and why, or since when it fails. */
export function WebhookStatus({ webhook }: { webhook: Webhook }) {
  if (webhook.status === 'disabled') {
    if (!webhook.disabledReason) return <Badge tone="neutral">Disabled</Badge>;
    return (
      <>
        <Badge tone="danger">Disabled</Badge>
        <span className="status-note text-danger">
          <strong>Disabled by Herald:</strong> {webhook.disabledReason}
        </span>
      </>
    );
  }
  return (
    <>
      <Badge tone="success">Active</Badge>
      {webhook.failingSince && (
        <span className="status-note text-warning">
          <span aria-hidden="true">⚠ </span>
          <FailingSince since={webhook.failingSince} />
        </span>
      )}
    </>
  );
}

/** The same on a webhook's own pages, spelled out; nothing while it is active and its last attempt succeeded. */
export function WebhookStatusNotice({ webhook }: { webhook: Webhook }) {
  const untilEnabled = 'It receives no new events until it is enabled again.';
  if (webhook.status === 'disabled') {
    return webhook.disabledReason ? (
      <div className="notice notice-error" role="status">
        <p>
          <strong>Disabled by Herald:</strong> {webhook.disabledReason} {untilEnabled}
        </p>
      </div>
    ) : (
      <div className="notice notice-neutral" role="status">
        <p>
          <strong>Disabled.</strong> {untilEnabled}
        </p>
      </div>
    );
  }
  if (!webhook.failingSince) return null;
  return (
    <div className="notice notice-warning" role="status">
      <p>
        <strong>
          <FailingSince since={webhook.failingSince} />.
        </strong>{' '}
        Every attempt since then has failed.
      </p>
    </div>
  );
}
