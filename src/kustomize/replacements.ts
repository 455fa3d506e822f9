/**
 * `replacements` (api/filters/replacement): copy a field of one object (the source) into fields
 * of others (the targets). Paths are dotted, `[key=value]` picks list items (a regular
 * expression, unanchored, in targets), `*` every item of a list, a number one item; `[a.b]`
 * quotes a key with dots. A scalar target keeps its type (`replicas: 1` replaced by "3" stays a
 * number); a path that matches nothing fails unless `create: true`.
 */
import { effectiveNamespace, gvkSelected, type ResId } from './resid.js';
import type { Resource } from './resource.js';
import { matchesLabelSelector } from './selector.js';
import {
  KustomizeError,
  clone,
  hasOwn,
  isNullish,
  isRecord,
  isScalar,
  scalarText,
} from './values.js';
import { plainScalar } from './yaml.js';

export interface IdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface TargetSelector extends IdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}

export interface FieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

export interface Replacement {
  source: IdSelector & { fieldPath?: string; options?: FieldOptions };
  targets: {
    select: TargetSelector;
    reject: TargetSelector[];
    fieldPaths: string[];
    options?: FieldOptions;
  }[];
}

const DEFAULT_FIELD_PATH = 'metadata.name';

/** kyaml SmarterPathSplitter: dots split, `\.` escapes, brackets keep their content. */
export function splitReplacementPath(path: string): string[] {
  const raw = path.split('.');
  const parts: string[] = [];
  for (const part of raw) {
    const last = parts.length - 1;
    const previous = parts[last];
    if (previous?.endsWith('\\')) parts[last] = `${previous.slice(0, -1)}.${part}`;
    else parts.push(part);
  }
  if (parts.length > 1 && parts[0] === '') parts.shift();
  const result: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? '';
    if (part.startsWith('[') && !part.endsWith(']')) {
      const bracketed = [part];
      while (index < parts.length - 1) {
        index++;
        const next = parts[index] ?? '';
        bracketed.push(next);
        if (next.endsWith(']')) break;
      }
      const joined = bracketed.join('.');
      result.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
    } else {
      result.push(part);
    }
  }
  return result;
}

function listIndex(part: string): [string, string] | undefined {
  if (!part.startsWith('[') || !part.endsWith(']')) return undefined;
  const inner = part.slice(1, -1);
  const equals = inner.indexOf('=');
  if (equals < 0) return undefined;
  return [inner.slice(0, equals), inner.slice(equals + 1)];
}

function isSelected(id: ResId, selector: IdSelector): boolean {
  if (selector.name && selector.name !== id.name) return false;
  if (selector.namespace) {
    const selectorId = {
      group: selector.group ?? '',
      version: selector.version ?? '',
      kind: selector.kind ?? '',
      name: selector.name ?? '',
      namespace: selector.namespace,
    };
    if (effectiveNamespace(selectorId) !== effectiveNamespace(id)) return false;
  }
  return gvkSelected(id, selector);
}

/** The source value (kyaml PathGetter: exact `[key=value]` matches, no creation). */
function lookup(value: unknown, parts: readonly string[]): unknown {
  let current = value;
  for (const part of parts) {
    if (isNullish(current)) return undefined;
    const pair = listIndex(part);
    if (pair) {
      if (!Array.isArray(current)) return undefined;
      const [key, wanted] = pair;
      current = current.find((item) =>
        key === ''
          ? scalarText(item) === wanted
          : isRecord(item) && hasOwn(item, key) && scalarText(item[key]) === wanted,
      );
    } else if (/^\d+$/.test(part) || part === '-') {
      if (!Array.isArray(current)) return undefined;
      current = part === '-' ? current[current.length - 1] : current[Number(part)];
    } else {
      if (!isRecord(current) || !hasOwn(current, part)) return undefined;
      current = current[part];
    }
  }
  return current;
}

interface Slot {
  get(): unknown;
  set(value: unknown): void;
  created: boolean;
}

