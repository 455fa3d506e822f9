/**
 * Resolves the scheduling keys of every workload (`nodeSelector`, `tolerations`, `affinity`,
 * `topologySpreadConstraints`, `priorityClassName`, `imagePullSecrets`, `podAnnotations`,
 * `podLabels`), the data volumes of Alertmanager and Grafana (`alertmanager.storage`,
 * `grafana.storage`) and their exposure (`grafana.ingress`, `prometheus.ingress`), with the
 * checks the environment file's JSON Schema cannot express. Problems point at the file's line.
 *
 * The Kubernetes-shaped values are checked against the Pod schema of the Kubernetes release
 * `validate` uses (generated/schemas/kubernetes.json, strict: unknown fields refused), so that
 * what the file accepts is what the API server and `gitops-gen validate` accept. The schema is
 * read only when an environment sets one of those keys.
 */
import type { ErrorObject } from 'ajv';
import {
  alertmanagerComponent,
  componentLabels,
  grafanaComponent,
  kubeStateMetricsComponent,
  nodeExporterComponent,
  prometheusComponent,
} from '../stack/components.js';
import { qualifiedNameProblem } from '../validate/api-syntax.js';
import { loadSchemaBundles, SchemaValidator } from '../validate/schemas.js';
import { quoteValue } from '../text-safety.js';
import type { Tier } from './environment.js';
import { didYouMean } from './hints.js';
import { report, type ResolveContext } from './resolve-context.js';
import type { EnvironmentFile } from './schema.js';
import {
  schedulableComponents,
  type ComponentScheduling,
  type ExposureSettings,
  type IngressSettings,
  type KubernetesFields,
  type PersistenceSettings,
  type SchedulableComponent,
  type SchedulingSettings,
  type VolumeStorage,
} from './schema-scheduling.js';

/** Kubernetes object names of each schedulable component (their pods' selector label value). */
const componentNames: Record<SchedulableComponent, string> = {
  prometheus: prometheusComponent.name,
  grafana: grafanaComponent.name,
  alertmanager: alertmanagerComponent.name,
  nodeExporter: nodeExporterComponent.name,
  kubeStateMetrics: kubeStateMetricsComponent.name,
};

/** The overlay's own label (kustomization `labels`, includeTemplates): kustomize would win. */
const instanceLabel = 'app.kubernetes.io/instance';

/** Size of an Alertmanager or Grafana volume when none is given: both hold little data. */
export const defaultVolumeSize = '1Gi';

/**
 * Tier default of Alertmanager's data: in prod, silences and the notification log survive a
 * restart of every replica (gossip alone restores them only while one replica lives).
 */
function alertmanagerStorageDefault(tier: Tier): VolumeStorage {
  return tier === 'prod'
    ? { type: 'pvc', size: defaultVolumeSize }
    : { type: 'emptyDir', size: defaultVolumeSize };
}

/**
 * Authentication annotations of ingress controllers: with one of them (and the value it needs),
 * a Prometheus Ingress is not open to whoever reaches the host. ingress-nginx: `auth-url`
 * (external authentication such as oauth2-proxy), or `auth-type` basic/digest with `auth-secret`;
 * AWS Load Balancer Controller: `auth-type` cognito or oidc; HAProxy Ingress Controller:
 * `auth-type: basic-auth` with `auth-secret`.
 */
function authenticatingAnnotation(annotations: Record<string, string>): string | undefined {
  const nginx = 'nginx.ingress.kubernetes.io/';
  if ((annotations[`${nginx}auth-url`] ?? '') !== '') return `${nginx}auth-url`;
  const nginxType = annotations[`${nginx}auth-type`];
  if ((nginxType === 'basic' || nginxType === 'digest') && annotations[`${nginx}auth-secret`]) {
    return `${nginx}auth-type`;
  }
  const alb = annotations['alb.ingress.kubernetes.io/auth-type'];
  if (alb === 'cognito' || alb === 'oidc') return 'alb.ingress.kubernetes.io/auth-type';
  if (
    annotations['haproxy.org/auth-type'] === 'basic-auth' &&
    annotations['haproxy.org/auth-secret']
  ) {
    return 'haproxy.org/auth-type';
  }
  return undefined;
}

