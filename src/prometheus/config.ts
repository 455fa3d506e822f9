/**
 * Checks a `prometheus.yml` the way Prometheus' config loader does, without contacting
 * anything: known keys at the top level, in `global`, in scrape jobs and in the blocks the
 * stack uses (TLS, authorization, Kubernetes and static discovery, relabel rules), durations,
 * `scrape_timeout <= scrape_interval` per job with the global defaults (1m / 10s), unique job
 * names, static targets that are host:port rather than URLs, Kubernetes discovery roles, and
 * relabel rules (see relabel.ts). Discovery mechanisms other than kubernetes, static and file
 * are accepted with their content unchecked. Pure.
 *
 * This module owns the top level, `global`, scrape jobs, `alerting` and remote write/read; the
 * HTTP client and discovery blocks are in config-discovery.ts, shared value checks in
 * config-values.ts.
 */
import type { Finding } from '../findings.js';
import { DiscoveryChecker, httpClientKeys, serviceDiscoveryKeys } from './config-discovery.js';
import { code } from './config-values.js';
import type { NameOptions } from './names.js';
import { checkRelabelConfigs } from './relabel.js';
import {
  checkKnownKeys,
  describe,
  FindingCollector,
  isRecord,
  type FindingSource,
  type ObjectPath,
} from './source.js';
import { quoteJson } from '../text-safety.js';

export { kubernetesRoles } from './config-discovery.js';

export type PrometheusConfigOptions = NameOptions;

const topLevelKeys = new Set([
  'global',
  'alerting',
  'rule_files',
  'scrape_configs',
  'scrape_config_files',
  'remote_write',
  'remote_read',
  'storage',
  'tracing',
  'otlp',
  'runtime',
]);

const globalKeys = new Set([
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'evaluation_interval',
  'rule_query_offset',
  'external_labels',
  'query_log_file',
  'scrape_failure_log_file',
  'body_size_limit',
  'sample_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'target_limit',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_native_histograms',
  'extra_scrape_metrics',
]);

const scrapeConfigKeys = new Set<string>([
  'job_name',
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'fallback_scrape_protocol',
  'scrape_classic_histograms',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_native_histograms',
  'metrics_path',
  'scheme',
  'enable_compression',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'native_histogram_bucket_limit',
  'native_histogram_min_bucket_factor',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'scrape_failure_log_file',
  'extra_scrape_metrics',
  'relabel_configs',
  'metric_relabel_configs',
  ...httpClientKeys,
  ...serviceDiscoveryKeys,
]);

const alertmanagerKeys = new Set<string>([
  'timeout',
  'api_version',
  'path_prefix',
  'scheme',
  'sigv4',
  'relabel_configs',
  'alert_relabel_configs',
  ...httpClientKeys,
  ...serviceDiscoveryKeys,
]);

/** Prometheus' defaults when `global` leaves them unset. */
export const defaultScrapeIntervalMs = 60_000;
export const defaultScrapeTimeoutMs = 10_000;

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

class ConfigChecker extends DiscoveryChecker {
  /** Global settings; returns the effective interval and timeout in ms. */
  global(value: unknown): { interval: number; timeout: number } {
    const path = ['global'];
    const global = this.mapping(value, path, 'global');
    if (!global) return { interval: defaultScrapeIntervalMs, timeout: defaultScrapeTimeoutMs };
    checkKnownKeys(this.out, global, globalKeys, path, code('unknown-field'), 'global');
    const interval = this.duration(global, 'scrape_interval', path) || defaultScrapeIntervalMs;
    const explicitTimeout = this.duration(global, 'scrape_timeout', path);
    this.duration(global, 'evaluation_interval', path);
    this.duration(global, 'rule_query_offset', path);
    this.types(global, path);
    this.labels(global.external_labels, [...path, 'external_labels'], 'external_labels');
    if (explicitTimeout !== undefined && explicitTimeout > interval) {
      this.out.add({
        code: code('scrape-timeout-too-long'),
        message: `global scrape timeout greater than scrape interval (${formatMs(explicitTimeout)} > ${formatMs(interval)})`,
        path: [...path, 'scrape_timeout'],
        hint: 'a scrape must finish before the next one starts: lower scrape_timeout or raise scrape_interval',
      });
    }
    const timeout =
      explicitTimeout || (defaultScrapeTimeoutMs > interval ? interval : defaultScrapeTimeoutMs);
    return { interval, timeout };
  }

