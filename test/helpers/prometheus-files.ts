/**
 * Rendered `prometheus.yml` files as tests read them, and the one rewrite every test that runs
 * them needs: Debian's promtool and prometheus 2.42 are built WITHOUT Kubernetes service
 * discovery ("field kubernetes_sd_configs not found"), so discovery is replaced by static
 * targets on 127.0.0.1 while everything else is kept as written.
 */

export interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

/** A scrape job or an Alertmanager target: both are found by discovery or listed. */
export interface DiscoveredTargets {
  kubernetes_sd_configs?: unknown[];
  static_configs?: StaticConfig[];
  relabel_configs?: unknown[];
  [field: string]: unknown;
}

export interface ScrapeJob extends DiscoveredTargets {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  scheme?: string;
  tls_config?: unknown;
  authorization?: unknown;
}

export interface PrometheusFile {
  global?: Record<string, unknown>;
  alerting?: { alertmanagers?: DiscoveredTargets[]; [field: string]: unknown };
  rule_files?: string[];
  scrape_configs: ScrapeJob[];
}

export interface StaticRewrite {
  /** Targets (and target labels) of a job; `alertmanager:` for the Alertmanager targets. */
  targetsOf: (name: string) => StaticConfig;
  /**
   * Drop relabeling of re-pointed jobs: it keeps targets by `__meta_kubernetes_*` labels,
   * which static targets do not have, so it would drop them all.
   */
  dropRelabeling?: boolean;
}

/** Name under which `targetsOf` is asked for the Alertmanager targets. */
export const alertmanagerTargetsName = 'alertmanager:';

function repoint<T extends DiscoveredTargets>(entry: T, name: string, rewrite: StaticRewrite): T {
  const replacement: T = { ...entry, static_configs: [rewrite.targetsOf(name)] };
  delete replacement.kubernetes_sd_configs;
  if (rewrite.dropRelabeling === true) delete replacement.relabel_configs;
  return replacement;
}

/** Every `kubernetes_sd_configs`, of scrape jobs and of Alertmanager targets, made static. */
export function withStaticTargets(
  config: PrometheusFile,
  rewrite: StaticRewrite,
): { config: PrometheusFile; replaced: number } {
  let replaced = 0;
  const scrapeConfigs = config.scrape_configs.map((job) => {
    if (job.kubernetes_sd_configs === undefined) return job;
    replaced += 1;
    return repoint(job, job.job_name, rewrite);
  });
  const alertmanagers = config.alerting?.alertmanagers?.map((target) => {
    if (target.kubernetes_sd_configs === undefined) return target;
    replaced += 1;
    return repoint(target, alertmanagerTargetsName, rewrite);
  });
  return {
    config: {
      ...config,
      ...(config.alerting
        ? {
            alerting: {
              ...config.alerting,
              ...(alertmanagers ? { alertmanagers } : {}),
            },
          }
        : {}),
      scrape_configs: scrapeConfigs,
    },
    replaced,
  };
}