export interface WorkloadExtras {
  scheduling: ComponentScheduling;
  persistence: PersistenceSettings;
  exposure: ExposureSettings;
}

export function resolveWorkloadExtras(
  input: EnvironmentFile,
  tier: Tier,
  grafanaReplicas: number,
  context: ResolveContext,
): WorkloadExtras {
  const scheduling = {} as ComponentScheduling;
  for (const component of schedulableComponents) {
    scheduling[component] = resolveScheduling(component, input[component] ?? {}, context);
  }
  const persistence: PersistenceSettings = {
    alertmanager: resolveVolume(
      ['alertmanager', 'storage'],
      alertmanagerStorageDefault(tier),
      input.alertmanager?.storage,
      context,
    ),
    grafana: resolveVolume(
      ['grafana', 'storage'],
      { type: 'emptyDir' },
      input.grafana?.storage,
      context,
    ),
  };
  if (persistence.grafana.type === 'pvc' && grafanaReplicas > 1) {
    report(
      context,
      ['grafana', 'storage', 'type'],
      'config/grafana-pvc-replicas',
      `a Grafana PVC is one ReadWriteOnce claim, which ${grafanaReplicas} replicas cannot share (nor can they share its SQLite database)`,
      'set grafana.replicas: 1, or keep `type: emptyDir` and give several replicas an external database',
    );
  }
  const exposure: ExposureSettings = {};
  const grafanaIngress = input.grafana?.ingress;
  if (grafanaIngress) {
    const ingress = resolveIngress(['grafana', 'ingress'], grafanaIngress, context);
    if (ingress) exposure.grafana = ingress;
  }
  const prometheusIngress = input.prometheus?.ingress;
  if (prometheusIngress) {
    const ingress = resolveIngress(['prometheus', 'ingress'], prometheusIngress, context);
    if (ingress) exposure.prometheus = ingress;
    checkPrometheusAuthentication(prometheusIngress, context);
  }
  return { scheduling, persistence, exposure };
}

type SchedulingInput = Partial<{
  nodeSelector: Record<string, string>;
  tolerations: unknown[];
  affinity: Record<string, unknown>;
  topologySpreadConstraints: unknown[];
  priorityClassName: string;
  imagePullSecrets: unknown[];
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
}>;

