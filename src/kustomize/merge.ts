/**
 * Strategic merge patch as Kustomize applies it: kyaml's merge2 walker (not apimachinery's
 * strategicpatch), with its quirks kept on purpose because `kubectl kustomize` shows them:
 *
 * - list merge keys come from the built-in Kubernetes 1.21 schema, so only the lists that schema
 *   marks `patchStrategy: merge` are merged (containers by name, ports by containerPort and
 *   protocol...); every other list, and every list of a custom resource, is replaced;
 * - merged list items come out with the patch's items first ("prepend"), then the rest;
 * - `$patch: delete` and `$patch: replace` work on maps and list items; `$patch` on lists, and
 *   `$setElementOrder`/`$retainKeys`/`$deleteFromPrimitiveList`, are not supported;
 * - a field left empty in the target (`key:`) is dropped by any patch, while an explicit
 *   `null` is kept; empty items of merged lists are dropped.
 */
import { apiVersionOf, isBuiltInType, splitApiVersion } from './resid.js';
import { plainScalar } from './yaml.js';
import {
  KustomizeError,
  deleteKey,
  hasOwn,
  isNullish,
  isRecord,
  isScalar,
  scalarText,
  type JsonMap,
} from './values.js';

/** What the schema says about a node: its fields, its list items, its patch strategy. */
interface Schema {
  fields?: Record<string, Schema>;
  items?: Schema;
  /** `x-kubernetes-patch-strategy`. */
  strategy?: string;
  /** `x-kubernetes-list-map-keys`, else `x-kubernetes-patch-merge-key`. */
  keys?: readonly string[];
}

/** A node of a known type whose details do not matter for merging. */
const KNOWN: Schema = {};

const mergeList = (keys: readonly string[], items: Schema = KNOWN): Schema => ({
  strategy: 'merge',
  keys,
  items,
});

const OBJECT_META: Schema = {
  fields: { finalizers: mergeList([]), ownerReferences: mergeList(['uid']) },
};

const CONTAINER: Schema = {
  fields: {
    ports: mergeList(['containerPort', 'protocol']),
    env: mergeList(['name']),
    volumeMounts: mergeList(['mountPath']),
    volumeDevices: mergeList(['devicePath']),
  },
};

const POD_SPEC: Schema = {
  fields: {
    volumes: { strategy: 'merge,retainKeys', keys: ['name'], items: KNOWN },
    initContainers: mergeList(['name'], CONTAINER),
    containers: mergeList(['name'], CONTAINER),
    ephemeralContainers: mergeList(['name'], CONTAINER),
    imagePullSecrets: mergeList(['name']),
    hostAliases: mergeList(['ip']),
    topologySpreadConstraints: mergeList(['topologyKey', 'whenUnsatisfiable']),
  },
};

const POD_TEMPLATE_SPEC: Schema = { fields: { metadata: OBJECT_META, spec: POD_SPEC } };
const CONDITIONS: Schema = { fields: { conditions: mergeList(['type']) } };

const withTemplate: Schema = {
  fields: { spec: { fields: { template: POD_TEMPLATE_SPEC } }, status: CONDITIONS },
};

const TYPE_SCHEMAS: Record<string, Schema> = {
  'v1 Pod': { fields: { spec: POD_SPEC, status: CONDITIONS } },
  'v1 PodTemplate': { fields: { template: POD_TEMPLATE_SPEC } },
  'v1 ReplicationController': withTemplate,
  'apps/v1 Deployment': withTemplate,
  'apps/v1 ReplicaSet': withTemplate,
  'apps/v1 DaemonSet': withTemplate,
  'apps/v1 StatefulSet': {
    fields: {
      spec: {
        fields: {
          template: POD_TEMPLATE_SPEC,
          volumeClaimTemplates: { items: { fields: { metadata: OBJECT_META } } },
        },
      },
      status: CONDITIONS,
    },
  },
  'batch/v1 Job': withTemplate,
  'batch/v1 CronJob': {
    fields: {
      spec: {
        fields: {
          jobTemplate: {
            fields: { metadata: OBJECT_META, spec: { fields: { template: POD_TEMPLATE_SPEC } } },
          },
        },
      },
    },
  },
  'v1 Service': { fields: { spec: { fields: { ports: mergeList(['port', 'protocol']) } } } },
  'v1 ServiceAccount': { fields: { secrets: mergeList(['name']) } },
  'v1 Node': {
    fields: {
      spec: { fields: { podCIDRs: mergeList([]) } },
      status: { fields: { addresses: mergeList(['type']), conditions: mergeList(['type']) } },
    },
  },
};
TYPE_SCHEMAS['batch/v1beta1 CronJob'] = TYPE_SCHEMAS['batch/v1 CronJob'] ?? KNOWN;
for (const version of ['v1', 'v1beta1']) {
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    TYPE_SCHEMAS[`admissionregistration.k8s.io/${version} ${kind}`] = {
      fields: { webhooks: mergeList(['name']) },
    };
  }
}

