/**
 * Kustomize's default field specs (api/internal/konfig/builtinpluginconsts of api v0.18, kustomize v5.5: where names, namespaces,
 * labels, annotations, images, replicas and name references live in each kind) and the
 * field-spec walker of api/filters/fieldspec that applies them.
 */
import { gvkSelected, type Gvk } from './resid.js';
import { KustomizeError, hasOwn, isNullish, isRecord, type JsonMap } from './values.js';

export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

const fs = (path: string, create: boolean, gvk: Partial<Gvk> = {}): FieldSpec => ({
  ...gvk,
  path,
  create,
});

export const NAME_FIELD_SPECS: readonly FieldSpec[] = [fs('metadata/name', false)];

/** Labels on the object and on the templates it stamps out (`labels[].includeTemplates`). */
export const TEMPLATE_LABEL_FIELD_SPECS: readonly FieldSpec[] = [
  fs('metadata/labels', true),
  fs('spec/template/metadata/labels', true, { version: 'v1', kind: 'ReplicationController' }),
  fs('spec/template/metadata/labels', true, { kind: 'Deployment' }),
  fs('spec/template/metadata/labels', true, { kind: 'ReplicaSet' }),
  fs('spec/template/metadata/labels', true, { kind: 'DaemonSet' }),
  fs('spec/template/metadata/labels', true, { group: 'apps', kind: 'StatefulSet' }),
  fs('spec/volumeClaimTemplates[]/metadata/labels', true, { group: 'apps', kind: 'StatefulSet' }),
  fs('spec/template/metadata/labels', true, { group: 'batch', kind: 'Job' }),
  fs('spec/jobTemplate/metadata/labels', true, { group: 'batch', kind: 'CronJob' }),
  fs('spec/jobTemplate/spec/template/metadata/labels', true, { group: 'batch', kind: 'CronJob' }),
];

const affinityPaths = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** `commonLabels` and `labels[].includeSelectors`: selectors too. */
export const COMMON_LABEL_FIELD_SPECS: readonly FieldSpec[] = [
  fs('spec/selector', true, { version: 'v1', kind: 'Service' }),
  fs('spec/selector', true, { version: 'v1', kind: 'ReplicationController' }),
  fs('spec/selector/matchLabels', true, { kind: 'Deployment' }),
  ...affinityPaths.map((path) => fs(path, false, { group: 'apps', kind: 'Deployment' })),
  fs('spec/selector/matchLabels', true, { kind: 'ReplicaSet' }),
  fs('spec/selector/matchLabels', true, { kind: 'DaemonSet' }),
  fs('spec/selector/matchLabels', true, { group: 'apps', kind: 'StatefulSet' }),
  ...affinityPaths.map((path) => fs(path, false, { group: 'apps', kind: 'StatefulSet' })),
  fs('spec/selector/matchLabels', false, { group: 'batch', kind: 'Job' }),
  fs('spec/jobTemplate/spec/selector/matchLabels', false, { group: 'batch', kind: 'CronJob' }),
  fs('spec/selector/matchLabels', false, { group: 'policy', kind: 'PodDisruptionBudget' }),
  fs('spec/podSelector/matchLabels', false, { group: 'networking.k8s.io', kind: 'NetworkPolicy' }),
  fs('spec/ingress/from/podSelector/matchLabels', false, {
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
  }),
  fs('spec/egress/to/podSelector/matchLabels', false, {
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
  }),
  ...TEMPLATE_LABEL_FIELD_SPECS,
];

export const COMMON_ANNOTATION_FIELD_SPECS: readonly FieldSpec[] = [
  fs('metadata/annotations', true),
  fs('spec/template/metadata/annotations', true, { version: 'v1', kind: 'ReplicationController' }),
  fs('spec/template/metadata/annotations', true, { kind: 'Deployment' }),
  fs('spec/template/metadata/annotations', true, { kind: 'ReplicaSet' }),
  fs('spec/template/metadata/annotations', true, { kind: 'DaemonSet' }),
  fs('spec/template/metadata/annotations', true, { kind: 'StatefulSet' }),
  fs('spec/template/metadata/annotations', true, { group: 'batch', kind: 'Job' }),
  fs('spec/jobTemplate/metadata/annotations', true, { group: 'batch', kind: 'CronJob' }),
  fs('spec/jobTemplate/spec/template/metadata/annotations', true, {
    group: 'batch',
    kind: 'CronJob',
  }),
];

