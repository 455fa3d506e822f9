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
    '# mlflow: { serviceName: mlflow-service, port: 5000 }',
    '# modelServer: { serviceName: model-server, port: 8000 }',
    'alertmanager:',
    `  enabled: ${String(alertmanager.enabled)}`,
    '  # receivers: [{ name: team, type: slack, channel: "#mlflow-alerts", apiUrlKey: slack-api-url }]',
    'alerts:',
    `  cpuUsagePercent: ${String(alerts.cpuUsagePercent)}`,
    `  memoryUsagePercent: ${String(alerts.memoryUsagePercent)}`,
    `  modelLatencyP95Seconds: ${String(alerts.modelLatencyP95Seconds)}`,
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
