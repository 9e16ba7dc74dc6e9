import { useConnection } from '../connection';

/**
 * "Live" only while the list's last refresh came back: when Herald cannot be reached, or the list's
 * own refresh failed, it says so instead of pulsing green over stale rows.
 */
export function LiveIndicator({ stale, title }: { stale: boolean; title: string }) {
  const { online } = useConnection();
  if (!online || stale) {
    return (
      <span className="live live-offline" title="The rows shown are from the last answer Herald gave">
        <span className="live-dot" aria-hidden="true" />
        Offline — retrying
      </span>
    );
  }
  return (
    <span className="live" title={title}>
      <span className="live-dot" aria-hidden="true" />
      Live
    </span>
  );
}
