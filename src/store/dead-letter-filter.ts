import { DEAD_LETTER_PREFIX, fromPublicId } from '../core/public-ids.js';
import type { DeadLetterFilter } from './store.js';

/** How a backend spells "the dead letter `l` is one of `:keys`" (null: any), and what it binds to `:keys`. */
export interface KeyList {
  clause: string;
  bind(keys: number[] | null): unknown;
}

export const SQLITE_KEY_LIST: KeyList = {
  clause: '(:keys IS NULL OR l.id IN (SELECT value FROM json_each(:keys)))',
  bind: (keys) => (keys === null ? null : JSON.stringify(keys)),
};

export const POSTGRES_KEY_LIST: KeyList = {
  clause: '(CAST(:keys AS bigint[]) IS NULL OR l.id = ANY (:keys))',
  bind: (keys) => keys,
};

/**
 * Which dead letters (`l`) of `:tenantId` a filter selects, in the named parameters both backends
 * read (see history.ts); the CASTs tell PostgreSQL an optional parameter's type.
 */
export function deadLetterMatches(keys: KeyList): string {
  return `l.tenant_id = :tenantId AND ${keys.clause}
    AND (CAST(:webhookId AS text) IS NULL OR l.webhook_id = :webhookId)
    AND (CAST(:event AS text) IS NULL
      OR EXISTS (SELECT 1 FROM events fe WHERE fe.seq = l.event_seq AND fe.event = :event))
    AND (CAST(:failedFrom AS bigint) IS NULL OR l.failed_at >= :failedFrom)
    AND (CAST(:failedBefore AS bigint) IS NULL OR l.failed_at < :failedBefore)`;
}

/** The parameters of deadLetterMatches; ids that are no dead letter's are dropped (they match nothing). */
export function deadLetterParams(
  tenantId: string,
  filter: DeadLetterFilter,
  keys: KeyList,
): Record<string, unknown> {
  const ids = filter.ids?.map((id) => fromPublicId(DEAD_LETTER_PREFIX, id)).filter((key) => key !== null);
  return {
    tenantId,
    keys: keys.bind(ids ?? null),
    webhookId: filter.webhookId ?? null,
    event: filter.event ?? null,
    failedFrom: filter.failedFrom ?? null,
    failedBefore: filter.failedBefore ?? null,
  };
}
