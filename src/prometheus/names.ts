/**
 * Metric and label names. Prometheus 2.x (and 3.x with `metric_name_validation_scheme: legacy`)
 * accepts only the classic character set; Prometheus 3.x by default accepts any non-empty
 * UTF-8 string. The stack's output is meant to load in both, so `legacy` is the default. Pure.
 */

export type NameValidation = 'legacy' | 'utf8';

export interface NameOptions {
  /** Which names are valid: `legacy` (default; Prometheus 2.x and promtool) or `utf8`. */
  nameValidation?: NameValidation;
}

const legacyLabel = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const legacyMetric = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string, scheme: NameValidation = 'legacy'): boolean {
  return scheme === 'utf8' ? name.length > 0 && !/\p{Cs}/u.test(name) : legacyLabel.test(name);
}

export function isValidMetricName(name: string, scheme: NameValidation = 'legacy'): boolean {
  return scheme === 'utf8' ? name.length > 0 && !/\p{Cs}/u.test(name) : legacyMetric.test(name);
}

export const labelNameHint =
  'label names are letters, digits and underscores, not starting with a digit (e.g. team_name)';
export const metricNameHint =
  'metric names are letters, digits, underscores and colons, not starting with a digit; recording rules are usually level:metric:operations, e.g. job:http_requests:rate5m';