  scrapeConfig(
    value: unknown,
    path: ObjectPath,
    defaults: { interval: number; timeout: number },
    jobs: Map<string, number>,
  ): void {
    const job = this.mapping(value, path, 'a scrape config');
    if (!job) {
      if (value === null)
        this.out.add({
          code: code('invalid-type'),
          message: 'empty or null scrape config section',
          path,
        });
      return;
    }
    checkKnownKeys(this.out, job, scrapeConfigKeys, path, code('unknown-field'), 'a scrape config');
    const name = job.job_name;
    if (typeof name !== 'string' || name === '') {
      this.out.add({
        code: code('missing-job-name'),
        message: 'job_name is empty',
        path: [...path, 'job_name'],
        hint: 'every scrape config needs a unique job_name',
      });
    } else if (jobs.has(name)) {
      this.out.add({
        code: code('duplicate-job-name'),
        message: `found multiple scrape configs with job name ${quoteJson(name)}`,
        path: [...path, 'job_name'],
        hint: `scrape_configs[${String(jobs.get(name))}] has the same job_name; job names must be unique`,
      });
    } else {
      jobs.set(name, Number(path[path.length - 1] ?? 0));
    }
    const interval = this.duration(job, 'scrape_interval', path) || defaults.interval;
    const timeout = this.duration(job, 'scrape_timeout', path);
    if (timeout !== undefined && timeout > interval)
      this.out.add({
        code: code('scrape-timeout-too-long'),
        message: `scrape timeout greater than scrape interval for scrape config with job name ${quoteJson(name ?? '')} (${formatMs(timeout)} > ${formatMs(interval)}${job.scrape_interval === undefined ? ', the global interval' : ''})`,
        path: [...path, 'scrape_timeout'],
        hint: 'a scrape must finish before the next one starts: lower scrape_timeout or raise scrape_interval',
      });
    this.types(job, path);
    if (job.metrics_path !== undefined && typeof job.metrics_path !== 'string')
      this.out.add({
        code: code('invalid-type'),
        message: `metrics_path must be a string, not ${describe(job.metrics_path)}`,
        path: [...path, 'metrics_path'],
      });
    const params = this.mapping(job.params, [...path, 'params'], 'params');
    for (const [key, values] of Object.entries(params ?? {}))
      if (!Array.isArray(values))
        this.out.add({
          code: code('invalid-type'),
          message: `params.${key} must be a list of strings, not ${describe(values)}`,
          path: [...path, 'params', key],
        });
    this.httpClient(job, path);
    const relabel = job.relabel_configs;
    // Prometheus only refuses URL-shaped static targets when no relabel rule could fix them.
    this.discovery(job, path, !(Array.isArray(relabel) && relabel.length > 0));
    checkRelabelConfigs(this.out, relabel, [...path, 'relabel_configs'], this.scheme);
    checkRelabelConfigs(
      this.out,
      job.metric_relabel_configs,
      [...path, 'metric_relabel_configs'],
      this.scheme,
    );
  }

