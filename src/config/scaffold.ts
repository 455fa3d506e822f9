/**
 * What `gitops-gen init` writes: the environment file's JSON Schema and one commented file per
 * environment, each naming the schema in a `yaml-language-server` header so that editors
 * complete and check it. Pure: returns file texts; the CLI writes them.
 */
import { defaultTier } from './defaults.js';
import type { Tier } from './environment.js';
import { resolveEnvironment } from './resolve.js';
import { environmentSchema } from './schema.js';

export const schemaFileName = 'environment.schema.json';

/** The header that points editors (the YAML language server) at the schema beside the file. */
export const schemaHeader = `# yaml-language-server: $schema=./${schemaFileName}`;

const tierIntro: Record<Tier, string> = {
  dev: 'dev: small and short-lived; Alertmanager off, the spec default Grafana password allowed.',
  staging: 'staging: between dev and prod; Alertmanager on, credentials from Secrets.',
  prod: "prod: the spec's numbers (30 days, 500m/2Gi to 2000m/4Gi, two Prometheus replicas).",
};

function environmentFile(name: string): string {
  const tier = defaultTier(name);
  const resolution = resolveEnvironment(name, {}, { file: undefined, locate: () => undefined });
  if (!resolution.ok) throw new Error(`the built-in ${name} environment does not resolve`);
  const { prometheus, alerts, namespace, alertmanager } = resolution.environment;
  const storage =
    prometheus.storage.type === 'pvc'
      ? `{ type: pvc, size: ${prometheus.storage.size} }`
      : `{ type: emptyDir, size: ${prometheus.storage.size} }`;
  return [
    schemaHeader,
    `# ${name === tier ? tierIntro[tier] : `${name}: the ${tier} tier's defaults.`}`,
    '# Every key is optional and shown with its default; `gitops-gen explain <key>` says more.',
    `tier: ${tier}`,
    `namespace: ${namespace}`,
    'metrics:',
    '  profile: spec # mlflow-native: stock `mlflow server --expose-prometheus` and MLServer',
    'prometheus:',
    `  replicas: ${String(prometheus.replicas)}`,
    `  retention: { time: ${prometheus.retention.time} }`,
    `  storage: ${storage}`,
    '  resources:',
    `    requests: { cpu: ${prometheus.resources.requests.cpu}, memory: ${prometheus.resources.requests.memory} }`,
    `    limits: { cpu: ${prometheus.resources.limits.cpu}, memory: ${prometheus.resources.limits.memory} }`,
    `  scrapeInterval: ${prometheus.scrapeInterval}`,
    '  # additionalRuleFiles: [rules/*.yaml] # your alerting and recording rules; rules/<name>.test.yml beside one is run by validate --rule-tests',
    '  # additionalScrapeConfigs: [{ job_name: team-api, static_configs: [{ targets: ["api.team.svc:8080"] }] }] # your scrape_configs, after ours',
    '  # secretMounts: [team-scrape] # Secrets at /etc/prometheus/secrets/<name>/ for password_file, credentials_file, ...',
    '  # ingress: { host: prometheus.example.com, annotations: { nginx.ingress.kubernetes.io/auth-url: "https://oauth2.example.com/oauth2/auth" } } # no login of its own: an auth annotation or allowUnauthenticated: true',
    '  # nodeSelector: { kubernetes.io/os: linux } # every component also takes tolerations, affinity, topologySpreadConstraints, priorityClassName, imagePullSecrets, podAnnotations, podLabels',
    '# mlflow: { serviceName: mlflow-service, port: 5000 }',
    '# modelServer: { serviceName: model-server, port: 8000 }',
    '# nodeExporter: { enabled: false, job: "monitoring/node-exporter:9100" } # the cluster already runs one: scrape it instead',
    '# kubeStateMetrics: { enabled: false, job: "kube-system/kube-state-metrics:8080" } # or a job_name of additionalScrapeConfigs; without job its alerts are left out',
    '# grafana: { enabled: false } # the cluster has a Grafana of its own',
    '# grafana: { additionalDashboards: [dashboards/*.json], dashboardFolder: Team } # exported JSON; ${DS_PROMETHEUS} is resolved',
    '# grafana: { storage: { type: pvc, size: 1Gi }, ingress: { host: grafana.example.com, className: nginx, tlsSecretName: grafana-tls } }',
    'alertmanager:',
    `  enabled: ${String(alertmanager.enabled)}`,
    '  # storage: { type: pvc, size: 1Gi } # silences and notification log; default pvc in prod, emptyDir elsewhere',
    '  # receivers: [{ name: team, type: slack, channel: "#mlflow-alerts", apiUrlKey: slack-api-url }]',
    `  # routes: [{ receiver: team, matchers: ['team="ml"'], group_by: [alertname] }] # after the critical route`,
    `  # inhibitRules: [{ source_matchers: ['alertname="MLflowServerDown"'], target_matchers: ['severity="warning"'], equal: [namespace] }]`,
    '  # templates: [alertmanager/*.tmpl] # Go templates, shipped beside alertmanager.yml',
    `  # timeIntervals: [{ name: nights, time_intervals: [{ times: [{ start_time: "20:00", end_time: "24:00" }] }] }] # for routes' mute_time_intervals`,
    'alerts:',
    `  cpuUsagePercent: ${String(alerts.cpuUsagePercent)}`,
    `  memoryUsagePercent: ${String(alerts.memoryUsagePercent)}`,
    `  modelLatencyP95Seconds: ${String(alerts.modelLatencyP95Seconds)}`,
    '  # metaMonitoring: true # Watchdog and the alerts on Prometheus and Alertmanager themselves',
    '  # runbookBaseUrl: https://runbooks.example.com/mlflow # runbook_url: <base>/<AlertName> on every alert',
    '# kustomize: { resources: [kustomize/*.yaml], patches: [{ path: kustomize/patch.yaml, target: { kind: StatefulSet, name: prometheus } }] } # copied into overlays/<env>/custom/',
    '# publish: { repo: https://github.com/acme/mlflow-gitops.git, mode: pr }',
    '',
  ].join('\n');
}

/** The files of a new environments folder, by name. */
export function scaffoldEnvironments(names: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  files.set(schemaFileName, `${JSON.stringify(environmentSchema, null, 2)}\n`);
  for (const name of names) files.set(`${name}.yaml`, environmentFile(name));
  return files;
}