/** The schema of a built-in type, with `metadata` added; undefined for other types. */
function schemaForType(apiVersion: unknown, kind: unknown): Schema | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    return undefined;
  }
  const gvk = { ...splitApiVersion(apiVersion), kind };
  if (!isBuiltInType(gvk)) return undefined;
  const own = TYPE_SCHEMAS[`${apiVersionOf(gvk)} ${kind}`] ?? KNOWN;
  return { ...own, fields: { ...own.fields, metadata: OBJECT_META } };
}

function fieldSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (schema === undefined) return undefined;
  return schema.fields?.[key] ?? KNOWN;
}

/** No value at all for a source (the field is absent), as opposed to a null value. */
const MISSING: unique symbol = Symbol('missing');
/** An explicit null kept from the target: a plain `null` that does not clear the field. */
const KEPT_NULL: unique symbol = Symbol('kept-null');

type Source = unknown;

const isMissingOrNull = (value: Source): boolean => value === MISSING || isNullish(value);
const isPresentNull = (value: Source): boolean => isNullish(value);

type Kind = 'map' | 'seq' | 'scalar';

function kindOf(value: Source): Kind | undefined {
  if (isMissingOrNull(value) || value === KEPT_NULL) return undefined;
  if (Array.isArray(value)) return 'seq';
  if (isRecord(value)) return 'map';
  return 'scalar';
}

type Directive = 'merge' | 'delete' | 'replace';

/** Reads and removes `$patch` from a patch map. */
function directiveOf(patch: Source): Directive {
  if (!isRecord(patch)) {
    if (Array.isArray(patch) || patch === MISSING) return 'merge';
    throw new KustomizeError('no strategic merge patch strategy for a scalar value');
  }
  if (!hasOwn(patch, '$patch')) return 'merge';
  const value = scalarText(patch.$patch);
  if (value === 'delete' || value === 'replace' || value === 'merge') {
    deleteKey(patch, '$patch');
    return value;
  }
  throw new KustomizeError(`unknown patch strategy '${value}'`);
}

/** directiveOf, with errors ignored (kyaml ignores them when adding a missing map). */
function safeDirectiveOf(patch: Source): Directive {
  try {
    return directiveOf(patch);
  } catch {
    return 'merge';
  }
}

function schemaFromSources(dest: Source, origin: Source): Schema | undefined {
  for (const source of [dest, origin]) {
    if (isRecord(source)) {
      const schema = schemaForType(source.apiVersion, source.kind);
      if (schema) return schema;
    }
  }
  return undefined;
}

/** Merges `patch` into `target` (both are consumed); undefined means "delete the object". */
export function strategicMerge(target: JsonMap, patch: JsonMap): JsonMap | undefined {
  const result = walk(target, patch, undefined);
  if (result === MISSING || !isRecord(result)) return undefined;
  return result;
}

function walk(dest: Source, origin: Source, inherited: Schema | undefined): Source {
  const schema = inherited ?? schemaFromSources(dest, origin);
  const kind = kindOf(dest) ?? kindOf(origin);
  for (const source of [dest, origin]) {
    const sourceKind = kindOf(source);
    if (kind !== undefined && sourceKind !== undefined && sourceKind !== kind) {
      throw new KustomizeError(
        `the patch sets a ${kindName(kindOf(origin))} where the object has a ${kindName(kindOf(dest))}`,
      );
    }
  }
  switch (kind) {
    case 'seq':
      return isAssociative(schema)
        ? walkAssociativeList(dest, origin, schema)
        : walkList(dest, origin);
    case 'scalar':
      return origin !== MISSING ? origin : dest;
    default:
      return walkMap(dest, origin, schema);
  }
}

function kindName(kind: Kind | undefined): string {
  return kind === 'map' ? 'mapping' : kind === 'seq' ? 'list' : 'scalar';
}

function isAssociative(schema: Schema | undefined): boolean {
  return (schema?.strategy ?? '').split(',').includes('merge');
}

function visitMap(dest: Source, origin: Source): Source {
  if (isMissingOrNull(dest)) {
    if (safeDirectiveOf(origin) === 'delete') return MISSING;
    // An explicit null in the target, untouched by the patch, is kept.
    if (origin === MISSING && dest === null) return KEPT_NULL;
    return origin;
  }
  if (isPresentNull(origin)) return MISSING;
  const directive = directiveOf(origin);
  if (directive === 'delete') return MISSING;
  if (directive === 'replace') return origin;
  return dest;
}

