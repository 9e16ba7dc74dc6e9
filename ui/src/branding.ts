import { useEffect } from 'react';
import type { TenantBranding } from './api-types';

/** The stylesheet's accent tokens, derived from one colour so hover, tint and focus ring stay in step. */
const ACCENT_TOKENS = ['--accent', '--accent-hover', '--accent-soft', '--accent-ring'] as const;

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16)) as [
    number,
    number,
    number,
  ];
}

/** `hex` moved `amount` (0..1) of the way towards `target` (0 black, 255 white). */
function mix(hex: string, target: number, amount: number): string {
  const parts = channels(hex).map((c) => Math.round(c + (target - c) * amount));
  return `#${parts.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function accentTokens(accent: string): Record<(typeof ACCENT_TOKENS)[number], string> {
  const [r, g, b] = channels(accent);
  return {
    '--accent': accent,
    '--accent-hover': mix(accent, 0, 0.15),
    '--accent-soft': mix(accent, 255, 0.92),
    '--accent-ring': `rgba(${r}, ${g}, ${b}, 0.28)`,
  };
}

/**
 * Dresses the console in the tenant's branding (set by the admin, read from /v1/me) for as long as
 * the console is mounted; nothing when there is none, as for the admin.
 */
export function useBranding(branding: TenantBranding | null): void {
  const accent = branding?.accentColor;
  useEffect(() => {
    if (!accent) return;
    const root = document.documentElement.style;
    for (const [token, value] of Object.entries(accentTokens(accent))) root.setProperty(token, value);
    return () => {
      for (const token of ACCENT_TOKENS) root.removeProperty(token);
    };
  }, [accent]);
}

/** The name the console goes by: the tenant's product name, else Herald. */
export function productName(branding: TenantBranding | null): string {
  return branding?.productName ?? 'Herald';
}
