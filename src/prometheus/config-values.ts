/**
 * The value checks every `prometheus.yml` section shares: the finding code, durations,
 * mappings and lists, booleans and non-negative counts, the scrape scheme, and label sets. Pure.
 */
import { durationHint, durationOf } from './duration.js';
import { isValidLabelName, labelNameHint, type NameValidation } from './names.js';
import { describe, isRecord, type FindingCollector, type ObjectPath } from './source.js';
import { quoteJson } from '../text-safety.js';

export const code = (suffix: string): string => `prometheus-config/${suffix}`;

const booleanKeys = [
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'enable_compression',
  'follow_redirects',
  'enable_http2',
  'proxy_from_environment',
  'scrape_classic_histograms',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_native_histograms',
];
const countKeys = [
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'keep_dropped_targets',
  'native_histogram_bucket_limit',
];

/** The value checks of every section; the section checkers extend it. */
export class ConfigValueChecker {
  constructor(
    protected readonly out: FindingCollector,
    protected readonly scheme: NameValidation,
  ) {}

  /** The duration at `path` in ms; undefined when unset (or reported as invalid). */
  duration(object: Record<string, unknown>, key: string, path: ObjectPath): number | undefined {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    const ms = durationOf(value);
    if (ms === undefined)
      this.out.add({
        code: code('invalid-duration'),
        message: `${key}: ${describe(value)} is not a valid duration`,
        path: [...path, key],
        hint: durationHint,
      });
    return ms;
  }

  mapping(value: unknown, path: ObjectPath, what: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.out.add({
      code: code('invalid-type'),
      message: `${what} must be a mapping, not ${describe(value)}`,
      path,
    });
    return undefined;
  }

  list(value: unknown, path: ObjectPath, what: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.out.add({
      code: code('invalid-type'),
      message: `${what} must be a list, not ${describe(value)}`,
      path,
    });
    return [];
  }

  types(object: Record<string, unknown>, path: ObjectPath): void {
    for (const key of booleanKeys)
      if (object[key] !== undefined && typeof object[key] !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `${key} must be true or false, not ${describe(object[key])}`,
          path: [...path, key],
        });
    for (const key of countKeys) {
      const value = object[key];
      if (
        value !== undefined &&
        !(typeof value === 'number' && Number.isInteger(value) && value >= 0)
      )
        this.out.add({
          code: code('invalid-type'),
          message: `${key} must be a non-negative integer, not ${describe(value)}`,
          path: [...path, key],
        });
    }
    const scheme = object.scheme;
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
      this.out.add({
        code: code('invalid-scheme'),
        message: `scheme must be http or https, not ${describe(scheme)}`,
        path: [...path, 'scheme'],
      });
  }

  labels(value: unknown, path: ObjectPath, what: string): void {
    const labels = this.mapping(value, path, what);
    if (!labels) return;
    for (const [name, text] of Object.entries(labels)) {
      if (!isValidLabelName(name, this.scheme))
        this.out.add({
          code: code('invalid-label-name'),
          message: `${quoteJson(name)} is not a valid label name in ${what}`,
          path: [...path, name],
          at: 'key',
          hint: labelNameHint,
        });
      if (typeof text !== 'string' && typeof text !== 'number' && typeof text !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `${what} ${name}: the value must be a string, not ${describe(text)}`,
          path: [...path, name],
        });
    }
  }
}
