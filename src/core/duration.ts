const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Parses `250ms`, `10s`, `1m`, `2h`, `5d` (whole or decimal amounts) into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** The shortest exact way to write a duration: 600000 → `10m`, 1500 → `1.5s`, 250 → `250ms`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const amount = ms / UNIT_MS[unit];
    // Exact to three decimals? Compared after rounding: 2.01 * 1000 is 2009.9999999999998.
    const thousandths = Math.round(amount * 1000);
    if (amount >= 1 && Math.abs(amount * 1000 - thousandths) < 1e-6) return `${thousandths / 1000}${unit}`;
  }
  return `${ms}ms`;
}
