/**
 * Prometheus durations (`model.ParseDuration`): units y, w, d, h, m, s, ms, each at most once and
 * in that order, such as `1h30m`, `5m` or `0s`; the bare `0` is allowed too. Pure.
 */

const durationPattern =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const unitMs = [
  365 * 24 * 3600_000,
  7 * 24 * 3600_000,
  24 * 3600_000,
  3600_000,
  60_000,
  1000,
  1,
] as const;

/** Milliseconds of a Prometheus duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  let total = 0;
  unitMs.forEach((ms, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * ms;
  });
  return total;
}

/**
 * A YAML value read as a duration the way Prometheus' YAML reader does: strings, and numbers
 * read as their text (so `0` is valid and `5` is not).
 */
export function durationOf(value: unknown): number | undefined {
  if (typeof value === 'string') return parseDuration(value);
  if (typeof value === 'number' && Number.isInteger(value)) return parseDuration(String(value));
  return undefined;
}

export const durationHint =
  'use a Prometheus duration: digits with units y, w, d, h, m, s or ms, largest first, e.g. 30s, 5m, 1h30m';
