import type { Webhook } from './api-types';

const time: Intl.DateTimeFormatOptions = {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
};
const thisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', ...time });
const otherYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  ...time,
});

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });

/** "10:30": a time later today, in the viewer's time zone. */
export function formatClock(ms: number): string {
  return clock.format(new Date(ms));
}

/** "Jan 15, 10:30:00" (the year only when it is not this one), in the viewer's time zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === new Date().getFullYear() ? thisYear : otherYear).format(date);
}

// Built once: constructing an Intl formatter costs more than a table row's whole render.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? 'just now' : 'in a few seconds';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function isSuccessCode(code: number | null | undefined): boolean {
  return typeof code === 'number' && code >= 200 && code < 300;
}

/** Pretty-prints JSON text; anything else is returned unchanged. */
export function prettyJson(text: string | null | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A webhook as people tell them apart: its description and its URL. */
export function webhookLabel(webhook: Pick<Webhook, 'description' | 'url'>): string {
  return webhook.description ? `${webhook.description} — ${webhook.url}` : webhook.url;
}
