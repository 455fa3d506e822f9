/**
 * The Kubernetes update rules behind immutable-fields.ts: given one object as deployed and as it
 * is about to be applied, every field the API server refuses to update, with the rule and what
 * to do instead. API-server defaults are filled in on both sides first, so that a field one side
 * leaves out and the other writes at its default is no change. Pure.
 *
 * Rules, after kubernetes/kubernetes:
 * - StatefulSet: spec other than replicas, ordinals, template, updateStrategy,
 *   persistentVolumeClaimRetentionPolicy, minReadySeconds (and revisionHistoryLimit, which current
 *   servers list too) (pkg/apis/apps/validation/validation.go, ValidateStatefulSetUpdate).
 * - Deployment, DaemonSet, ReplicaSet: spec.selector outside extensions/v1beta1 and apps/v1beta1
 *   (pkg/registry/apps/{deployment,daemonset,replicaset}/strategy.go, ValidateUpdate).
 * - Service: spec.clusterIP(s) once set, unless either side is ExternalName; an omitted clusterIP
 *   keeps the allocated one (pkg/apis/core/validation/validation.go, ValidateServiceUpdate).
 * - PersistentVolumeClaim: spec except resources.requests.storage (never smaller) and
 *   volumeAttributesClassName (validation.go, ValidatePersistentVolumeClaimUpdate).
 * - Job: selector, template, completionMode, podFailurePolicy, backoffLimitPerIndex, completions
 *   unless elastic Indexed (pkg/apis/batch/validation/validation.go, ValidateJobSpecUpdate).
 * - RoleBinding, ClusterRoleBinding: roleRef (pkg/apis/rbac/validation, ValidateRoleBindingUpdate).
 * - ConfigMap, Secret with `immutable: true`: data, binaryData, immutable; Secret type always
 *   (validation.go, ValidateConfigMapUpdate and ValidateSecretUpdate).
 */
import { quantityToNumber } from '../config/units.js';

type JsonMap = Record<string, unknown>;

/** One refused field; values are raw here and rendered by the caller. */
export interface RefusedField {
  field: string;
  before: unknown;
  after: unknown;
  /** Values not to be shown (Secret data). */
  redact?: boolean;
  rule: string;
  advice: string;
}

/** Which object the advice's commands name: as in the built output. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export const isRecord = (value: unknown): value is JsonMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const recordAt = (value: unknown, key: string): JsonMap => {
  const inner = isRecord(value) ? value[key] : undefined;
  return isRecord(inner) ? inner : {};
};

/** API group of an apiVersion (`` for the core group). */
export const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';

/**
 * Drops what the API server treats as absent: null, empty lists and empty maps (its semantic
 * equality takes an empty slice or map for nil, and JSON's omitempty drops them).
 */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value)
      .map(([key, inner]) => [key, prune(inner)] as const)
      .filter(([, inner]) => inner !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value ?? undefined;
}

/** Key-order independent text of a value, for equality and display. */
export function canonical(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  const sorted = (inner: unknown): unknown =>
    Array.isArray(inner)
      ? inner.map(sorted)
      : isRecord(inner)
        ? Object.fromEntries(
            Object.keys(inner)
              .sort()
              .map((key) => [key, sorted(inner[key])]),
          )
        : inner;
  return JSON.stringify(sorted(value));
}

const simpleKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const child = (path: string, key: string): string =>
  simpleKey.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${key}]`;

/** The name that identifies a list item (`metadata.name` or `name`), when every item has one. */
function itemName(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const name = recordAt(item, 'metadata').name ?? item.name;
  return typeof name === 'string' ? name : undefined;
}

function namedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  const items = new Map<string, unknown>();
  for (const item of list) {
    const name = itemName(item);
    if (name === undefined || items.has(name)) return undefined;
    items.set(name, item);
  }
  return items;
}

/** Quantities (`1Gi`, `1024Mi`) under `resources` compare by value, as the API server does. */
function sameLeaf(path: string, before: unknown, after: unknown): boolean {
  if (
    typeof before === 'string' &&
    typeof after === 'string' &&
    /\.resources\.(requests|limits)\./.test(`.${path}`)
  ) {
    const [a, b] = [quantityToNumber(before), quantityToNumber(after)];
    if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b;
  }
  return canonical(before) === canonical(after);
}

/** Every leaf that differs, with a dotted path; lists of named items are matched by name. */
export function differences(
  path: string,
  before: unknown,
  after: unknown,
): { field: string; before: unknown; after: unknown }[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => differences(child(path, key), before[key], after[key]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const [a, b] = [namedItems(before), namedItems(after)];
    if (a && b) {
      const names = [...new Set([...a.keys(), ...b.keys()])];
      return names.flatMap((name) => differences(`${path}[${name}]`, a.get(name), b.get(name)));
    }
  }
  return sameLeaf(path, before, after) ? [] : [{ field: path, before, after }];
}

const kubectlTarget = (object: ObjectRef): string =>
  `kubectl ${object.namespace === undefined ? '' : `-n ${object.namespace} `}delete ${object.kind.toLowerCase()} ${object.name}`;
const orRecreate = 'or publish with --allow-recreate';

function statefulSetRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const mutable = [
    'replicas',
    'ordinals',
    'template',
    'updateStrategy',
    'persistentVolumeClaimRetentionPolicy',
    'minReadySeconds',
    'revisionHistoryLimit',
  ];
  const claimTemplate = (template: unknown): unknown => {
    const spec = recordAt(template, 'spec');
    // The API server keeps a template's metadata and spec; it defaults volumeMode.
    return {
      metadata: recordAt(template, 'metadata'),
      spec: { volumeMode: 'Filesystem', ...spec },
    };
  };
  const fixed = (spec: JsonMap): unknown => {
    const rest = Object.fromEntries(Object.entries(spec).filter(([key]) => !mutable.includes(key)));
    const templates = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
    return prune({
      podManagementPolicy: 'OrderedReady',
      serviceName: '',
      ...rest,
      volumeClaimTemplates: templates.map(claimTemplate),
    });
  };
  const rule =
    'StatefulSet spec: only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds (and revisionHistoryLimit) may change (ValidateStatefulSetUpdate)';
  const orphan = `${kubectlTarget(object)} --cascade=orphan`;
  return differences('spec', fixed(recordAt(before, 'spec')), fixed(recordAt(after, 'spec'))).map(
    (difference) => {
      const claim =
        /^spec\.volumeClaimTemplates\[([^\]]+)\]\.spec\.resources\.requests\.storage$/.exec(
          difference.field,
        )?.[1];
      const grows =
        claim !== undefined &&
        typeof difference.before === 'string' &&
        typeof difference.after === 'string' &&
        quantityToNumber(difference.after) > quantityToNumber(difference.before);
      const claims = `${claim ?? ''}-${object.name}-0, -1, …`;
      const advice = grows
        ? `expand each existing claim first (${claims}: kubectl${object.namespace === undefined ? '' : ` -n ${object.namespace}`} patch pvc <claim> -p '{"spec":{"resources":{"requests":{"storage":"${String(difference.after)}"}}}}', needs allowVolumeExpansion: true on the StorageClass), then \`${orphan}\` (pods and claims stay) and let the sync recreate it; ${orRecreate}`
        : claim !== undefined
          ? `volumes cannot shrink: keep ${String(difference.before)}, or delete the StatefulSet and its claims (${claims}; the data is lost) and let the sync recreate them`
          : `\`${orphan}\` (pods and claims stay) and let the sync recreate it; existing claims keep their old spec; ${orRecreate}`;
      return { ...difference, rule, advice };
    },
  );
}

