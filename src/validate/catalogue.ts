/**
 * Cross-checks no other tool makes: what the alerts and dashboards query against what the
 * Prometheus configuration scrapes. A catalogue per kind of scrape target (Prometheus itself,
 * the API server, kubelet, cAdvisor, node-exporter, kube-state-metrics, the MLflow server and
 * the model server) says which metric names it produces; a query naming a job nobody scrapes,
 * or a metric no configured target produces, is a finding, because such an alert never fires
 * and such a panel stays empty. Also: ServiceMonitors and PodMonitors that select nothing. Pure.
 */
import type { ManifestResource } from './documents.js';
import type { Finding } from './findings.js';
import { asArray, isRecord, type Json } from './object-paths.js';
import { parsePromql } from '../prometheus/promql.js';
import { quoteValue } from '../text-safety.js';

/** A query found in a rule or a dashboard, with where to report its problems. */
export interface QueryUse {
  expr: string;
  kind: 'alert' | 'record' | 'panel';
  /** Alert or record name, or panel title. */
  name: string;
  /** Where to report a problem; computed only when there is one (positions cost a parse). */
  where: () => Pick<Finding, 'file' | 'document' | 'line' | 'column' | 'path' | 'resource'>;
}

interface Catalogue {
  name: string;
  metrics: RegExp;
}

const catalogues = {
  prometheus: {
    name: 'Prometheus itself',
    metrics: /^(prometheus_|go_|process_|net_conntrack_|promhttp_)/,
  },
  apiserver: {
    name: 'the Kubernetes API server',
    metrics:
      /^(apiserver_|etcd_|rest_client_|workqueue_|go_|process_|authentication_|authorization_|aggregator_|kubernetes_|grpc_)/,
  },
  kubelet: {
    name: 'the kubelet',
    metrics:
      /^(kubelet_|volume_manager_|storage_operation_|rest_client_|go_|process_|kubernetes_|csi_|prober_|workqueue_)/,
  },
  cadvisor: { name: 'cAdvisor', metrics: /^(container_|machine_)/ },
  nodeExporter: { name: 'node-exporter', metrics: /^(node_|go_|process_|promhttp_)/ },
  kubeStateMetrics: { name: 'kube-state-metrics', metrics: /^(kube_|go_|process_)/ },
  mlflow: {
    name: 'the MLflow server',
    // The spec's names (an instrumented server) and stock `mlflow server --expose-prometheus`.
    metrics: /^(mlflow_|http_request_duration_seconds|http_requests_total|flask_)/,
  },
  modelServer: {
    name: 'the model server',
    // The spec's names, and MLServer's (`--enable-mlserver`, metrics on :8082).
    metrics:
      /^(mlflow_model_|mlflow_predictions_|http_request_duration_seconds|http_requests_total|rest_server_|model_infer_|grpc_server_|batch_request_|parallel_request_)/,
  },
} as const satisfies Record<string, Catalogue>;

/** Series Prometheus adds for every target and every alert. */
const synthetic = /^(up|scrape_[a-z_]+|ALERTS|ALERTS_FOR_STATE)$/;

export interface ScrapeJob {
  name: string;
  /** Undefined when the job can scrape anything (annotation-driven discovery). */
  catalogue: Catalogue | undefined;
}

function keepsService(job: Json, service: RegExp): boolean {
  return asArray(job.relabel_configs).some(
    (rule) =>
      isRecord(rule) &&
      rule.action === 'keep' &&
      typeof rule.regex === 'string' &&
      service.test(rule.regex),
  );
}

function catalogueOf(job: Json): Catalogue | undefined {
  const name = typeof job.job_name === 'string' ? job.job_name : '';
  const path = typeof job.metrics_path === 'string' ? job.metrics_path : '/metrics';
  const roles = asArray(job.kubernetes_sd_configs).map((config) =>
    isRecord(config) ? config.role : undefined,
  );
  if (path.endsWith('/cadvisor') || /cadvisor/.test(name)) return catalogues.cadvisor;
  if (name === 'prometheus') return catalogues.prometheus;
  if (/apiserver/.test(name) || keepsService(job, /kubernetes;https/)) return catalogues.apiserver;
  if (/node-exporter/.test(name) || keepsService(job, /node-exporter/))
    return catalogues.nodeExporter;
  if (/kube-state-metrics/.test(name) || keepsService(job, /kube-state-metrics/))
    return catalogues.kubeStateMetrics;
  if (/mlflow-server|mlflow-tracking/.test(name)) return catalogues.mlflow;
  if (/model-server|mlserver/.test(name)) return catalogues.modelServer;
  if (roles.includes('node')) return catalogues.kubelet;
  return undefined;
}

