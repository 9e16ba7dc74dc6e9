import { useEffect, useRef, useState } from 'react';
import { formatClock } from './format';

/** How long before a link or key stops working the console starts saying so. */
export const WARN_BEFORE_MS = 5 * 60_000;

/** setTimeout fires at once past 2^31 - 1 ms (keys may live for years): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function inWords(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return ms < 60_000 ? 'in less than a minute' : `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Counts down to `expiresAt` (as /v1/me reported it): a banner for the last minutes, so nobody loses
 * what they are typing without warning, then `onExpired` once the server would refuse the credential.
 */
export function SessionExpiry({
  expiresAt,
  portal,
  productName,
  onExpired,
}: {
  expiresAt: string | null;
  portal: boolean;
  productName: string;
  onExpired: () => void;
}) {
  const deadline = expiresAt === null ? null : Date.parse(expiresAt);
  const [left, setLeft] = useState(() => (deadline === null ? null : deadline - Date.now()));
  const expired = useRef(onExpired);
  expired.current = onExpired;

  useEffect(() => {
    if (deadline === null) return;
    const tick = () => {
      const remaining = deadline - Date.now();
      setLeft(remaining);
      if (remaining <= 0) expired.current();
      return remaining;
    };
    // Once a second in the last minutes; until then one timer that wakes when they begin.
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const remaining = tick();
      if (remaining <= 0) return;
      const untilWarning = Math.min(remaining - WARN_BEFORE_MS, MAX_TIMER_MS);
      timer = setTimeout(schedule, untilWarning > 0 ? untilWarning : 1_000);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [deadline]);

  if (deadline === null || left === null || left > WARN_BEFORE_MS || left <= 0) return null;
  return (
    <div className="notice notice-warning expiry-banner" role="status">
      <strong>
        {portal ? 'This link' : 'Your API key'} stops working {inWords(left)}, at {formatClock(deadline)}.
      </strong>{' '}
      {portal
        ? `Save what you are changing now. For more time, open the webhook settings in ${productName} again.`
        : 'Save what you are changing now, and ask an admin for a new key.'}
    </div>
  );
}