function resolveScheduling(
  component: SchedulableComponent,
  input: SchedulingInput,
  context: ResolveContext,
): SchedulingSettings {
  const settings: SchedulingSettings = {};
  const kubernetesFields = {
    ...(input.affinity ? { affinity: input.affinity } : {}),
    ...(input.tolerations ? { tolerations: input.tolerations } : {}),
    ...(input.topologySpreadConstraints
      ? { topologySpreadConstraints: input.topologySpreadConstraints }
      : {}),
    ...(input.imagePullSecrets ? { imagePullSecrets: input.imagePullSecrets } : {}),
  };
  const valid =
    Object.keys(kubernetesFields).length === 0 ||
    checkPodFields(component, kubernetesFields, context);
  if (valid) {
    if (input.affinity) settings.affinity = input.affinity;
    if (input.tolerations) settings.tolerations = input.tolerations as KubernetesFields[];
    if (input.topologySpreadConstraints) {
      settings.topologySpreadConstraints = input.topologySpreadConstraints as KubernetesFields[];
    }
    if (input.imagePullSecrets) {
      settings.imagePullSecrets = input.imagePullSecrets as { name: string }[];
    }
  }
  if (input.nodeSelector) {
    checkLabels([component, 'nodeSelector'], input.nodeSelector, 'label', context);
    settings.nodeSelector = { ...input.nodeSelector };
  }
  if (input.podLabels) {
    checkLabels([component, 'podLabels'], input.podLabels, 'label', context);
    checkReservedLabels(component, input.podLabels, context);
    settings.podLabels = { ...input.podLabels };
  }
  if (input.podAnnotations) {
    checkLabels([component, 'podAnnotations'], input.podAnnotations, 'annotation', context);
    settings.podAnnotations = { ...input.podAnnotations };
  }
  if (input.priorityClassName !== undefined) {
    // ValidatePodSpec: priorityClassName is a DNS-1123 subdomain (the PriorityClass's name).
    if (!dns1123Subdomain.test(input.priorityClassName) || input.priorityClassName.length > 253) {
      report(
        context,
        [component, 'priorityClassName'],
        'config/invalid-priority-class',
        `${quoteValue(input.priorityClassName)} is not a valid PriorityClass name`,
        'use lowercase letters, digits, "-" and ".", such as system-cluster-critical',
      );
    }
    settings.priorityClassName = input.priorityClassName;
  }
  return settings;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** apimachinery IsValidLabelValue. */
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Label keys and values (apimachinery ValidateLabels: IsQualifiedName, IsValidLabelValue) and
 * annotation keys (ValidateAnnotations: IsQualifiedName of the lowercased key), as the API
 * server checks them in `metadata` and in `nodeSelector`.
 */
export function checkLabels(
  keyPath: string[],
  map: Record<string, string>,
  what: 'label' | 'annotation',
  context: ResolveContext,
): void {
  for (const [key, value] of Object.entries(map)) {
    const problem = qualifiedNameProblem(what === 'label' ? key : key.toLowerCase());
    if (problem) {
      report(
        context,
        [...keyPath, key],
        `config/invalid-${what}-key`,
        `${quoteValue(key)} is not a valid ${what} key: ${problem}`,
        'write [prefix/]name, such as example.com/team or team',
      );
    }
    if (what === 'label' && (value.length > 63 || !labelValue.test(value))) {
      report(
        context,
        [...keyPath, key],
        'config/invalid-label-value',
        `${quoteValue(value)} is not a valid label value`,
        'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      );
    }
  }
}

/**
 * The labels gitops-gen sets on a pod template: the selector label (a Deployment, StatefulSet or
 * DaemonSet whose template does not match its selector is refused, and Services and
 * PodDisruptionBudgets select by it), the other component labels and the overlay's instance
 * label (which kustomize sets last, silently winning).
 */
function checkReservedLabels(
  component: SchedulableComponent,
  labels: Record<string, string>,
  context: ResolveContext,
): void {
  const own = componentLabels(componentNames[component]);
  const selectorKey = 'app.kubernetes.io/name';
  for (const key of Object.keys(labels)) {
    if (!(key in own) && key !== instanceLabel) continue;
    report(
      context,
      [component, 'podLabels', key],
      'config/reserved-label',
      key === selectorKey
        ? `${key} is the selector label of ${componentNames[component]}: overriding it would make the pods no longer match their workload's selector, Services and PodDisruptionBudget`
        : `${key} is set by gitops-gen on every pod of ${componentNames[component]}`,
      'remove it, or use a label key of your own such as example.com/team',
    );
  }
}

let podSchemas: SchemaValidator | undefined;

/**
 * The schemas of generated/schemas, strict as `validate`, with the Pod's precompiled validator
 * loaded where the build wrote it (compiling the Pod schema costs about two seconds).
 */
function schemaValidator(): SchemaValidator {
  if (!podSchemas) {
    podSchemas = new SchemaValidator({ bundles: () => loadSchemaBundles(), strict: true });
    // preload is synchronous (require); its promise only keeps the SchemaSource interface.
    void podSchemas.preload(['v1/Pod']);
  }
  return podSchemas;
}

/**
 * Checks the Kubernetes-shaped keys as the `spec` of a Pod; an error at
 * `/spec/tolerations/0/operator` is reported at `<component>.tolerations.0.operator`.
 */
function checkPodFields(
  component: SchedulableComponent,
  fields: Record<string, unknown>,
  context: ResolveContext,
): boolean {
  const schemas = schemaValidator();
  const validate = schemas.validatorFor('v1', 'Pod');
  if (!validate) return true;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'scheduling-check' },
    spec: { containers: [{ name: 'check', image: 'check' }], ...fields },
  };
  if (validate(pod)) return true;
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const segments = error.instancePath.split('/').slice(1);
    if (segments[0] !== 'spec' || segments.length < 2) continue;
    const keyPath = [component, ...segments.slice(1).map(unescapePointer)];
    const podPath = segments
      .map(unescapePointer)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    const problem = podFieldProblem(error, () => schemas.allowedKeys('v1', 'Pod', podPath));
    const id = `${keyPath.join('.')} ${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const at = problem.key === undefined ? keyPath : [...keyPath, problem.key];
    report(context, at, problem.code, problem.message, problem.hint);
  }
  return false;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** One ajv error of the Pod schema as a sentence and a hint. */
function podFieldProblem(
  error: ErrorObject,
  allowedKeys: () => string[],
): {
  code: string;
  message: string;
  hint: string;
  key?: string;
} {
  const params = error.params as Record<string, unknown>;
  const kubernetes = "Kubernetes' Pod schema";
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      // A precompiled validator's errors carry no schema: the bundle names the keys instead.
      const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const allowed = schema?.properties ? Object.keys(schema.properties) : allowedKeys();
      return {
        code: 'config/unknown-key',
        key,
        message: `unknown key ${quoteValue(key)} (${kubernetes})`,
        hint: didYouMean(key, allowed) ?? `allowed keys here: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return {
        code: 'config/missing-key',
        message: `missing required key \`${String(params.missingProperty)}\` (${kubernetes})`,
        hint: `add \`${String(params.missingProperty)}:\` here`,
      };
    case 'type':
      return {
        code: 'config/wrong-type',
        message: `must be ${String(params.type)}, got ${describeValue(error.data)} (${kubernetes})`,
        hint: `write ${String(params.type).replace(',null', '')} here`,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[])
        .filter((value) => value !== null)
        .map(String);
      return {
        code: 'config/not-allowed',
        message: `${describeValue(error.data)} is not one of ${allowed.join(', ')} (${kubernetes})`,
        hint: didYouMean(String(error.data), allowed) ?? `use one of ${allowed.join(', ')}`,
      };
    }
    default:
      return {
        code: 'config/invalid-kubernetes-field',
        message: `${error.message ?? 'is not valid'} (${kubernetes})`,
        hint: 'see `kubectl explain pod.spec` for this field',
      };
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return quoteValue(typeof value === 'string' ? value : JSON.stringify(value));
}