/** The jobs of a Prometheus configuration. */
export function scrapeJobs(config: unknown): ScrapeJob[] {
  if (!isRecord(config)) return [];
  return asArray(config.scrape_configs).flatMap((job) =>
    isRecord(job) && typeof job.job_name === 'string'
      ? [{ name: job.job_name, catalogue: catalogueOf(job) }]
      : [],
  );
}

function matchesRegex(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return true; // an invalid regex is reported by the PromQL checks
  }
}

interface QueryProblem {
  code: 'catalogue/unknown-job' | 'catalogue/unknown-metric';
  /** The message after "<what> ", and the hint. */
  detail: string;
  hint: string;
}

/** What a Grafana variable (`$job`, `${job}`, `[[job]]`) becomes in a panel query before checking. */
export const grafanaVariablePlaceholder = 'grafana_variable';

/** What is wrong with one expression against the configured jobs (independent of where it is used). */
function problemsOf(expr: string, jobs: readonly ScrapeJob[]): QueryProblem[] {
  const parsed = parsePromql(expr, { typeCheck: false });
  if (!parsed.ok) return []; // syntax errors are reported by the PromQL checks
  const problems: QueryProblem[] = [];
  const openEnded = jobs.some((job) => job.catalogue === undefined);
  const jobList = jobs.map((job) => job.name).join(', ');
  for (const metric of parsed.metrics) {
    const jobMatchers = parsed.matchers.filter(
      (matcher) =>
        matcher.label === 'job' &&
        matcher.metric === metric &&
        (matcher.op === '=' || matcher.op === '=~'),
    );
    let candidates = jobs;
    for (const matcher of jobMatchers) {
      // A dashboard variable (`job=~"$job"`) selects whatever the user picks: no job to check.
      if (matcher.value.includes(grafanaVariablePlaceholder)) continue;
      const selected = candidates.filter((job) =>
        matcher.op === '=' ? job.name === matcher.value : matchesRegex(matcher.value, job.name),
      );
      if (selected.length === 0) {
        problems.push({
          code: 'catalogue/unknown-job',
          detail: `selects job${matcher.op}${quoteValue(matcher.value)}, which no scrape config defines`,
          hint: `configured jobs: ${jobList}`,
        });
      }
      candidates = selected;
    }
    if (candidates.length === 0 || synthetic.test(metric)) continue;
    const produced = candidates.some(
      (job) => job.catalogue === undefined || job.catalogue.metrics.test(metric),
    );
    if (!produced && !(jobMatchers.length === 0 && openEnded)) {
      const producers = [
        ...new Set(candidates.flatMap((job) => (job.catalogue ? [job.catalogue.name] : []))),
      ];
      problems.push({
        code: 'catalogue/unknown-metric',
        detail: `queries ${metric}, which ${jobMatchers.length > 0 ? `${producers.join(' or ')} does not export` : 'no configured scrape target exports'}`,
        hint: 'check the metric name against what the target really exports (see the README on metric names)',
      });
    }
  }
  return problems;
}

/** Findings for queries that name jobs nobody scrapes or metrics nobody produces. */
export function checkQueries(uses: readonly QueryUse[], allJobs: readonly ScrapeJob[]): Finding[] {
  if (allJobs.length === 0) return [];
  // Several copies of one configuration (overlays of one base) define the same jobs.
  const byName = new Map<string, ScrapeJob>();
  for (const job of allJobs) if (!byName.has(job.name)) byName.set(job.name, job);
  const jobs = [...byName.values()];
  const problemsByExpr = new Map<string, QueryProblem[]>();
  const findings: Finding[] = [];
  for (const use of uses) {
    let problems = problemsByExpr.get(use.expr);
    if (!problems) {
      problems = problemsOf(use.expr, jobs);
      problemsByExpr.set(use.expr, problems);
    }
    const what = use.kind === 'panel' ? `panel ${quoteValue(use.name)}` : `${use.kind} ${use.name}`;
    const consequence =
      use.kind === 'alert'
        ? 'it can never fire'
        : use.kind === 'panel'
          ? 'it stays empty'
          : 'it records nothing';
    for (const problem of problems) {
      findings.push({
        ...use.where(),
        code: problem.code,
        severity:
          problem.code === 'catalogue/unknown-job' && use.kind === 'alert' ? 'error' : 'warning',
        message: `${what} ${problem.detail}, so ${consequence}`,
        hint: problem.hint,
      });
    }
  }
  return findings;
}

