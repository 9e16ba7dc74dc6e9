import { hourOf } from '../core/attempt-window.js';
import type { PruneProgress } from './store.js';

/*
 * Retention, the rules both backends share. "Older than the window" is judged per event: it was
 * published before the cutoff, and its last delivery activity (an attempt, or the queueing of a
 * resend or replay) was too, so recent history of an old event is never cut in half. The event is
 * the unit: it goes with all its deliveries, or not at all.
 */

/** An event a sweep looked at, as SCAN_EVENTS reads it (SQLite answers its booleans as 0 or 1). */
export interface ScannedEvent {
  seq: number;
  /** Published before the cutoff. */
  old: boolean | number;
  /** Nothing needs it any more: no delivery queued, leased or recent; no dead letter; no fan-out to create. */
  done: boolean | number;
}

/**
 * The next events of a sweep in publish order, each with what decides whether it may go. Plain
 * SQL with named parameters that both backends run (PostgreSQL through toPositional).
 */
export const SCAN_EVENTS = `
  SELECT e.seq, e.timestamp < :cutoff AS old,
    NOT EXISTS (
      SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq
        AND (d.status = 'pending' OR coalesce(d.attempted_at, d.created_at) >= :cutoff)
    )
    AND NOT EXISTS (SELECT 1 FROM dead_letters l WHERE l.event_seq = e.seq)
    AND NOT EXISTS (SELECT 1 FROM fanouts f WHERE f.event_seq = e.seq) AS done
  FROM events e WHERE e.seq > :after ORDER BY e.seq LIMIT :limit`;

/**
 * The events of a scanned chunk that may go. Events are numbered in publish order, so the first
 * one inside the window ends the sweep's part of the table: none after it is older. Null when the
 * chunk starts inside the window (or is empty): the sweep is over.
 */
export function prunableEvents(
  scanned: readonly ScannedEvent[],
): { prunable: number[]; lastOld: number } | null {
  const edge = scanned.findIndex((event) => !event.old);
  const older = edge === -1 ? scanned : scanned.slice(0, edge);
  const last = older.at(-1);
  if (last === undefined) return null;
  return { prunable: older.filter((event) => event.done).map((event) => event.seq), lastOld: last.seq };
}

/**
 * Where the next chunk starts: at the first event still there, when a chunk's budget of deliveries
 * ran out before all its events' deliveries were deleted, else after the chunk.
 */
export function pruneProgress(
  chunk: { prunable: readonly number[]; lastOld: number },
  kept: readonly number[],
  removed: number,
): PruneProgress {
  const firstKept = Math.min(...kept);
  return { after: Number.isFinite(firstKept) ? firstKept - 1 : chunk.lastOld, removed };
}

/**
 * A chunk of the webhooks' hourly attempt counts (webhook_stats) whose whole hour is older than
 * the window: they sum history that is gone or going, and would otherwise grow by a row a webhook
 * an hour for ever. Found through webhook_stats_by_hour, so a sweep that finds nothing old reads a
 * page or two; without it, every sweep read every webhook's hours (70 ms for 2,000 webhooks with a
 * month each, on SQLite's serving thread). Same SQL on both backends; PostgreSQL passes `lockRows`
 * so that workers sweeping at once skip each other's rows instead of waiting on them.
 */
export function pruneHoursOfAttemptsSql(lockRows = ''): string {
  return `
    DELETE FROM webhook_stats WHERE (webhook_id, hour) IN (
      SELECT s.webhook_id, s.hour FROM webhook_stats s WHERE s.hour < :before LIMIT :limit ${lockRows})`;
}

/** pruneHoursOfAttemptsSql's parameters: the hours that ended by `cutoff`. */
export function oldHoursOfAttempts(cutoff: number, limit: number): { before: number; limit: number } {
  return { before: hourOf(cutoff), limit };
}