function walkMap(dest: Source, origin: Source, schema: Schema | undefined): Source {
  const merged = visitMap(dest, origin);
  if (!isRecord(merged)) return merged;
  const keys = new Set(Object.keys(merged));
  if (isRecord(origin)) for (const key of Object.keys(origin)) keys.add(key);
  for (const key of [...keys].sort()) {
    const destValue = hasOwn(merged, key) ? merged[key] : MISSING;
    const originValue = isRecord(origin) && hasOwn(origin, key) ? origin[key] : MISSING;
    setField(merged, key, walk(destValue, originValue, fieldSchema(schema, key)));
  }
  return merged;
}

/** kyaml's FieldSetter: a missing or tagged-null value clears the field. */
function setField(object: JsonMap, key: string, value: Source): void {
  if (value === MISSING || isNullish(value)) deleteKey(object, key);
  else if (value === KEPT_NULL) object[key] = null;
  else object[key] = value;
}

function walkList(dest: Source, origin: Source): Source {
  return origin !== MISSING ? origin : dest;
}

function walkAssociativeList(dest: Source, origin: Source, schema: Schema | undefined): Source {
  let list: Source;
  if (isMissingOrNull(dest)) list = origin;
  else if (isPresentNull(origin)) return MISSING;
  else {
    directiveOf(origin);
    list = dest;
  }
  if (!Array.isArray(list)) return list;
  const sources: Source[] = [list, origin];
  const keys = schema?.keys ?? [];
  const values = keys.length > 0 ? elementValues(keys, sources) : [];
  if (values.length > 0 || keys.length > 0) {
    return setAssociativeElements(values, keys, list, sources, schema);
  }
  return setAssociativeElements(primitiveValues(sources), [''], list, sources, schema);
}

/** Merge-key tuples of every item, patch items first, without duplicates. */
function elementValues(keys: readonly string[], sources: readonly Source[]): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const source of [sources[1], sources[0]]) {
    if (!Array.isArray(source)) continue;
    for (const item of source) {
      const tuple = keys.map((key) => {
        if (!isRecord(item) || !hasOwn(item, key) || isNilOrEmpty(item[key])) return '';
        return scalarText(item[key]);
      });
      const id = JSON.stringify(tuple);
      if (tuple.length === 0 || seen.has(id)) continue;
      seen.add(id);
      result.push(tuple);
    }
  }
  return result;
}

function primitiveValues(sources: readonly Source[]): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const source of [sources[1], sources[0]]) {
    if (!Array.isArray(source)) continue;
    for (const item of source) {
      const text = scalarText(item);
      if (seen.has(text)) continue;
      seen.add(text);
      result.push([text]);
    }
  }
  return result;
}

