/**
 * The JSON Schema of an environment file, and the TypeScript type derived from it.
 * The schema is the single source of truth: ajv checks files against it, `EnvironmentFile` is
 * computed from it, and the formats below say what a valid duration, quantity or name is.
 * Tier-dependent defaults live in defaults.ts, not here, because they differ per environment.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { deliverySchema, publishSchema } from './schema-delivery.js';
import { kustomizeSchema } from './schema-kustomize.js';
import {
  additionalScrapeConfigsSchema,
  grafanaEnabledSchema,
  kubeStateMetricsSwitches,
  nodeExporterSwitches,
  secretMountsSchema,
} from './schema-scrape.js';
import {
  alertmanagerInhibitRulesSchema,
  alertmanagerRoutesSchema,
  alertmanagerTemplatesSchema,
  alertmanagerTimeIntervalsSchema,
} from './schema-alertmanager-routes.js';
import { additionalDashboardsSchema, dashboardFolderSchema } from './schema-dashboards.js';
import {
  additionalRuleFilesSchema,
  metaMonitoringSchema,
  runbookBaseUrlSchema,
} from './schema-rules.js';
import {
  alertmanagerStorageSchema,
  grafanaIngressSchema,
  grafanaStorageSchema,
  prometheusIngressSchema,
  schedulingProperties,
} from './schema-scheduling.js';
import { modeSchema, operatorSchema, operatorTargetProperties } from './schema-operator.js';

/** Value formats used by the schema; ajv gets these regular expressions. */
export const formatPatterns = {
  /** Prometheus duration: units y, w, d, h, m, s, ms in that order, e.g. `1h30m`. */
  duration: /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/,
  /** Kubernetes resource quantity, e.g. `500m`, `2Gi`, `1e3`. */
  quantity: /^\+?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/,
  /** Prometheus `--storage.tsdb.retention.size`: an integer and a byte unit (powers of 2). */
  'retention-size': /^\d+(B|KB|MB|GB|TB|PB|EB)$/,
  /** RFC 1123 label: namespaces, service names and environment names (which become folders). */
  'dns-label': /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  /** Prometheus label name, without the reserved `__` prefix. */
  'label-name': /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/,
  /** Container image repository, optionally with a registry host and port. */
  'image-repository': /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
  /** Container image tag, optionally followed by its digest (`v3.5.5@sha256:...`). */
  'image-tag': /^\w[\w.-]{0,127}(@sha256:[a-f0-9]{64})?$/,
  /** Container image digest. */
  'image-digest': /^sha256:[a-f0-9]{64}$/,
  /** HTTP path of a metrics endpoint. */
  'http-path': /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/,
  /** A relative folder inside the GitOps repository: no `..`, no leading `/`. */
  'repo-path': /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]*$/,
  /** A Git remote: https://, ssh://, git@host:org/repo(.git), or file:// / a local path. */
  'git-remote': /^(https?:\/\/\S+|ssh:\/\/\S+|git@[^:\s]+:\S+|file:\/\/\S+|[./~]\S*)$/,
  /**
   * A branch name, as `git check-ref-format --branch` allows it (on a narrower alphabet): not
   * starting with "-", no component starting with "." or ending with ".lock", no "..", "//" or
   * "@{", not ending with "/" or ".".
   */
  'git-branch': /^(?![-./])(?!.*(\.\.|\/\/|\/\.|@\{|\/$|\.$|\.lock(\/|$)))[A-Za-z0-9._/-]+$/,
  /** Key of a Secret's data. */
  'secret-key': /^[-._a-zA-Z0-9]{1,253}$/,
  /** An email address (simplified: something@host). */
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  /** host:port, such as an SMTP server. */
  'host-port': /^[A-Za-z0-9.-]+:\d{1,5}$/,
  /** An http:// or https:// URL (a webhook receiver). */
  'http-url': /^https?:\/\/[^\s/]+(\/\S*)?$/,
  /** An HTTPS URL (the Kubernetes API server of a cluster). */
  'https-url': /^https:\/\/[^\s/]+(\/\S*)?$/,
} as const;
export type FormatName = keyof typeof formatPatterns;