/** Every field the target path matches (kyaml PathMatcher). */
function match(value: unknown, parts: readonly string[], assign: Slot): Slot[] {
  const [part, ...rest] = parts;
  if (part === undefined) return [assign];
  if (isNullish(value)) return [];
  const pair = listIndex(part);
  if (pair || part === '*') {
    if (!Array.isArray(value)) throw new KustomizeError(`'${part}' needs a list`);
    const [key, pattern] = pair ?? ['', ''];
    const regex = pair ? new RegExp(pattern) : undefined;
    return value.flatMap((item: unknown, index) => {
      if (regex) {
        const field: unknown =
          key === '' ? item : isRecord(item) && hasOwn(item, key) ? item[key] : undefined;
        if (field === undefined || !regex.test(scalarText(field))) return [];
      }
      return match(item, rest, slotOf(value, index));
    });
  }
  if (/^\d+$/.test(part)) {
    if (!Array.isArray(value)) throw new KustomizeError(`'${part}' needs a list`);
    const index = Number(part);
    if (index >= value.length) {
      throw new KustomizeError(`index ${index} specified but only ${value.length} elements found`);
    }
    return match(value[index], rest, slotOf(value, index));
  }
  if (!isRecord(value)) throw new KustomizeError(`'${part}' needs a mapping`);
  if (!hasOwn(value, part)) return [];
  return match(value[part], rest, slotOf(value, part));
}

function slotOf(
  container: unknown[] | Record<string, unknown>,
  key: string | number,
  created = false,
): Slot {
  const list = Array.isArray(container) ? container : undefined;
  const map = Array.isArray(container) ? undefined : container;
  return {
    get: () => (list ? list[Number(key)] : map?.[String(key)]),
    set: (next) => {
      if (list) list[Number(key)] = next;
      else if (map) map[String(key)] = next;
    },
    created,
  };
}

/** The target field, created when missing (kyaml LookupCreate). */
function lookupCreate(
  object: Record<string, unknown>,
  parts: readonly string[],
  leaf: 'map' | 'seq' | 'scalar',
): Slot | undefined {
  if (parts.includes('*')) {
    throw new KustomizeError('cannot support create option in a multi-value target');
  }
  let container: unknown[] | Record<string, unknown> = object;
  let slot: Slot | undefined;
  parts.forEach((part, position) => {
    const last = position === parts.length - 1;
    const next = parts[position + 1] ?? '';
    const kind = last
      ? leaf
      : listIndex(next) || /^\d+$/.test(next) || next === '-'
        ? 'seq'
        : 'map';
    const fresh = (): unknown => (kind === 'map' ? {} : kind === 'seq' ? [] : '');
    const pair = listIndex(part);
    if (pair) {
      if (!Array.isArray(container)) throw new KustomizeError(`'${part}' needs a list`);
      const [key, wanted] = pair;
      let index = container.findIndex((item) =>
        key === ''
          ? scalarText(item) === wanted
          : isRecord(item) && scalarText(item[key]) === wanted,
      );
      if (index < 0) {
        container.push(key === '' ? wanted : { [key]: wanted });
        index = container.length - 1;
      }
      slot = slotOf(container, index);
    } else if (/^\d+$/.test(part) || part === '-') {
      if (!Array.isArray(container)) throw new KustomizeError(`'${part}' needs a list`);
      const index = part === '-' ? container.length - 1 : Number(part);
      if (index < 0 || index >= container.length) throw new KustomizeError(`no list item ${part}`);
      slot = slotOf(container, index);
    } else {
      if (!isRecord(container)) throw new KustomizeError(`'${part}' needs a mapping`);
      const created = !hasOwn(container, part) || isNullish(container[part]);
      if (created) container[part] = fresh();
      slot = slotOf(container, part, created && kind === 'scalar');
    }
    if (!last) {
      const value = slot.get();
      if (!isRecord(value) && !Array.isArray(value))
        throw new KustomizeError(`'${part}' is a scalar`);
      container = value;
    }
  });
  return slot;
}

function withDelimiter(text: string, value: string, options: FieldOptions): string {
  const delimiter = options.delimiter ?? '';
  const parts = text.split(delimiter);
  const index = options.index ?? 0;
  if (index < 0) parts.unshift(value);
  else if (index >= parts.length) parts.push(value);
  else parts[index] = value;
  return parts.join(delimiter);
}