type VolumeInput = { type?: 'emptyDir' | 'pvc'; size?: string; storageClass?: string };

function resolveVolume(
  keyPath: string[],
  defaults: VolumeStorage,
  input: VolumeInput | undefined,
  context: ResolveContext,
): VolumeStorage {
  const type = input?.type ?? defaults.type;
  const size = input?.size ?? (type === defaults.type ? defaults.size : defaultVolumeSize);
  if (type === 'emptyDir') {
    if (input?.storageClass !== undefined) {
      report(
        context,
        [...keyPath, 'storageClass'],
        'config/storage-class-needs-pvc',
        'a storageClass only applies to `type: pvc` storage',
        'set `type: pvc` or remove `storageClass`',
      );
    }
    return size === undefined ? { type } : { type, size };
  }
  return {
    type,
    size: size ?? defaultVolumeSize,
    ...(input?.storageClass === undefined ? {} : { storageClass: input.storageClass }),
  };
}

type IngressInput = NonNullable<NonNullable<EnvironmentFile['grafana']>['ingress']>;

/**
 * An Ingress or HTTPRoute. The host is an RFC 1123 subdomain, optionally with a leading `*.`
 * (networking/v1 IngressRule.host; HTTPRoute hostnames alike); an HTTPRoute attaches to a
 * Gateway (parentRefs) and takes TLS and its class from there.
 */