const duration = { type: 'string', format: 'duration' } as const;
const quantity = { type: 'string', format: 'quantity' } as const;

const resourceList = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cpu: { ...quantity, description: 'CPU, e.g. `500m` or `2`.' },
    memory: { ...quantity, description: 'Memory, e.g. `512Mi` or `2Gi`.' },
  },
} as const;

const resources = {
  type: 'object',
  description: 'Container resource requests and limits.',
  additionalProperties: false,
  properties: {
    requests: { ...resourceList, description: 'Guaranteed resources (used for scheduling).' },
    limits: { ...resourceList, description: 'Upper bounds enforced by the kubelet.' },
  },
} as const;

const image = {
  type: 'object',
  description: 'Container image; the tag and digest are pinned in the overlay.',
  additionalProperties: false,
  properties: {
    repository: { type: 'string', format: 'image-repository', description: 'Image repository.' },
    tag: {
      type: 'string',
      format: 'image-tag',
      description: 'Image tag, such as v3.5.5 or v3.5.5@sha256:... with its digest; not latest.',
    },
    digest: {
      type: 'string',
      format: 'image-digest',
      description:
        'Image digest, sha256: and 64 hex digits; rendered as repository:tag@digest, or repository@digest when no tag is set.',
    },
  },
} as const;

const service = {
  type: 'object',
  description: 'How the component is exposed.',
  additionalProperties: false,
  properties: {
    type: {
      type: 'string',
      enum: ['ClusterIP', 'NodePort', 'LoadBalancer'],
      description: 'Kubernetes Service type.',
    },
    nodePort: {
      type: 'integer',
      minimum: 30000,
      maximum: 32767,
      description: 'Node port (NodePort and LoadBalancer only), in the default 30000-32767 range.',
    },
  },
} as const;

/** Prometheus' Service: like any other, plus the acceptance of exposing it unauthenticated. */
const prometheusService = {
  ...service,
  properties: {
    ...service.properties,
    acceptUnauthenticated: {
      type: 'boolean',
      description:
        'Prometheus has no authentication: a NodePort or LoadBalancer lets anyone who reaches a node (or the load balancer) query every series. `true` accepts that on purpose (NodePort and LoadBalancer only): `render` no longer warns about a prod-tier environment, and the Service carries `gitops-gen.dev/ignore-checks: policy/unauthenticated-exposure`. Safer: `type: ClusterIP` with `kubectl port-forward`, or an Ingress with authentication. Default false.',
    },
  },
} as const;

const scrapeTarget = (what: string) =>
  ({
    type: 'object',
    description: `Where Prometheus finds the ${what} and how often it scrapes it.`,
    additionalProperties: false,
    properties: {
      serviceName: {
        type: 'string',
        format: 'dns-label',
        description: `Name of the ${what} Service.`,
      },
      namespace: {
        type: 'string',
        format: 'dns-label',
        description: `Namespace of the ${what}; defaults to the environment's namespace.`,
      },
      port: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        description: `Port of the ${what} metrics endpoint.`,
      },
      metricsPath: { type: 'string', format: 'http-path', description: 'Metrics path.' },
      scrapeInterval: { ...duration, description: 'Scrape interval of this job.' },
      ...operatorTargetProperties(what),
    },
  }) as const;

