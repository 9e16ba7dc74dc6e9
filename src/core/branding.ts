/**
 * A tenant's accent colour carries white text (buttons) and sits as text on white (links), so it
 * must reach WCAG AA's 4.5:1 against white either way; a lighter one would make the console unreadable.
 */
export const MIN_ACCENT_CONTRAST = 4.5;

/** WCAG 2.1 relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of white text on `hex` (1 to 21). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

/** Why the colour cannot be an accent, as a sentence's end; null when it can. */
export function accentColorProblem(hex: string): string | null {
  const ratio = contrastWithWhite(hex);
  if (ratio >= MIN_ACCENT_CONTRAST) return null;
  return (
    `${hex} against white has a contrast of ${(Math.floor(ratio * 100) / 100).toFixed(2)}:1, under the ${MIN_ACCENT_CONTRAST}:1 ` +
    'that text needs to be readable; choose a darker colour'
  );
}