function resolveIngress(
  keyPath: string[],
  input: IngressInput,
  context: ResolveContext,
): IngressSettings | undefined {
  const host = input.host;
  const hostName = host.startsWith('*.') ? host.slice(2) : host;
  let ok = true;
  if (hostName.length > 253 || !dns1123Subdomain.test(hostName)) {
    ok = false;
    report(
      context,
      [...keyPath, 'host'],
      'config/invalid-host',
      `${quoteValue(host)} is not a valid host name (lowercase DNS name, optionally starting with "*.")`,
      'write a host such as grafana.example.com, without scheme, port or path',
    );
  }
  const annotations = { ...input.annotations };
  checkLabels([...keyPath, 'annotations'], annotations, 'annotation', context);
  if ((input.kind ?? 'Ingress') === 'Ingress') {
    if (input.parentRefs !== undefined) {
      ok = false;
      report(
        context,
        [...keyPath, 'parentRefs'],
        'config/ingress-field-needs-kind',
        'parentRefs only apply to `kind: HTTPRoute`',
        'set `kind: HTTPRoute`, or remove `parentRefs`',
      );
    }
    return ok
      ? {
          kind: 'Ingress',
          host,
          annotations,
          ...(input.className === undefined ? {} : { className: input.className }),
          ...(input.tlsSecretName === undefined ? {} : { tlsSecretName: input.tlsSecretName }),
        }
      : undefined;
  }
  for (const key of ['className', 'tlsSecretName'] as const) {
    if (input[key] === undefined) continue;
    ok = false;
    report(
      context,
      [...keyPath, key],
      'config/ingress-field-needs-kind',
      `${key} only applies to \`kind: Ingress\`: an HTTPRoute takes its class and TLS from the Gateway it attaches to`,
      `remove \`${key}\` and set it on the Gateway's listener`,
    );
  }
  if (input.parentRefs === undefined) {
    report(
      context,
      [...keyPath, 'kind'],
      'config/missing-key',
      'an HTTPRoute needs `parentRefs`: the Gateway it attaches to',
      'add `parentRefs: [{ name: <gateway>, namespace: <its namespace> }]`',
    );
    return undefined;
  }
  return ok
    ? {
        kind: 'HTTPRoute',
        host,
        annotations,
        parentRefs: input.parentRefs.map((ref) => ({ ...ref })),
      }
    : undefined;
}

/** Prometheus has no authentication: exposing it needs an auth annotation or an explicit yes. */
function checkPrometheusAuthentication(
  input: NonNullable<NonNullable<EnvironmentFile['prometheus']>['ingress']>,
  context: ResolveContext,
): void {
  if (input.allowUnauthenticated === true) return;
  const kind = input.kind ?? 'Ingress';
  if (kind === 'Ingress' && authenticatingAnnotation(input.annotations ?? {}) !== undefined) return;
  report(
    context,
    ['prometheus', 'ingress', 'host'],
    'config/unauthenticated-ingress',
    `Prometheus has no authentication: through this ${kind}, whoever reaches ${quoteValue(input.host)} can query every series`,
    kind === 'Ingress'
      ? 'add an authentication annotation of your ingress controller (nginx.ingress.kubernetes.io/auth-url for oauth2-proxy, or auth-type: basic with auth-secret), or set `allowUnauthenticated: true` to accept it'
      : 'authenticate on the Gateway side and set `allowUnauthenticated: true` to accept it (an HTTPRoute carries no authentication annotation)',
  );
}