/**
 * `namespace:` besides metadata.namespace (handled apart, never on cluster-scoped kinds) and
 * RoleBinding subjects (handled apart: only subjects named `default`).
 */
export const NAMESPACE_FIELD_SPECS: readonly FieldSpec[] = [
  fs('metadata/name', true, { kind: 'Namespace' }),
  fs('spec/service/namespace', true, { group: 'apiregistration.k8s.io', kind: 'APIService' }),
  fs('spec/conversion/webhook/clientConfig/service/namespace', false, {
    group: 'apiextensions.k8s.io',
    kind: 'CustomResourceDefinition',
  }),
];

/** Kustomize v5.5 (api v0.18): image volumes (`volumes[].image.reference`) came later. */
export const IMAGE_FIELD_SPECS: readonly FieldSpec[] = [
  fs('spec/containers[]/image', true),
  fs('spec/initContainers[]/image', true),
  fs('spec/template/spec/containers[]/image', true),
  fs('spec/template/spec/initContainers[]/image', true),
];

export const REPLICA_FIELD_SPECS: readonly FieldSpec[] = [
  fs('spec/replicas', true, { kind: 'Deployment' }),
  fs('spec/replicas', true, { kind: 'ReplicationController' }),
  fs('spec/replicas', true, { kind: 'ReplicaSet' }),
  fs('spec/replicas', true, { kind: 'StatefulSet' }),
];

export interface NameBackReference {
  /** The referred kind (whose name may change). */
  target: Partial<Gvk>;
  /** Where other objects hold its name. */
  referrers: readonly FieldSpec[];
}

const podPaths = (prefix: string, fields: readonly string[]): string[] =>
  fields.map((field) => `${prefix}${field}`);

function workloadRefs(fields: readonly string[], cronJobFields: readonly string[]): FieldSpec[] {
  return [
    ...podPaths('spec/', fields).map((path) => fs(path, false, { version: 'v1', kind: 'Pod' })),
    ...podPaths('template/spec/', fields).map((path) => fs(path, false, { kind: 'PodTemplate' })),
    ...['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'].flatMap((kind) =>
      podPaths('spec/template/spec/', fields).map((path) => fs(path, false, { kind })),
    ),
    ...podPaths('spec/jobTemplate/spec/template/spec/', cronJobFields).map((path) =>
      fs(path, false, { kind: 'CronJob' }),
    ),
  ];
}

const configMapFields = [
  'volumes/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
  'volumes/projected/sources/configMap/name',
];
const cronJobConfigMapFields = [
  'volumes/configMap/name',
  'volumes/projected/sources/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
];
const secretFields = [
  'volumes/secret/secretName',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
  'volumes/projected/sources/secret/name',
];
const cronJobSecretFields = [
  'volumes/secret/secretName',
  'volumes/projected/sources/secret/name',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
];
const knativeService = { group: 'serving.knative.dev', version: 'v1', kind: 'Service' };

/** A pod field in Pod, StatefulSet, Deployment, ReplicationController, CronJob, Job, DaemonSet. */
const podFieldRefs = (field: string): FieldSpec[] => [
  fs(`spec/${field}`, false, { kind: 'Pod' }),
  ...['StatefulSet', 'Deployment', 'ReplicationController'].map((kind) =>
    fs(`spec/template/spec/${field}`, false, { kind }),
  ),
  fs(`spec/jobTemplate/spec/template/spec/${field}`, false, { kind: 'CronJob' }),
  ...['Job', 'DaemonSet'].map((kind) => fs(`spec/template/spec/${field}`, false, { kind })),
];

