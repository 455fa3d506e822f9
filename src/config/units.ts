/**
 * Arithmetic on the value formats of environment files: Prometheus durations, Kubernetes
 * quantities and Prometheus retention sizes. Inputs are assumed to have passed the schema.
 */

const durationUnitsMs: Record<string, number> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

export function durationToMs(duration: string): number {
  let total = 0;
  for (const match of duration.matchAll(/(\d+)(ms|[ywdhms])/g)) {
    total += Number(match[1]) * (durationUnitsMs[match[2] ?? ''] ?? 0);
  }
  return total;
}

const quantitySuffixes: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (bytes for memory and storage, cores for CPU). */
export function quantityToNumber(quantity: string): number {
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|([KMGTPE]i|[numkMGTPE]))?$/.exec(
    quantity,
  );
  if (!match) return Number.NaN;
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  return base * (quantitySuffixes[match[3] ?? ''] ?? Number.NaN);
}

/** Prometheus size units are powers of two (`GB` means GiB). */
const retentionUnits: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  PB: 2 ** 50,
  EB: 2 ** 60,
};

export function retentionSizeToBytes(size: string): number {
  const match = /^(\d+)([KMGTPE]?B)$/.exec(size);
  if (!match) return Number.NaN;
  return Number(match[1]) * (retentionUnits[match[2] ?? ''] ?? Number.NaN);
}

/** The largest whole retention size not above `bytes`, in the coarsest unit that keeps two digits. */
export function bytesToRetentionSize(bytes: number): string {
  for (const unit of ['TB', 'GB', 'MB', 'KB'] as const) {
    const value = Math.floor(bytes / (retentionUnits[unit] ?? 1));
    if (value >= 10) return `${value}${unit}`;
  }
  return `${Math.max(1, Math.floor(bytes))}B`;
}
