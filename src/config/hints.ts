/**
 * Hints that turn a rejection into a fix: "did you mean" suggestions for misspelt keys and
 * names, and examples for each value format. Pure.
 */
import type { FormatName } from './schema.js';
import { clip } from '../text-safety.js';

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    // The length difference bounds the distance from below: a long value (a pasted blob) is
    // no typo of a short name, and its distance table would cost length x length.
    const longest = Math.max(input.length, candidate.length);
    if (Math.abs(input.length - candidate.length) > Math.max(1, Math.floor(longest / 3))) continue;
    const distance = editDistance(needle, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(input.length, best.candidate.length) / 3));
  return best.distance <= allowed ? best.candidate : undefined;
}

export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const match = closestMatch(input, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}

/** Hint for a value that does not match a format, tailored to common mistakes. */
export function formatHint(format: FormatName, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  switch (format) {
    case 'duration':
      return 'use a Prometheus duration: a number and a unit among ms, s, m, h, d, w, y, such as 30s, 5m, 12h or 30d';
    case 'quantity': {
      const decimal = /^(\d+(?:\.\d+)?)\s*([KMGTPE])B$/i.exec(text);
      const suggestion = decimal
        ? ` (for example \`${clip(decimal[1] ?? '')}${(decimal[2] ?? '').toUpperCase()}i\`)`
        : '';
      return `use a Kubernetes quantity such as 500m, 2, 512Mi or 2Gi; byte suffixes are Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), never KB/MB/GB${suggestion}`;
    }
    case 'retention-size': {
      const binary = /^(\d+)([KMGTPE])i$/.exec(text);
      const suggestion = binary
        ? ` (for example \`${clip(binary[1] ?? '')}${binary[2] ?? ''}B\`)`
        : '';
      return `use an integer and one of B, KB, MB, GB, TB, PB, such as 40GB${suggestion}`;
    }
    case 'dns-label':
      return 'use lowercase letters, digits and "-", start and end with a letter or digit, at most 63 characters (it becomes a Kubernetes name or a folder)';
    case 'label-name':
      return 'use letters, digits and "_", not starting with a digit or "__"';
    case 'image-repository':
      return 'use a repository such as quay.io/prometheus/prometheus, without a tag';
    case 'image-tag':
      return 'use a tag such as v3.5.5, without the repository or a colon (a digest goes after "@": v3.5.5@sha256:<64 hex digits>)';
    case 'image-digest':
      return 'use sha256: and 64 lowercase hex digits, such as the digest `docker buildx imagetools inspect` prints';
    case 'http-path':
      return 'use a path starting with "/", such as /metrics';
    case 'repo-path':
      return 'use a folder relative to the repository root, such as monitoring or clusters/eu (no "..", no leading "/")';
    case 'git-remote':
      return 'use https://host/org/repo.git, ssh://git@host/org/repo.git, git@host:org/repo.git or a local path';
    case 'git-branch':
      return 'use a branch name such as main or release/2026-11: not starting with "-" or ".", without "..", "//" or "@{"';
    case 'secret-key':
      return 'use a Secret data key: letters, digits, "-", "_" and "." only, such as slack-api-url';
    case 'email':
      return 'use an email address such as mlops@example.com';
    case 'host-port':
      return 'use host:port, such as smtp.example.com:587';
    case 'http-url':
      return 'use an http:// or https:// URL, such as https://alerts.example.com/hook';
    case 'https-url':
      return 'use the API server URL, such as https://kubernetes.default.svc or https://10.0.0.1:6443';
  }
}
