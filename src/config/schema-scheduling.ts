/**
 * The parts of the environment file's JSON Schema for where each component's pods run
 * (scheduling), which data survives a restart (`alertmanager.storage`, `grafana.storage`) and how
 * Grafana and Prometheus are reached from outside (`grafana.ingress`, `prometheus.ingress`), and
 * the resolved shapes these keys become. Kept apart from schema.ts for size; schema.ts spreads
 * these fragments into each component.
 *
 * The Kubernetes shapes (`affinity`, `tolerations`, `topologySpreadConstraints`,
 * `imagePullSecrets`) are only loosely typed here: resolve-scheduling.ts checks them against the
 * Kubernetes release's own Pod schema (generated/schemas/kubernetes.json), so that the
 * environment file accepts exactly what the API server does, with errors at the file's line.
 */

const quantity = { type: 'string', format: 'quantity' } as const;

const stringMap = (description: string) =>
  ({
    type: 'object',
    description,
    additionalProperties: { type: 'string' },
  }) as const;

/** Pod-level settings every workload takes; rendered as one overlay patch per workload. */
export const schedulingProperties = {
  nodeSelector: stringMap(
    'Pod `nodeSelector`: node labels the pods must run on, such as `{ kubernetes.io/os: linux, node-role: monitoring }`.',
  ),
  tolerations: {
    type: 'array',
    description:
      'Pod `tolerations` (Kubernetes Toleration objects: key, operator, value, effect, tolerationSeconds), to run on tainted nodes.',
    items: { type: 'object' },
  },
  affinity: {
    type: 'object',
    description:
      'Pod `affinity` (nodeAffinity, podAffinity, podAntiAffinity). Replaces the rendered default, which spreads replicas across nodes (preferred pod anti-affinity on kubernetes.io/hostname).',
  },
  topologySpreadConstraints: {
    type: 'array',
    description:
      'Pod `topologySpreadConstraints` (Kubernetes TopologySpreadConstraint objects: maxSkew, topologyKey, whenUnsatisfiable, labelSelector, ...).',
    items: { type: 'object' },
  },
  priorityClassName: {
    type: 'string',
    minLength: 1,
    description: 'PriorityClass of the pods (it must exist in the cluster).',
  },
  imagePullSecrets: {
    type: 'array',
    description:
      'Secrets (in the environment namespace) with registry credentials: `[{ name: regcred }]`.',
    items: { type: 'object' },
  },
  podAnnotations: stringMap('Extra annotations on the pods (pod template).'),
  podLabels: stringMap(
    'Extra labels on the pods (pod template). The labels gitops-gen sets, such as the selector label app.kubernetes.io/name, cannot be overridden.',
  ),
} as const;

/** `alertmanager.storage`: mirrors `prometheus.storage`. */
export const alertmanagerStorageSchema = {
  type: 'object',
  description:
    'Where Alertmanager keeps its silences and notification log. Default: a PVC in the prod tier (they survive a restart of every replica), an emptyDir elsewhere.',
  additionalProperties: false,
  properties: {
    type: {
      type: 'string',
      enum: ['emptyDir', 'pvc'],
      description: '`emptyDir` (lost with the pod) or `pvc` (one claim per replica).',
    },
    size: { ...quantity, description: 'Claim size, or the emptyDir size limit; default 1Gi.' },
    storageClass: {
      type: 'string',
      minLength: 1,
      description: 'StorageClass of the claims; the cluster default when unset.',
    },
  },
} as const;

/** `grafana.storage`. */
export const grafanaStorageSchema = {
  type: 'object',
  description:
    "Where Grafana's database (users, preferences, annotations, anything made in the UI) lives. Default an emptyDir: dashboards and datasources come from Git anyway.",
  additionalProperties: false,
  properties: {
    type: {
      type: 'string',
      enum: ['emptyDir', 'pvc'],
      description:
        '`emptyDir` (lost with the pod) or `pvc` (one ReadWriteOnce claim; needs replicas: 1).',
    },
    size: { ...quantity, description: 'Claim size, or the emptyDir size limit; default 1Gi.' },
    storageClass: {
      type: 'string',
      minLength: 1,
      description: 'StorageClass of the claim; the cluster default when unset.',
    },
  },
} as const;