function selectorRefusals(
  before: JsonMap,
  after: JsonMap,
  object: ObjectRef,
  apiVersion: string,
): RefusedField[] {
  if (apiVersion === 'apps/v1beta1' || groupOf(apiVersion) === 'extensions') return [];
  const selector = (value: JsonMap): unknown => prune(recordAt(value, 'spec').selector);
  const rule = `${object.kind} spec.selector is immutable in apps/v1 (${object.kind.toLowerCase()} strategy ValidateUpdate)`;
  const advice = `\`${kubectlTarget(object)}\` (its pods go with it) and let the sync recreate it; ${orRecreate}`;
  return differences('spec.selector', selector(before), selector(after)).map((difference) => ({
    ...difference,
    rule,
    advice,
  }));
}

function serviceRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const [old, next] = [recordAt(before, 'spec'), recordAt(after, 'spec')];
  if (old.type === 'ExternalName' || next.type === 'ExternalName') return [];
  const ips = (spec: JsonMap): unknown[] =>
    Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0
      ? spec.clusterIPs
      : typeof spec.clusterIP === 'string' && spec.clusterIP !== ''
        ? [spec.clusterIP]
        : [];
  const [was, will] = [ips(old), ips(next)];
  const rule =
    'Service spec.clusterIP and clusterIPs may not change once set (ValidateServiceUpdate)';
  const advice = `\`${kubectlTarget(object)}\` and let the sync recreate it (clients holding the old IP break); ${orRecreate}`;
  // Left out, the allocated address is kept.
  if (will.length === 0) return [];
  if (was.length === 0) {
    return [
      {
        field: 'spec.clusterIP',
        before: '(allocated by the API server)',
        after: will[0],
        rule,
        advice,
      },
    ];
  }
  return will.slice(0, was.length).flatMap((ip, index) =>
    ip === was[index]
      ? []
      : [
          {
            field: index === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${String(index)}]`,
            before: was[index],
            after: ip,
            rule,
            advice,
          },
        ],
  );
}

function claimRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const [old, next] = [recordAt(before, 'spec'), recordAt(after, 'spec')];
  const storage = (spec: JsonMap): unknown =>
    recordAt(recordAt(spec, 'resources'), 'requests').storage;
  const fixed = (spec: JsonMap, other: JsonMap): unknown => {
    const requests = { ...recordAt(recordAt(spec, 'resources'), 'requests') };
    delete requests.storage;
    const copy: JsonMap = {
      volumeMode: 'Filesystem',
      ...spec,
      resources: { ...recordAt(spec, 'resources'), requests },
    };
    delete copy.volumeAttributesClassName;
    // Filled in by the API server when left out (default class, binding): not ours to judge.
    for (const key of ['storageClassName', 'volumeName']) {
      if (!(key in old) && spec === old) copy[key] = other[key];
    }
    return prune(copy);
  };
  const advice = `\`${kubectlTarget(object)}\` and let the sync recreate it (with a Delete reclaim policy the data is lost); ${orRecreate} (same loss)`;
  const refused: RefusedField[] = differences('spec', fixed(old, next), fixed(next, old)).map(
    (difference) => ({
      ...difference,
      rule: 'PersistentVolumeClaim spec is immutable after creation except resources.requests and volumeAttributesClassName (ValidatePersistentVolumeClaimUpdate)',
      advice,
    }),
  );
  const [was, will] = [storage(old), storage(next)];
  if (
    typeof was === 'string' &&
    typeof will === 'string' &&
    quantityToNumber(will) < quantityToNumber(was)
  ) {
    refused.push({
      field: 'spec.resources.requests.storage',
      before: was,
      after: will,
      rule: 'PersistentVolumeClaim spec.resources.requests.storage can not be less than the previous value (ValidatePersistentVolumeClaimUpdate)',
      advice: `volumes cannot shrink: keep ${was}, or back up, delete and recreate the claim (the data is lost)`,
    });
  }
  return refused;
}

function jobRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const fixed = (spec: JsonMap): unknown => {
    const mode = spec.completionMode ?? 'NonIndexed';
    // Both left out means one pod; elastic Indexed Jobs may change completions with parallelism.
    const completions = spec.completions ?? (spec.parallelism === undefined ? 1 : undefined);
    const elastic = mode === 'Indexed' && completions === (spec.parallelism ?? 1);
    return prune({
      selector: spec.selector,
      template: spec.template,
      completionMode: mode,
      podFailurePolicy: spec.podFailurePolicy,
      backoffLimitPerIndex: spec.backoffLimitPerIndex,
      completions: elastic ? undefined : completions,
    });
  };
  const rule =
    'Job spec.selector, template, completionMode, podFailurePolicy, backoffLimitPerIndex and completions are immutable (ValidateJobSpecUpdate)';
  const advice = `\`${kubectlTarget(object)}\` and let the sync recreate it; ${orRecreate}`;
  return differences('spec', fixed(recordAt(before, 'spec')), fixed(recordAt(after, 'spec'))).map(
    (difference) => ({ ...difference, rule, advice }),
  );
}

function roleBindingRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const rule = `${object.kind} roleRef cannot change (ValidateRoleBindingUpdate)`;
  const advice = `\`${kubectlTarget(object)}\` and let the sync recreate it; ${orRecreate}`;
  return differences('roleRef', prune(before.roleRef), prune(after.roleRef)).map((difference) => ({
    ...difference,
    rule,
    advice,
  }));
}

/** Secret data as the API server holds it: stringData folded into data, base64. */
function secretData(secret: JsonMap): JsonMap {
  const data: JsonMap = { ...recordAt(secret, 'data') };
  for (const [key, value] of Object.entries(recordAt(secret, 'stringData'))) {
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  return data;
}

function frozenDataRefusals(before: JsonMap, after: JsonMap, object: ObjectRef): RefusedField[] {
  const secret = object.kind === 'Secret';
  const advice = `create it under a new name (a generator's hash suffix does that), or \`${kubectlTarget(object)}\` and let the sync recreate it; ${orRecreate}`;
  const refused: RefusedField[] = [];
  if (secret) {
    refused.push(
      ...differences('type', before.type ?? 'Opaque', after.type ?? 'Opaque').map((difference) => ({
        ...difference,
        rule: 'Secret type is immutable (ValidateSecretUpdate)',
        advice,
      })),
    );
  }
  if (before.immutable !== true) return refused;
  const rule = `${object.kind} data${secret ? '' : ', binaryData'} and immutable cannot change once immutable is true (Validate${object.kind}Update)`;
  const frozen = (value: JsonMap): unknown =>
    prune(
      secret
        ? { data: secretData(value), immutable: value.immutable === true }
        : { data: value.data, binaryData: value.binaryData, immutable: value.immutable === true },
    );
  for (const difference of differences('', frozen(before), frozen(after))) {
    const hidden = secret && difference.field.startsWith('data');
    refused.push({ ...difference, rule, advice, ...(hidden ? { redact: true } : {}) });
  }
  return refused;
}

/** Every field of `before` -> `after` (one object, both as built) that an update would be refused for. */
export function refusedFields(
  before: JsonMap,
  after: JsonMap,
  apiVersion: string,
  object: ObjectRef,
): RefusedField[] {
  const group = groupOf(apiVersion);
  switch (`${group}/${object.kind}`) {
    case 'apps/StatefulSet':
      return statefulSetRefusals(before, after, object);
    case 'apps/Deployment':
    case 'apps/DaemonSet':
    case 'apps/ReplicaSet':
      return selectorRefusals(before, after, object, apiVersion);
    case '/Service':
      return serviceRefusals(before, after, object);
    case '/PersistentVolumeClaim':
      return claimRefusals(before, after, object);
    case 'batch/Job':
      return jobRefusals(before, after, object);
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      return roleBindingRefusals(before, after, object);
    case '/ConfigMap':
    case '/Secret':
      return frozenDataRefusals(before, after, object);
    default:
      return [];
  }
}