/** api/internal/konfig/builtinpluginconsts/namereference.go of api v0.18 (kustomize v5.5), in order. */
export const NAME_REFERENCES: readonly NameBackReference[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    target: { kind },
    referrers: [fs('spec/scaleTargetRef/name', false, { kind: 'HorizontalPodAutoscaler' })],
  })),
  {
    target: { version: 'v1', kind: 'ConfigMap' },
    referrers: [
      ...workloadRefs(configMapFields, cronJobConfigMapFields),
      fs('spec/configSource/configMap', false, { kind: 'Node' }),
      fs('rules/resourceNames', false, { kind: 'Role' }),
      fs('rules/resourceNames', false, { kind: 'ClusterRole' }),
      fs('metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', false, {
        kind: 'Ingress',
      }),
    ],
  },
  {
    target: { version: 'v1', kind: 'Secret' },
    referrers: [
      ...workloadRefs(secretFields, cronJobSecretFields),
      fs('spec/tls/secretName', false, { kind: 'Ingress' }),
      fs('metadata/annotations/ingress.kubernetes.io\\/auth-secret', false, { kind: 'Ingress' }),
      fs('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', false, {
        kind: 'Ingress',
      }),
      fs('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', false, {
        kind: 'Ingress',
      }),
      fs('spec/tls/secretName', false, { kind: 'Ingress' }),
      fs('imagePullSecrets/name', false, { kind: 'ServiceAccount' }),
      fs('parameters/secretName', false, { kind: 'StorageClass' }),
      fs('parameters/adminSecretName', false, { kind: 'StorageClass' }),
      fs('parameters/userSecretName', false, { kind: 'StorageClass' }),
      fs('parameters/secretRef', false, { kind: 'StorageClass' }),
      fs('rules/resourceNames', false, { kind: 'Role' }),
      fs('rules/resourceNames', false, { kind: 'ClusterRole' }),
      fs('spec/template/spec/containers/env/valueFrom/secretKeyRef/name', false, knativeService),
      fs('spec/azureFile/secretName', false, { kind: 'PersistentVolume' }),
    ],
  },
  {
    target: { version: 'v1', kind: 'Service' },
    referrers: [
      fs('spec/serviceName', false, { group: 'apps', kind: 'StatefulSet' }),
      fs('spec/rules/http/paths/backend/serviceName', false, { kind: 'Ingress' }),
      fs('spec/backend/serviceName', false, { kind: 'Ingress' }),
      fs('spec/rules/http/paths/backend/service/name', false, { kind: 'Ingress' }),
      fs('spec/defaultBackend/service/name', false, { kind: 'Ingress' }),
      fs('spec/service/name', false, { group: 'apiregistration.k8s.io', kind: 'APIService' }),
      fs('webhooks/clientConfig/service', false, {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
      }),
      fs('webhooks/clientConfig/service', false, {
        group: 'admissionregistration.k8s.io',
        kind: 'MutatingWebhookConfiguration',
      }),
    ],
  },
  {
    target: { group: 'rbac.authorization.k8s.io', kind: 'Role' },
    referrers: [
      fs('roleRef/name', false, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }),
    ],
  },
  {
    target: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    referrers: [
      fs('roleRef/name', false, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }),
      fs('roleRef/name', false, {
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRoleBinding',
      }),
    ],
  },
  {
    target: { version: 'v1', kind: 'ServiceAccount' },
    referrers: [
      fs('subjects', false, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }),
      fs('subjects', false, { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' }),
      fs('spec/serviceAccountName', false, { kind: 'Pod' }),
      fs('spec/template/spec/serviceAccountName', false, { kind: 'StatefulSet' }),
      fs('spec/template/spec/serviceAccountName', false, { kind: 'Deployment' }),
      fs('spec/template/spec/serviceAccountName', false, { kind: 'ReplicationController' }),
      fs('spec/jobTemplate/spec/template/spec/serviceAccountName', false, { kind: 'CronJob' }),
      fs('spec/template/spec/serviceAccountName', false, { kind: 'Job' }),
      fs('spec/template/spec/serviceAccountName', false, { kind: 'DaemonSet' }),
    ],
  },
  {
    target: { version: 'v1', kind: 'PersistentVolumeClaim' },
    referrers: podFieldRefs('volumes/persistentVolumeClaim/claimName'),
  },
  {
    target: { version: 'v1', kind: 'PersistentVolume' },
    referrers: [
      fs('spec/volumeName', false, { kind: 'PersistentVolumeClaim' }),
      fs('rules/resourceNames', false, { kind: 'ClusterRole' }),
    ],
  },
  {
    target: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' },
    referrers: [
      fs('spec/storageClassName', false, { kind: 'PersistentVolume' }),
      fs('spec/storageClassName', false, { kind: 'PersistentVolumeClaim' }),
      fs('spec/volumeClaimTemplates/spec/storageClassName', false, { kind: 'StatefulSet' }),
    ],
  },
  {
    target: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' },
    referrers: podFieldRefs('priorityClassName'),
  },
  {
    // Kustomize's own table spells the group with its version, so this never matches.
    target: { group: 'networking.k8s.io/v1', version: 'v1', kind: 'IngressClass' },
    referrers: [fs('spec/ingressClassName', false, { kind: 'Ingress' })],
  },
  {
    target: { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
    referrers: [
      fs('spec/policyName', false, {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingAdmissionPolicyBinding',
      }),
    ],
  },
];

/** Whether a field spec applies to an object of this type (fieldspec.isMatchGVK). */
export function fieldSpecMatches(spec: FieldSpec, gvk: Gvk): boolean {
  return gvkSelected(gvk, spec);
}

/** `a/b\/c/d` → `['a', 'b/c', 'd']`. */
export function splitFieldPath(path: string): string[] {
  const parts = path.split('/');
  const result: string[] = [];
  for (const part of parts) {
    const last = result.length - 1;
    const previous = result[last];
    if (previous?.endsWith('\\')) result[last] = `${previous.slice(0, -1)}/${part}`;
    else result.push(part);
  }
  return result;
}

/** What to create at the end of a path when `create: true` and the field is missing. */
export type CreateKind = 'scalar' | 'map';

/** Receives the value found at the path and returns the value to store there. */
export type SetValue = (current: unknown) => unknown;

/**
 * Applies one field spec to an object (api/filters/fieldspec): walks the path, visits every
 * element of a sequence met on the way, creates missing fields when the spec says so.
 */
export function applyFieldSpec(
  object: JsonMap,
  gvk: Gvk,
  spec: FieldSpec,
  setValue: SetValue,
  createKind?: CreateKind,
): void {
  if (!fieldSpecMatches(spec, gvk)) return;
  const parts = splitFieldPath(spec.path);
  visitField(object, parts, spec, setValue, createKind);
}

function visit(
  value: unknown,
  assign: (value: unknown) => void,
  parts: readonly string[],
  spec: FieldSpec,
  setValue: SetValue,
  createKind: CreateKind | undefined,
): void {
  if (parts.length === 0) {
    assign(setValue(value));
    return;
  }
  if (isNullish(value)) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      visit(item, (next) => (value[index] = next), parts, spec, setValue, createKind);
    });
    return;
  }
  if (isRecord(value)) {
    visitField(value, parts, spec, setValue, createKind);
    return;
  }
  throw new KustomizeError(
    `field spec '${spec.path}' meets a scalar where it expects a sequence or a mapping`,
  );
}