/**
 * checkQueries as a source is read. More jobs only add metrics and job names, so a query with
 * no problem against the jobs seen so far has none at the end: it is dropped at once, and only
 * the others (and every query met before the first job) wait, with the objects they point at.
 */
export class QueryCrossCheck {
  private readonly jobs = new Map<string, ScrapeJob>();
  private readonly clean = new Set<string>();
  /** Expressions with problems, and how many jobs there were when they were checked. */
  private readonly unresolved = new Map<string, number>();
  private readonly waiting: QueryUse[] = [];

  addJobs(jobs: readonly ScrapeJob[]): void {
    for (const job of jobs) if (!this.jobs.has(job.name)) this.jobs.set(job.name, job);
  }

  add(uses: readonly QueryUse[]): void {
    const jobs = [...this.jobs.values()];
    for (const use of uses) {
      if (this.clean.has(use.expr)) continue;
      if (jobs.length > 0 && this.unresolved.get(use.expr) !== jobs.length) {
        if (problemsOf(use.expr, jobs).length === 0) {
          this.clean.add(use.expr);
          continue;
        }
        this.unresolved.set(use.expr, jobs.length);
      }
      this.waiting.push(use);
    }
  }

  findings(): Finding[] {
    return checkQueries(this.waiting, [...this.jobs.values()]);
  }
}

/** A label selector's verdict (matchLabels and matchExpressions); an absent one selects all. */
function selectorMatches(selector: unknown, labels: Json): boolean {
  if (!isRecord(selector)) return true;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(matchLabels).every(([key, value]) => labels[key] === value)) return false;
  return asArray(selector.matchExpressions).every((expression) => {
    if (!isRecord(expression) || typeof expression.key !== 'string') return true;
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = asArray(expression.values);
    switch (expression.operator) {
      case 'In':
        return has && values.includes(value);
      case 'NotIn':
        return !has || !values.includes(value);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return true; // an unknown operator is the schema's to report
    }
  });
}

/**
 * Services every cluster has although no manifest declares them: the API server's own
 * `default/kubernetes` (labels set by the API server), and the DNS add-on's `kube-system/kube-dns`
 * (kubeadm, EKS, GKE and AKS all name CoreDNS's Service so). Monitors of the control plane
 * select these.
 */
const clusterServices: readonly { namespace: string; name: string; labels: Json }[] = [
  {
    namespace: 'default',
    name: 'kubernetes',
    labels: { component: 'apiserver', provider: 'kubernetes' },
  },
  {
    namespace: 'kube-system',
    name: 'kube-dns',
    labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true' },
  },
];

/**
 * The Service the Prometheus Operator keeps for the kubelets when started with
 * `--kubelet-service=NAMESPACE/NAME`, with the labels the operator gives it.
 */
export function kubeletServiceOf(
  args: readonly unknown[],
): { namespace: string; name: string; labels: Json } | undefined {
  for (const arg of args) {
    const match = typeof arg === 'string' ? /^--kubelet-service=([^/]+)\/(.+)$/.exec(arg) : null;
    if (match?.[1] && match[2]) {
      return {
        namespace: match[1],
        name: match[2],
        labels: {
          'k8s-app': 'kubelet',
          'app.kubernetes.io/name': 'kubelet',
          'app.kubernetes.io/managed-by': 'prometheus-operator',
        },
      };
    }
  }
  return undefined;
}