export const environmentSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://gitops-gen.dev/schemas/environment.json',
  title: 'gitops-gen environment',
  description:
    'One environment of the MLflow monitoring stack. Every key is optional; the file name is the environment name.',
  type: 'object',
  additionalProperties: false,
  properties: {
    tier: {
      type: 'string',
      enum: ['dev', 'staging', 'prod'],
      description:
        'Which built-in defaults apply. Defaults to the file name when it is dev, staging or prod, else staging.',
    },
    namespace: {
      type: 'string',
      format: 'dns-label',
      description: 'Namespace of the monitoring stack; defaults to `mlflow-<name>`.',
    },
    mode: modeSchema,
    operator: operatorSchema,
    namespaceManagement: {
      type: 'string',
      enum: ['create', 'existing'],
      description:
        '`create` (default): the overlay carries the Namespace, annotated so that neither Argo CD nor Flux deletes or prunes it. `existing`: the namespace already exists (shared with MLflow, say) and nothing rendered creates or owns it.',
    },
    prometheus: {
      type: 'object',
      description: 'The Prometheus server.',
      additionalProperties: false,
      properties: {
        replicas: {
          type: 'integer',
          minimum: 1,
          maximum: 10,
          description:
            'Number of identical Prometheus replicas; more than one adds a PodDisruptionBudget.',
        },
        retention: {
          type: 'object',
          description: 'How long and how much data the TSDB keeps; whichever limit is hit first.',
          additionalProperties: false,
          properties: {
            time: { ...duration, description: '`--storage.tsdb.retention.time`, e.g. `30d`.' },
            size: {
              type: 'string',
              format: 'retention-size',
              description:
                '`--storage.tsdb.retention.size`, e.g. `40GB`; defaults to 85 % of the storage size.',
            },
          },
        },
        scrapeInterval: { ...duration, description: 'Global scrape interval.' },
        jobScrapeIntervals: {
          type: 'object',
          description:
            'Scrape interval per job, such as `{ node-exporter: 30s }` (mlflow-server and model-server: `mlflow.scrapeInterval`, `modelServer.scrapeInterval`).',
          additionalProperties: duration,
        },
        scrapeTimeout: {
          ...duration,
          description: 'Global scrape timeout; never longer than a job interval.',
        },
        evaluationInterval: { ...duration, description: 'Rule evaluation interval.' },
        additionalRuleFiles: additionalRuleFilesSchema,
        additionalScrapeConfigs: additionalScrapeConfigsSchema,
        secretMounts: secretMountsSchema,
        resources,
        storage: {
          type: 'object',
          description: 'Where the TSDB lives.',
          additionalProperties: false,
          properties: {
            type: {
              type: 'string',
              enum: ['emptyDir', 'pvc'],
              description: '`emptyDir` (lost with the pod) or `pvc` (one claim per replica).',
            },
            size: { ...quantity, description: 'Claim size, or the emptyDir size limit.' },
            storageClass: {
              type: 'string',
              minLength: 1,
              description: 'StorageClass of the claims; the cluster default when unset.',
            },
          },
        },
        externalLabels: {
          type: 'object',
          description: 'Labels added to every series and alert leaving this Prometheus.',
          propertyNames: { format: 'label-name' },
          additionalProperties: { type: 'string' },
        },
        dropMetrics: {
          type: 'array',
          description:
            "Series dropped at scrape time (`metric_relabel_configs`), to cut cardinality, such as the spec's `node_(network|netdev|softnet).*`.",
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['regex'],
            properties: {
              regex: {
                type: 'string',
                minLength: 1,
                description: 'RE2 regular expression over the metric name, anchored at both ends.',
              },
              jobs: {
                type: 'array',
                minItems: 1,
                items: { type: 'string', minLength: 1 },
                description: 'Scrape jobs it applies to (default: every job).',
              },
            },
          },
        },
        query: {
          type: 'object',
          description: 'Query engine limits.',
          additionalProperties: false,
          properties: {
            maxSamples: {
              type: 'integer',
              minimum: 1,
              description: '`--query.max-samples`: samples one query may load into memory.',
            },
            timeout: { ...duration, description: '`--query.timeout`.' },
          },
        },
        image,
        service: prometheusService,
        ingress: prometheusIngressSchema,
        ...schedulingProperties,
      },
    },
    grafana: {
      type: 'object',
      description: 'The Grafana server.',
      additionalProperties: false,
      properties: {
        replicas: {
          type: 'integer',
          minimum: 1,
          maximum: 10,
          description: 'Grafana replicas; more than one needs an external database.',
        },
        resources,
        image,
        enabled: grafanaEnabledSchema,
        additionalDashboards: additionalDashboardsSchema,
        dashboardFolder: dashboardFolderSchema,
        service,
        storage: grafanaStorageSchema,
        ingress: grafanaIngressSchema,
        ...schedulingProperties,
        adminCredentials: {
          type: 'object',
          description: 'Where the Grafana admin user and password come from.',
          additionalProperties: false,
          properties: {
            source: {
              type: 'string',
              enum: ['generated', 'existingSecret', 'externalSecret', 'sealedSecret'],
              description:
                '`generated` (dev tier only: a Secret with the spec default password), `existingSecret` (a Secret you create), `externalSecret` (External Secrets Operator) or `sealedSecret` (Bitnami Sealed Secrets).',
            },
            secretName: {
              type: 'string',
              format: 'dns-label',
              description: 'Name of the Secret holding the credentials.',
            },
            userKey: { type: 'string', minLength: 1, description: 'Key of the user name.' },
            passwordKey: { type: 'string', minLength: 1, description: 'Key of the password.' },
            externalSecret: {
              type: 'object',
              description: 'External Secrets Operator source (source: externalSecret).',
              additionalProperties: false,
              required: ['storeName', 'remoteKey'],
              properties: {
                storeName: { type: 'string', minLength: 1, description: 'SecretStore name.' },
                storeKind: {
                  type: 'string',
                  enum: ['SecretStore', 'ClusterSecretStore'],
                  description: 'Kind of the store.',
                },
                remoteKey: {
                  type: 'string',
                  minLength: 1,
                  description:
                    'Key in the external store; its `user` and `password` properties are read.',
                },
                refreshInterval: { ...duration, description: 'How often the secret is re-read.' },
              },
            },
            sealedSecret: {
              type: 'object',
              description: 'Sealed Secrets source (source: sealedSecret): encrypted values.',
              additionalProperties: false,
              required: ['encryptedUser', 'encryptedPassword'],
              properties: {
                encryptedUser: { type: 'string', minLength: 1 },
                encryptedPassword: { type: 'string', minLength: 1 },
              },
            },
          },
        },
      },
    },
    mlflow: scrapeTarget('MLflow tracking server'),
    modelServer: scrapeTarget('model server'),
    metrics: {
      type: 'object',
      description: 'Which metric names the MLflow and model servers export.',
      additionalProperties: false,
      properties: {
        profile: {
          type: 'string',
          enum: ['spec', 'mlflow-native'],
          description:
            '`spec` (default): the names of the spec, for servers instrumented that way. `mlflow-native`: stock `mlflow server --expose-prometheus` (port 5000) and MLServer (metrics port 8082); MLflowExperimentFailure then alerts on the server-error ratio.',
        },
        runExporter: {
          ...scrapeTarget(
            "MLflow run exporter (the spec's run counters, from the MLflow REST API)",
          ),
          description:
            'An exporter of `mlflow_runs_created_total` and `mlflow_runs_finished_total{status}`, scraped as job mlflow-run-exporter; the run panels and MLflowExperimentFailure then use it. Defaults: Service mlflow-run-exporter, port 8000, /metrics, every 30s.',
        },
      },
    },
    alertmanager: {
      type: 'object',
      description:
        'Alertmanager, wired into Prometheus. On by default in staging and prod. Receiver credentials come from a Secret, never from this file.',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', description: 'Deploy Alertmanager.' },
        replicas: {
          type: 'integer',
          minimum: 1,
          maximum: 5,
          description: 'Replicas; more than one form a gossip cluster that deduplicates.',
        },
        image,
        resources,
        secretName: {
          type: 'string',
          format: 'dns-label',
          description:
            "Existing Secret with the receivers' credentials (default alertmanager-receivers), mounted as files.",
        },
        receivers: {
          type: 'array',
          minItems: 1,
          description: 'Where alerts go. The first receiver gets every alert not routed elsewhere.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'type'],
            properties: {
              name: { type: 'string', format: 'dns-label', description: 'Receiver name.' },
              type: {
                type: 'string',
                enum: ['slack', 'pagerduty', 'webhook', 'email'],
                description: 'Kind of receiver.',
              },
              channel: { type: 'string', minLength: 1, description: 'Slack channel.' },
              apiUrlKey: {
                type: 'string',
                format: 'secret-key',
                description: 'Secret key holding the Slack webhook URL (default slack-api-url).',
              },
              routingKeyKey: {
                type: 'string',
                format: 'secret-key',
                description:
                  'Secret key holding the PagerDuty routing key (default pagerduty-routing-key).',
              },
              url: {
                type: 'string',
                format: 'http-url',
                description:
                  'Webhook URL. Not a secret: a user, password or token query parameter in it is refused; put credentials in the Secret (bearerTokenKey).',
              },
              bearerTokenKey: {
                type: 'string',
                format: 'secret-key',
                description: 'Secret key holding the webhook bearer token, if it needs one.',
              },
              to: { type: 'string', format: 'email', description: 'Email: the recipient.' },
              from: { type: 'string', format: 'email', description: 'Email: the sender.' },
              smarthost: {
                type: 'string',
                format: 'host-port',
                description: 'Email: the SMTP server, host:port.',
              },
              authUsername: { type: 'string', minLength: 1, description: 'Email: SMTP user.' },
              authPasswordKey: {
                type: 'string',
                format: 'secret-key',
                description: 'Email: Secret key holding the SMTP password.',
              },
            },
          },
        },
        storage: alertmanagerStorageSchema,
        ...schedulingProperties,
        criticalReceiver: {
          type: 'string',
          format: 'dns-label',
          description: 'Receiver of critical alerts; defaults to the first receiver.',
        },
        routes: alertmanagerRoutesSchema,
        inhibitRules: alertmanagerInhibitRulesSchema,
        templates: alertmanagerTemplatesSchema,
        timeIntervals: alertmanagerTimeIntervalsSchema,
      },
    },
    nodeExporter: {
      type: 'object',
      description: 'node-exporter DaemonSet (node_* metrics).',
      additionalProperties: false,
      properties: { image, resources, ...schedulingProperties, ...nodeExporterSwitches },
    },
    kubeStateMetrics: {
      type: 'object',
      description: 'kube-state-metrics (kube_* metrics such as restarts).',
      additionalProperties: false,
      properties: { image, resources, ...schedulingProperties, ...kubeStateMetricsSwitches },
    },
    publish: publishSchema,
    delivery: deliverySchema,
    kustomize: kustomizeSchema,
    alerts: {
      type: 'object',
      description: 'Alert thresholds.',
      additionalProperties: false,
      properties: {
        cpuUsagePercent: {
          type: 'number',
          exclusiveMinimum: 0,
          // Usage never exceeds 100 %: such an alert could never fire.
          exclusiveMaximum: 100,
          description:
            "HighCPUUsage fires above this CPU percentage (of a node, or of a container's limit) for 5 minutes.",
        },
        memoryUsagePercent: {
          type: 'number',
          exclusiveMinimum: 0,
          // Usage never exceeds 100 %: such an alert could never fire.
          exclusiveMaximum: 100,
          description:
            "HighMemoryUsage fires above this memory percentage (of a node, or of a container's limit) for 5 minutes.",
        },
        modelLatencyP95Seconds: {
          type: 'number',
          exclusiveMinimum: 0,
          description: 'HighModelLatency fires when model-server p95 latency exceeds this.',
        },
        serverErrorRatio: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          description:
            'mlflow-native profile: MLflowExperimentFailure fires when this share of MLflow requests fails with 5xx for 5 minutes.',
        },
        metaMonitoring: metaMonitoringSchema,
        runbookBaseUrl: runbookBaseUrlSchema,
      },
    },
  },
} as const;

/** An environment file as written by a user (after schema validation). */
export type EnvironmentFile = FromSchema<typeof environmentSchema>;
