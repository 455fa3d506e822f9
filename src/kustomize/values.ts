/**
 * Plain-data helpers shared by the build. Objects are the `toJS()` form of YAML documents,
 * with one twist: an empty YAML value (`key:` with nothing after it) is kept as `undefined`,
 * while an explicit `null` or `~` is `null`. Kustomize's strategic merge treats the two
 * differently (it drops the first and keeps the second), so the build needs to tell them apart;
 * `finalizeValue` turns the leftovers into `null` before the objects leave the build.
 */

export type JsonMap = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `null` (explicit) or `undefined` (an empty YAML value). */
export function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

export function hasOwn(object: JsonMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Removes a key of a plain-data map. */
export function deleteKey(object: JsonMap, key: string): void {
  Reflect.deleteProperty(object, key);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The text Kustomize sees for a scalar (kyaml compares `node.Value`): strings as they are,
 * numbers and booleans in their canonical form, `""` for null and for collections.
 */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return '';
}

export function isScalar(value: unknown): value is string | number | boolean | bigint {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint';
}

/** Deep equality of plain data (arrays ordered, maps unordered). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNullish(a) && isNullish(b)) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** Replaces every `undefined` (empty YAML value) by `null`, in place; returns the value. */
export function finalizeValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      value[index] = item === undefined ? null : finalizeValue(item);
    });
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const item = value[key];
      value[key] = item === undefined ? null : finalizeValue(item);
    }
  }
  return value;
}

// Kustomize's findings name paths the way every other check does.
export { formatPath } from '../findings.js';

/** An error inside a transformation: becomes a finding at the kustomization entry. */
export class KustomizeError extends Error {
  constructor(
    message: string,
    readonly code = 'kustomize/transform-failed',
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'KustomizeError';
  }
}