/** A Service no file declares (see clusterServices), as a resource the check can read. */
export function implicitService(service: {
  namespace: string;
  name: string;
  labels: Json;
}): ManifestResource {
  return {
    id: { apiVersion: 'v1', kind: 'Service', name: service.name, namespace: service.namespace },
    object: { apiVersion: 'v1', kind: 'Service', metadata: { labels: service.labels } },
    file: '',
    document: 0,
    pathInDocument: [],
    locate: () => undefined,
  };
}

/**
 * ServiceMonitors and PodMonitors whose selector matches no Service or pod template of the
 * whole run (every file, every build) nor a Service the cluster itself has, in the namespaces
 * the Prometheus Operator looks in: `namespaceSelector.any`, its `matchNames`, or else the
 * monitor's own namespace. An object without a namespace lands where it is applied (kubectl's
 * `-n`, Argo CD's destination, Flux's targetNamespace), which the files do not say: such an
 * object, or a monitor without one, is matched on labels alone.
 */
export function checkMonitors(resources: readonly ManifestResource[]): Finding[] {
  const findings: Finding[] = [];
  const labelsOf = (resource: ManifestResource, path: (string | number)[]): Json => {
    let current: unknown = resource.object;
    for (const segment of path) current = isRecord(current) ? current[String(segment)] : undefined;
    return isRecord(current) ? current : {};
  };
  const services = [
    ...resources.filter((resource) => resource.id.kind === 'Service'),
    ...clusterServices.map(implicitService),
  ];
  const templatePaths: Record<string, (string | number)[]> = {
    Pod: ['metadata', 'labels'],
    Deployment: ['spec', 'template', 'metadata', 'labels'],
    StatefulSet: ['spec', 'template', 'metadata', 'labels'],
    DaemonSet: ['spec', 'template', 'metadata', 'labels'],
    ReplicaSet: ['spec', 'template', 'metadata', 'labels'],
    ReplicationController: ['spec', 'template', 'metadata', 'labels'],
    Job: ['spec', 'template', 'metadata', 'labels'],
    CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'],
  };
  const pods = resources.flatMap((resource) => {
    const path = templatePaths[resource.id.kind];
    return path ? [{ resource, labels: labelsOf(resource, path) }] : [];
  });
  for (const monitor of resources) {
    const kind = monitor.id.kind;
    if (kind !== 'ServiceMonitor' && kind !== 'PodMonitor') continue;
    if (!monitor.id.apiVersion.startsWith('monitoring.coreos.com/')) continue;
    const spec = isRecord(monitor.object.spec) ? monitor.object.spec : {};
    const namespaces = isRecord(spec.namespaceSelector) ? spec.namespaceSelector : {};
    const any = namespaces.any === true;
    const names = asArray(namespaces.matchNames).filter(
      (name): name is string => typeof name === 'string',
    );
    const inScope = (resource: ManifestResource): boolean => {
      const namespace = resource.id.namespace;
      if (any || namespace === undefined) return true;
      if (names.length > 0) return names.includes(namespace);
      return monitor.id.namespace === undefined || namespace === monitor.id.namespace;
    };
    const matched =
      kind === 'ServiceMonitor'
        ? services.some(
            (service) =>
              inScope(service) &&
              selectorMatches(spec.selector, labelsOf(service, ['metadata', 'labels'])),
          )
        : pods.some((pod) => inScope(pod.resource) && selectorMatches(spec.selector, pod.labels));
    if (!matched) {
      const scope = any
        ? 'in any namespace'
        : names.length > 0
          ? `in namespace${names.length === 1 ? '' : 's'} ${names.map((name) => quoteValue(name)).join(', ')}`
          : `in its namespace${monitor.id.namespace === undefined ? '' : ` ${quoteValue(monitor.id.namespace)}`}`;
      findings.push({
        code: 'catalogue/monitor-selects-nothing',
        severity: 'warning',
        message: `${kind} ${quoteValue(monitor.id.name)} selects no ${kind === 'ServiceMonitor' ? 'Service' : 'pod'} ${scope} of any file or build given, so it scrapes nothing`,
        file: monitor.file,
        document: monitor.document,
        ...monitor.locate(['spec', 'selector'], 'key'),
        path: 'spec.selector',
        resource: monitor.id,
        hint: 'compare spec.selector (and spec.namespaceSelector) with the labels and namespace of the target, and validate the files that declare the target in the same run',
      });
    }
  }
  return findings;
}
