/**
 * List semantics from schemas: a list marked `x-kubernetes-list-type: map` (keyed by
 * `x-kubernetes-list-map-keys`) or `set` may not hold two items with the same key (or two equal
 * items). Who refuses a duplicate depends on the kind:
 *
 * - a custom resource: the API server itself, on create and update, for any such list of its
 *   CRD's schema (apiextensions-apiserver `schema/listtype` ValidateListSetsAndMaps: "Duplicate
 *   value"), so it is an error;
 * - a built-in kind: the API server's own validation checks only some lists (api-rules.ts and
 *   api-pod.ts report those); every list-map and set of the built-in types (the table
 *   list-types-kubernetes.ts, generated from the schema server-side apply uses) is refused by
 *   server-side apply ("duplicate entries for key"), which Flux's kustomize-controller always
 *   uses and Argo CD uses with `ServerSideApply=true`, while client-side apply accepts it: a
 *   warning.
 *
 * A missing key field counts as its default (for built-in kinds the schema's default, for CRDs
 * the `default` of the key's property), else as unspecified, as both implementations do. Pure.
 */
import type { ManifestResource, Path } from './documents.js';
import { RuleContext } from './api-syntax.js';
import { kubernetesListTypes, type KubernetesListTypes } from './list-types-kubernetes.js';
import { isRecord } from './object-paths.js';

/** What the walk needs to know about one node of a schema. */
export interface ListShape {
  field(name: string): ListShape | undefined;
  items(): ListShape | undefined;
  listType: 'map' | 'set' | undefined;
  keys: readonly string[];
  defaults: Readonly<Record<string, unknown>>;
}

const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

function builtInType(name: string | undefined, table: KubernetesListTypes): ListShape | undefined {
  const fields = name === undefined ? undefined : table.types[name];
  if (fields === undefined) return undefined;
  return {
    field: (key) => {
      const shape = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (shape === undefined) return undefined;
      if (typeof shape === 'string') return builtInType(shape, table);
      if ('values' in shape) return mapOf(builtInType(shape.values, table));
      return {
        field: () => undefined,
        items: () => builtInType(shape.items, table),
        listType: shape.list,
        keys: shape.keys ?? [],
        defaults: shape.defaults ?? NONE,
      };
    },
    items: () => undefined,
    listType: undefined,
    keys: [],
    defaults: NONE,
  };
}

/** A map whose every value has the same shape. */
function mapOf(values: ListShape | undefined): ListShape | undefined {
  if (values === undefined) return undefined;
  return {
    field: () => values,
    items: () => undefined,
    listType: undefined,
    keys: [],
    defaults: NONE,
  };
}

/** The list semantics of a built-in kind, or undefined when it has none. */
export function builtInListShape(apiVersion: string, kind: string): ListShape | undefined {
  const table = kubernetesListTypes;
  const key = `${apiVersion}/${kind}`;
  return Object.hasOwn(table.kinds, key) ? builtInType(table.kinds[key], table) : undefined;
}

/** The list semantics of a CRD version's `openAPIV3Schema` (a structural schema). */
export function openApiListShape(schema: Record<string, unknown>): ListShape {
  const listType = schema['x-kubernetes-list-type'];
  const keys = Array.isArray(schema['x-kubernetes-list-map-keys'])
    ? schema['x-kubernetes-list-map-keys'].filter((key): key is string => typeof key === 'string')
    : [];
  const items = isRecord(schema.items) ? schema.items : undefined;
  const itemProperties = items && isRecord(items.properties) ? items.properties : {};
  const defaults: Record<string, unknown> = {};
  for (const key of keys) {
    const property = itemProperties[key];
    if (isRecord(property) && property.default !== undefined) defaults[key] = property.default;
  }
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const additional = isRecord(schema.additionalProperties)
    ? schema.additionalProperties
    : undefined;
  return {
    field: (name) => {
      const property = Object.hasOwn(properties, name) ? properties[name] : additional;
      return isRecord(property) ? openApiListShape(property) : undefined;
    },
    items: () => (items ? openApiListShape(items) : undefined),
    listType: listType === 'map' || listType === 'set' ? listType : undefined,
    keys,
    defaults,
  };
}

/** A value as text that is equal for equal values (object keys sorted). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** `name="FOO"`, `port=80,protocol="TCP"`: the key as server-side apply prints it. */
function keyText(keys: readonly string[], values: readonly unknown[]): string {
  return keys
    .map((key, index) =>
      values[index] === undefined ? `${key} unset` : `${key}=${JSON.stringify(values[index])}`,
    )
    .join(',');
}

export type ListOwner = 'custom-resource' | 'built-in';

function checkList(
  context: RuleContext,
  owner: ListOwner,
  shape: ListShape,
  list: readonly unknown[],
  path: Path,
): void {
  const seen = new Map<string, number>();
  list.forEach((item, index) => {
    let identity: string;
    let shown: string;
    if (shape.listType === 'map') {
      // Items that are not objects are the schema check's to report.
      if (!isRecord(item)) return;
      const values = shape.keys.map((key) =>
        item[key] === undefined || item[key] === null ? shape.defaults[key] : item[key],
      );
      identity = canonical(values);
      shown = `key ${keyText(shape.keys, values)}`;
    } else {
      identity = canonical(item);
      shown = `value ${canonical(item)}`;
    }
    const first = seen.get(identity);
    if (first === undefined) {
      seen.set(identity, index);
      return;
    }
    const at = [...path, index];
    const firstText = context.pathText([...path, first]);
    const kindOfList =
      shape.listType === 'map'
        ? `a list-type map keyed by ${shape.keys.join(', ')}`
        : 'a list-type set';
    if (owner === 'custom-resource') {
      context.report(
        'api/duplicate-list-key',
        at,
        `duplicate ${shown} (also at ${firstText}): the CRD makes this list ${kindOfList}, and the API server refuses it ("Duplicate value")`,
        'keep one item per key, or merge the two',
      );
    } else {
      context.warn(
        'apply/duplicate-list-key',
        at,
        `duplicate ${shown} (also at ${firstText}): this list is ${kindOfList}, and server-side apply (Flux, Argo CD with ServerSideApply=true, kubectl apply --server-side) refuses the object ("duplicate entries for key")`,
        'keep one item per key, or merge the two',
      );
    }
  });
}

function walk(
  context: RuleContext,
  owner: ListOwner,
  shape: ListShape,
  value: unknown,
  path: Path,
  depth: number,
): void {
  // Objects nest a few dozen levels at most; the bound only guards hostile input.
  if (depth > 64) return;
  if (Array.isArray(value)) {
    if (shape.listType !== undefined) checkList(context, owner, shape, value, path);
    const items = shape.items();
    if (items === undefined) return;
    value.forEach((item, index) => {
      walk(context, owner, items, item, [...path, index], depth + 1);
    });
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const next = shape.field(key);
      if (next !== undefined) walk(context, owner, next, child, [...path, key], depth + 1);
    }
  }
}

/** Duplicate keys of list-maps and sets in one object. */
export function checkListSemantics(
  resource: ManifestResource,
  shape: ListShape,
  owner: ListOwner,
): RuleContext['findings'] {
  const context = new RuleContext(resource);
  walk(context, owner, shape, resource.object, [], 0);
  return context.findings;
}