function isNilOrEmpty(value: unknown): boolean {
  if (isNullish(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

const isEmptyMap = (value: unknown): boolean => isRecord(value) && Object.keys(value).length === 0;

function validateKeys(
  valuesList: readonly string[][],
  values: readonly string[],
  keys: readonly string[],
): [string[], string[]] {
  const valid = new Set<string>();
  for (const tuple of valuesList) {
    tuple.forEach((value, index) => {
      const key = keys[index];
      if (value !== '' && key !== undefined) valid.add(key);
    });
  }
  if (valid.size === 0) return [[...keys], [...values]];
  const validKeys = keys.filter((key) => valid.has(key));
  const validValues = values.filter((value, index) => {
    const key = keys[index];
    return value !== '' || (key !== undefined && valid.has(key));
  });
  return [validKeys, validValues];
}

function mergeValues(valuesList: string[][]): string[][] {
  valuesList.forEach((_, i) => {
    valuesList.forEach((__, j) => {
      const merged = matchValues(valuesList[i] ?? [], valuesList[j] ?? []);
      if (merged) {
        valuesList[i] = merged;
        valuesList[j] = merged;
      }
    });
  });
  return valuesList;
}

function matchValues(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const result: string[] = [];
  for (let index = 0; index < a.length; index++) {
    const x = a[index] ?? '';
    const y = b[index] ?? '';
    if (x === y) {
      common = true;
      result.push(x);
      continue;
    }
    if (x !== '' && y !== '') return undefined;
    result.push(x !== '' ? x : y);
  }
  return common ? result : undefined;
}

function setAssociativeElements(
  valuesList: string[][],
  keys: readonly string[],
  initial: unknown[],
  sources: Source[],
  schema: Schema | undefined,
): Source {
  let list: unknown[] = initial;
  sources[0] = list;
  let toAdd: unknown[] = [];
  const itemSchema = schema === undefined ? undefined : (schema.items ?? KNOWN);
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = [...keys];
  let validValues: string[] = [];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [matchKeys, matchValuesOf] = validateKeys([values], values, keys);
    const destItem = elementList(list, matchKeys, matchValuesOf);
    const originItem = Array.isArray(sources[1])
      ? elementList(sources[1], matchKeys, matchValuesOf)
      : MISSING;
    let merged = walk(destItem, originItem, itemSchema);
    if (merged === KEPT_NULL) merged = null;
    if (isMissingOrNull(merged) || isEmptyMap(merged)) {
      // The merged item is gone: remove it from the target list.
      list = elementSetter(list, MISSING, validKeys, validValues);
      sources[0] = list;
      continue;
    }
    validKeys.forEach((key, index) => {
      const value = validValues[index] ?? '';
      if (isRecord(merged) && !hasOwn(merged, key) && value !== '') {
        merged[key] = plainScalar(value);
      }
    });
    toAdd = elementSetter(toAdd, merged, validKeys, validValues);
  }
  if (valuesList.length > 0) list = appendList(toAdd, list, validKeys);
  return list;
}

/** The first item whose fields `keys` have the texts `values` (kyaml ElementMatcher). */
function elementList(
  list: readonly unknown[],
  keys: readonly string[],
  values: readonly string[],
): Source {
  if (keys.length === 0 || keys[0] === '') {
    const wanted = values[0] ?? '';
    const found = list.find((item) => scalarText(item) === wanted);
    return found === undefined ? MISSING : found;
  }
  for (const item of list) {
    if (!isRecord(item)) continue;
    const matches = keys.every(
      (key, index) => hasOwn(item, key) && scalarText(item[key]) === (values[index] ?? ''),
    );
    if (matches) return item;
  }
  return MISSING;
}

/** kyaml FieldMatcher used as a predicate. */
function fieldMatches(item: unknown, name: string, stringValue: string): boolean {
  if (isNullish(item)) return false;
  if (name === '') {
    if (!isScalar(item)) throw new KustomizeError('a list item is not a scalar');
    return scalarText(item) === stringValue;
  }
  if (!isRecord(item)) throw new KustomizeError('a list item is not a mapping');
  if (!hasOwn(item, name)) return false;
  return stringValue === '' || scalarText(item[name]) === stringValue;
}

/**
 * kyaml ElementSetter: replaces the items matching `keys`/`values` by `element` (or removes
 * them when `element` is MISSING or null), appends it when nothing matched, and drops empty
 * items on the way.
 */
function elementSetter(
  list: readonly unknown[],
  element: Source,
  keysIn: readonly string[],
  values: readonly string[],
): unknown[] {
  const keys = keysIn.length === 0 ? [''] : keysIn;
  const mappingSetter = keys[0] !== '' && values.length > 0 && values[0] !== '';
  const next: unknown[] = [];
  let matched = false;
  for (const item of list) {
    if (isNullish(item) || isEmptyMap(item)) continue;
    if (!isRecord(item) && mappingSetter) {
      next.push(item);
      continue;
    }
    let found = true;
    let current = false;
    for (let index = 0; index < keys.length; index++) {
      if (index < values.length)
        current = fieldMatches(item, keys[index] ?? '', values[index] ?? '');
      if (!current) {
        found = false;
        break;
      }
    }
    if (!found) {
      if (values.length > 0) next.push(item);
      continue;
    }
    matched = true;
    if (element === MISSING) continue;
    next.push(element);
  }
  if (isMissingOrNull(element)) return next;
  if (!matched) next.push(element);
  return next;
}

/** kyaml walk.appendListNode: adds the items of `source` to `target`, by merge key. */
function appendList(
  target: unknown[],
  source: readonly unknown[],
  keys: readonly string[],
): unknown[] {
  let result = target;
  for (const item of source) {
    if (keys[0] === '' || keys.length === 0) {
      result = elementSetter(result, item, [''], [scalarText(item)]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (!isRecord(item)) {
        if (isNullish(item)) {
          result.push(item);
          continue;
        }
        throw new KustomizeError('a list item is not a mapping');
      }
      if (!hasOwn(item, key)) {
        result.push(item);
        continue;
      }
      values.push(scalarText(item[key]));
    }
    if (keys.length > 1) result = elementSetter(result, MISSING, keys, values);
    result = elementSetter(result, item, keys, values);
  }
  return result;
}