const ingressProperties = {
  kind: {
    type: 'string',
    enum: ['Ingress', 'HTTPRoute'],
    description:
      'A networking.k8s.io/v1 Ingress (default) or a Gateway API gateway.networking.k8s.io/v1 HTTPRoute.',
  },
  host: {
    type: 'string',
    minLength: 1,
    description: 'Host name it answers to, such as grafana.example.com. Required.',
  },
  className: {
    type: 'string',
    minLength: 1,
    description:
      'Ingress only: the IngressClass (`ingressClassName`); the cluster default when unset.',
  },
  tlsSecretName: {
    type: 'string',
    minLength: 1,
    description:
      'Ingress only: Secret (in the environment namespace) holding the TLS certificate for the host. For an HTTPRoute, TLS is set on the Gateway.',
  },
  annotations: stringMap(
    'Annotations of the Ingress or HTTPRoute, such as cert-manager.io/cluster-issuer or an ingress controller setting.',
  ),
  parentRefs: {
    type: 'array',
    minItems: 1,
    description: 'HTTPRoute only, required: the Gateway(s) it attaches to.',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, description: 'Name of the Gateway.' },
        namespace: {
          type: 'string',
          minLength: 1,
          description: "Namespace of the Gateway; default the route's own.",
        },
        sectionName: {
          type: 'string',
          minLength: 1,
          description: 'Listener of the Gateway to attach to.',
        },
      },
    },
  },
} as const;

export const grafanaIngressSchema = {
  type: 'object',
  description: 'Grafana behind an Ingress or a Gateway API HTTPRoute.',
  additionalProperties: false,
  required: ['host'],
  properties: ingressProperties,
} as const;

export const prometheusIngressSchema = {
  type: 'object',
  description:
    'Prometheus behind an Ingress or an HTTPRoute. Prometheus has no authentication: this needs an authentication annotation of the ingress controller (such as nginx.ingress.kubernetes.io/auth-url or auth-type) or `allowUnauthenticated: true`.',
  additionalProperties: false,
  required: ['host'],
  properties: {
    ...ingressProperties,
    allowUnauthenticated: {
      type: 'boolean',
      description:
        'Accept on purpose that whoever reaches the host can query every series (or that something the ingress annotations do not show authenticates). Default false.',
    },
  },
} as const;

/** The workloads that take scheduling settings, by their environment file key. */
export const schedulableComponents = [
  'prometheus',
  'grafana',
  'alertmanager',
  'nodeExporter',
  'kubeStateMetrics',
] as const;
export type SchedulableComponent = (typeof schedulableComponents)[number];

/** A JSON value as read from the environment file (already checked against the Pod schema). */
export type KubernetesFields = Record<string, unknown>;

/** One component's resolved scheduling settings; absent keys leave the base as it is. */
export interface SchedulingSettings {
  nodeSelector?: Record<string, string>;
  tolerations?: KubernetesFields[];
  /** Replaces the rendered anti-affinity. */
  affinity?: KubernetesFields;
  topologySpreadConstraints?: KubernetesFields[];
  priorityClassName?: string;
  imagePullSecrets?: { name: string }[];
  podAnnotations?: Record<string, string>;
  podLabels?: Record<string, string>;
}

export type ComponentScheduling = Record<SchedulableComponent, SchedulingSettings>;

/** An emptyDir without a size has no limit (Grafana's default). */
export type VolumeStorage =
  { type: 'emptyDir'; size?: string } | { type: 'pvc'; size: string; storageClass?: string };

/** Data volumes of Alertmanager and Grafana (Prometheus' is `prometheus.storage`). */
export interface PersistenceSettings {
  alertmanager: VolumeStorage;
  grafana: VolumeStorage;
}

export type IngressSettings = {
  host: string;
  annotations: Record<string, string>;
} & (
  | { kind: 'Ingress'; className?: string; tlsSecretName?: string }
  | {
      kind: 'HTTPRoute';
      parentRefs: { name: string; namespace?: string; sectionName?: string }[];
    }
);

/** Who is reached from outside through an Ingress or HTTPRoute; absent: not exposed. */
export interface ExposureSettings {
  grafana?: IngressSettings;
  prometheus?: IngressSettings;
}
