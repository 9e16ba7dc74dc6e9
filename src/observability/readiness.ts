import type { Operations } from '../store/store.js';

/** A probe gives up on a database that does not answer within this: a hung pool is not ready. */
export const READINESS_TIMEOUT_MS = 2_000;

/**
 * Why this process cannot serve now (its database does not answer in time, or its schema is older
 * than this Herald needs), or null when it can.
 */
export async function whyNotReady(store: Pick<Operations, 'schemaVersion'>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READINESS_TIMEOUT_MS);
  });
  try {
    const version = await Promise.race([store.schemaVersion(), timeout]);
    if (version === 'timeout') return `The database did not answer within ${READINESS_TIMEOUT_MS} ms.`;
    if (version.applied < version.expected) {
      return `The database schema is at version ${version.applied}; this Herald needs ${version.expected} (run herald migrate).`;
    }
    return null;
  } catch {
    return 'The database is unavailable.';
  } finally {
    clearTimeout(timer);
  }
}
