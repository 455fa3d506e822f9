/**
 * The parts of the environment file's JSON Schema about what Prometheus scrapes beyond the
 * stack's own jobs: the team's own scrape jobs (`prometheus.additionalScrapeConfigs`), the
 * Secrets their credential files come from (`prometheus.secretMounts`), and the switches for
 * components the cluster already runs (`nodeExporter.enabled`/`job`,
 * `kubeStateMetrics.enabled`/`job`, `grafana.enabled`). Kept apart from schema.ts only for size;
 * schema.ts assembles the whole.
 *
 * A scrape job is described here only by its `job_name`: the rest of Prometheus'
 * `scrape_config` (some 60 keys and 30 discovery mechanisms) is checked key by key by the same
 * code that checks a rendered prometheus.yml (src/prometheus/config.ts, through
 * resolve-scrape.ts), which knows every key and suggests the closest one for a typo.
 */

/** `prometheus.additionalScrapeConfigs`: the team's own scrape jobs. */
export const additionalScrapeConfigsSchema = {
  type: 'array',
  description:
    "The team's own Prometheus `scrape_config` objects, written as in prometheus.yml and added after the stack's jobs. Checked like ours: known keys, durations, scrape_timeout <= scrape_interval, job names unique across ours and theirs, RE2 regexes in relabel rules. Discovery: static_configs, kubernetes_sd_configs, file_sd_configs, dns_sd_configs, http_sd_configs. Credentials only from files (password_file, bearer_token_file, authorization.credentials_file, oauth2.client_secret_file, tls_config.key_file): mount their Secret with prometheus.secretMounts. Their own intervals go in scrape_interval, not in jobScrapeIntervals or dropMetrics.jobs.",
  items: {
    type: 'object',
    description: 'One Prometheus scrape_config.',
    required: ['job_name'],
    properties: {
      job_name: {
        type: 'string',
        minLength: 1,
        description: 'The job name: the `job` label of every series it scrapes; unique.',
      },
    },
  },
} as const;

/** `prometheus.secretMounts`: Secrets mounted into Prometheus for the jobs' credential files. */
export const secretMountsSchema = {
  type: 'array',
  description:
    'Secrets (in the environment namespace) mounted read-only into Prometheus at /etc/prometheus/secrets/<name>/, one file per key, for the credential files of additionalScrapeConfigs (as the Prometheus Operator does).',
  uniqueItems: true,
  items: { type: 'string', format: 'dns-label' },
} as const;

/** `enabled` and `job` of node-exporter or kube-state-metrics. */
const clusterComponentSwitches = (component: string, metrics: string) =>
  ({
    enabled: {
      type: 'boolean',
      description: `Deploy ${component} (default true). false drops it and its scrape job from this environment's overlay, for a cluster that already runs one; without \`job\`, the alerts that need ${metrics} metrics are dropped too (render warns).`,
    },
    job: {
      type: 'string',
      minLength: 1,
      description: `With \`enabled: false\`: where the cluster's own ${component} is scraped. Either the job_name of one of prometheus.additionalScrapeConfigs, or a Service as \`<namespace>/<service>:<port>\`, scraped (every endpoint) as job ${component}. The alerts and dashboard panels that need ${metrics} metrics then read that job.`,
    },
  }) as const;

export const nodeExporterSwitches = clusterComponentSwitches('node-exporter', 'node_*');
export const kubeStateMetricsSwitches = clusterComponentSwitches('kube-state-metrics', 'kube_*');

/** `grafana.enabled`. */
export const grafanaEnabledSchema = {
  type: 'boolean',
  description:
    "Deploy Grafana (default true). false drops Grafana, its Service, ConfigMaps, Secrets and datasource from this environment's overlay, for a cluster with a Grafana of its own.",
} as const;
