import { connection, RETRY_MS, useConnection } from '../connection';
import { formatTime } from '../format';

/** Across the top of every page while Herald cannot be reached; it goes away by itself once Herald answers. */
export function ConnectionBanner() {
  const { online, offlineSince, reason } = useConnection();
  if (online || offlineSince === null) return null;
  return (
    <div className="connection-banner" role="alert">
      <div>
        <strong>Offline — retrying every {RETRY_MS / 1000} s.</strong> {reason} Since{' '}
        {formatTime(new Date(offlineSince).toISOString())}, what you see may be out of date and actions will
        not go through.
      </div>
      <button type="button" className="button button-small" onClick={() => connection.retryNow()}>
        Retry now
      </button>
    </div>
  );
}