  alerting(value: unknown): void {
    const path = ['alerting'];
    const alerting = this.mapping(value, path, 'alerting');
    if (!alerting) return;
    checkKnownKeys(
      this.out,
      alerting,
      new Set(['alert_relabel_configs', 'alertmanagers']),
      path,
      code('unknown-field'),
      'alerting',
    );
    checkRelabelConfigs(
      this.out,
      alerting.alert_relabel_configs,
      [...path, 'alert_relabel_configs'],
      this.scheme,
    );
    this.list(alerting.alertmanagers, [...path, 'alertmanagers'], 'alertmanagers').forEach(
      (item: unknown, index) => {
        const itemPath = [...path, 'alertmanagers', index];
        const config = this.mapping(item, itemPath, 'an alertmanager config');
        if (!config) return;
        checkKnownKeys(
          this.out,
          config,
          alertmanagerKeys,
          itemPath,
          code('unknown-field'),
          'an alertmanager config',
        );
        this.duration(config, 'timeout', itemPath);
        if (config.api_version !== undefined && config.api_version !== 'v2')
          this.out.add({
            code: code('invalid-alertmanager-api'),
            message: `expected Alertmanager api version to be one of [v2] but got ${describe(config.api_version)}`,
            path: [...itemPath, 'api_version'],
            hint: 'Prometheus 3 only speaks the Alertmanager v2 API; remove api_version',
          });
        this.types(config, itemPath);
        this.httpClient(config, itemPath);
        const relabel = config.relabel_configs;
        this.discovery(config, itemPath, !(Array.isArray(relabel) && relabel.length > 0));
        checkRelabelConfigs(this.out, relabel, [...itemPath, 'relabel_configs'], this.scheme);
        checkRelabelConfigs(
          this.out,
          config.alert_relabel_configs,
          [...itemPath, 'alert_relabel_configs'],
          this.scheme,
        );
      },
    );
  }

  remote(value: unknown, key: 'remote_write' | 'remote_read'): void {
    const names = new Map<string, number>();
    this.list(value, [key], key).forEach((item: unknown, index) => {
      const itemPath = [key, index];
      const config = this.mapping(item, itemPath, `a ${key} config`);
      if (!config) return;
      if (typeof config.url !== 'string' || config.url === '')
        this.out.add({
          code: code('missing-url'),
          message: `url for ${key} is empty`,
          path: [...itemPath, 'url'],
        });
      this.duration(config, 'remote_timeout', itemPath);
      if (typeof config.name === 'string' && config.name !== '') {
        if (names.has(config.name))
          this.out.add({
            code: code('duplicate-remote-name'),
            message: `found multiple ${key} configs with name ${quoteJson(config.name)}`,
            path: [...itemPath, 'name'],
          });
        names.set(config.name, index);
      }
      this.httpClient(config, itemPath);
      if (key === 'remote_write')
        checkRelabelConfigs(
          this.out,
          config.write_relabel_configs,
          [...itemPath, 'write_relabel_configs'],
          this.scheme,
        );
    });
  }

  stringList(value: unknown, key: string): void {
    this.list(value, [key], key).forEach((item: unknown, index) => {
      if (typeof item !== 'string' || item === '')
        this.out.add({
          code: code('invalid-type'),
          message: `${key} entries must be file paths or globs, not ${describe(item)}`,
          path: [key, index],
        });
    });
  }
}

/** Checks a parsed `prometheus.yml`. */
export function checkPrometheusConfig(
  config: unknown,
  source: FindingSource,
  options: PrometheusConfigOptions = {},
): Finding[] {
  const out = new FindingCollector(source);
  if (!isRecord(config)) {
    out.add({
      code: code('invalid-type'),
      message: `a Prometheus configuration is a mapping, not ${describe(config)}`,
      path: [],
    });
    return out.findings;
  }
  const checker = new ConfigChecker(out, options.nameValidation ?? 'legacy');
  checkKnownKeys(out, config, topLevelKeys, [], code('unknown-field'), 'the configuration');
  const defaults = checker.global(config.global);
  checker.alerting(config.alerting);
  checker.stringList(config.rule_files, 'rule_files');
  checker.stringList(config.scrape_config_files, 'scrape_config_files');
  const jobs = new Map<string, number>();
  checker
    .list(config.scrape_configs, ['scrape_configs'], 'scrape_configs')
    .forEach((job: unknown, index) => {
      checker.scrapeConfig(job, ['scrape_configs', index], defaults, jobs);
    });
  checker.remote(config.remote_write, 'remote_write');
  checker.remote(config.remote_read, 'remote_read');
  for (const key of ['storage', 'tracing', 'otlp', 'runtime'])
    checker.mapping(config[key], [key], key);
  return out.findings;
}