function visitField(
  object: JsonMap,
  parts: readonly string[],
  spec: FieldSpec,
  setValue: SetValue,
  createKind: CreateKind | undefined,
): void {
  const head = parts[0] ?? '';
  const isSequence = head.endsWith('[]');
  const name = isSequence ? head.slice(0, -2) : head;
  let kind: 'seq' | 'map' | 'scalar' | undefined;
  if (spec.create !== true || createKind === undefined || isSequence) {
    if (!hasOwn(object, name)) return;
    kind = isSequence ? 'seq' : undefined;
  } else if (parts.length <= 1) {
    if (!hasOwn(object, name)) object[name] = createKind === 'map' ? {} : '';
    kind = createKind;
  } else {
    if (!hasOwn(object, name)) object[name] = {};
    kind = 'map';
  }
  if (isNullish(object[name]) && kind !== undefined) {
    object[name] = kind === 'map' ? {} : kind === 'seq' ? [] : '';
  }
  visit(object[name], (next) => (object[name] = next), parts.slice(1), spec, setValue, createKind);
}

/** Sets `key: value` in the map found at the path. */
export function setEntry(key: string, value: string): SetValue {
  return (current) => {
    if (isNullish(current)) return { [key]: value };
    if (!isRecord(current)) {
      throw new KustomizeError(`cannot set '${key}': the field is not a mapping`);
    }
    current[key] = value;
    return current;
  };
}