function setTarget(slot: Slot, source: unknown, options: FieldOptions | undefined): void {
  let value = clone(source);
  const current = slot.get();
  if (options?.delimiter) {
    if (!isScalar(current) && !isNullish(current)) {
      throw new KustomizeError('delimiter option can only be used with scalar nodes');
    }
    const text = withDelimiter(scalarText(current), scalarText(value), options);
    value = typeof value === 'string' ? text : plainScalar(text);
  }
  if (slot.created) {
    slot.set(isScalar(value) ? plainScalar(scalarText(value)) : value);
    return;
  }
  if (isScalar(current) || isNullish(current)) {
    if (isNullish(current)) slot.set(current === null ? null : undefined);
    else if (typeof current === 'string') slot.set(scalarText(value));
    else {
      const retyped = plainScalar(scalarText(value));
      slot.set(typeof retyped === typeof current ? retyped : scalarText(value));
    }
    return;
  }
  slot.set(value);
}

function selectedByLabels(resource: Resource, selector: TargetSelector): boolean {
  return (
    matchesLabelSelector(selector.labelSelector, resource.labels()) &&
    matchesLabelSelector(selector.annotationSelector, resource.annotations())
  );
}

function sourceValue(resources: readonly Resource[], replacement: Replacement): unknown {
  const { source } = replacement;
  const matches = resources.filter((resource) =>
    resource.anyIds().some((id) => isSelected(id, source)),
  );
  const describe = (): string =>
    Object.entries(source)
      .filter(([key]) => key !== 'options' && key !== 'fieldPath')
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ');
  if (matches.length > 1)
    throw new KustomizeError(`multiple matches for the replacement source (${describe()})`);
  const [found] = matches;
  if (!found)
    throw new KustomizeError(`nothing selected by the replacement source (${describe()})`);
  const fieldPath = source.fieldPath ?? DEFAULT_FIELD_PATH;
  const value = lookup(found.object, splitReplacementPath(fieldPath));
  if (
    isNullish(value) ||
    (isRecord(value) && Object.keys(value).length === 0) ||
    (Array.isArray(value) && value.length === 0)
  ) {
    throw new KustomizeError(`fieldPath \`${fieldPath}\` is missing for the replacement source`);
  }
  const options = source.options;
  if (!options?.delimiter) return value;
  if (!isScalar(value))
    throw new KustomizeError('delimiter option can only be used with scalar nodes');
  const parts = scalarText(value).split(options.delimiter);
  const index = options.index ?? 0;
  const part = parts[index];
  if (part === undefined || index < 0) {
    throw new KustomizeError(
      `options.index ${index} is out of bounds for value ${scalarText(value)}`,
    );
  }
  return typeof value === 'string' ? part : plainScalar(part);
}

export function applyReplacement(resources: readonly Resource[], replacement: Replacement): void {
  const value = sourceValue(resources, replacement);
  const kind = Array.isArray(value) ? 'seq' : isRecord(value) ? 'map' : 'scalar';
  for (const target of replacement.targets) {
    const fieldPaths = target.fieldPaths.length > 0 ? target.fieldPaths : [DEFAULT_FIELD_PATH];
    for (const resource of resources) {
      if (!selectedByLabels(resource, target.select)) continue;
      const rejectedByLabels = target.reject.some(
        (reject) =>
          (reject.labelSelector || reject.annotationSelector) && selectedByLabels(resource, reject),
      );
      if (rejectedByLabels) continue;
      // Rejected when any id (current or previous) matches a reject selector.
      const ids = resource.anyIds();
      const rejected = target.reject.some((reject) => {
        const idSelector: IdSelector = {
          group: reject.group,
          version: reject.version,
          kind: reject.kind,
          name: reject.name,
          namespace: reject.namespace,
        };
        return (
          Object.values(idSelector).some(Boolean) && ids.some((id) => isSelected(id, idSelector))
        );
      });
      const selected = !rejected && ids.some((id) => isSelected(id, target.select));
      if (!selected) continue;
      for (const fieldPath of fieldPaths) {
        const parts = splitReplacementPath(fieldPath);
        if (target.options?.create) {
          const slot = lookupCreate(resource.object, parts, kind);
          if (slot) setTarget(slot, value, target.options);
          continue;
        }
        const root: Slot = { get: () => resource.object, set: () => undefined, created: false };
        const slots = match(resource.object, parts, root);
        if (slots.length === 0) {
          throw new KustomizeError(
            `unable to find field "${fieldPath}" in replacement target ${resource.kind}/${resource.name}`,
          );
        }
        for (const slot of slots) setTarget(slot, value, target.options);
      }
    }
  }
}
