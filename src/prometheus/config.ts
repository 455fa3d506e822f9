/**
 * Checks a `prometheus.yml` the way Prometheus' config loader does, without contacting
 * anything: known keys at the top level, in `global`, in scrape jobs and in the blocks the
 * stack uses (TLS, authorization, Kubernetes and static discovery, relabel rules), durations,
 * `scrape_timeout <= scrape_interval` per job with the global defaults (1m / 10s), unique job
 * names, static targets that are host:port rather than URLs, Kubernetes discovery roles, and
 * relabel rules (see relabel.ts). Discovery mechanisms other than kubernetes, static and file
 * are accepted with their content unchecked. Pure.
 */
import type { Finding } from '../findings.js';
import { durationHint, durationOf } from './duration.js';
import { isValidLabelName, labelNameHint, type NameOptions, type NameValidation } from './names.js';
import { checkRelabelConfigs } from './relabel.js';
import {
  checkKnownKeys,
  closest,
  describe,
  FindingCollector,
  isRecord,
  type FindingSource,
  type ObjectPath,
} from './source.js';

export type PrometheusConfigOptions = NameOptions;

const code = (suffix: string): string => `prometheus-config/${suffix}`;

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

/** Service discovery mechanisms a scrape job or an Alertmanager entry may use. */
export const serviceDiscoveryKeys = [
  'azure_sd_configs',
  'consul_sd_configs',
  'digitalocean_sd_configs',
  'docker_sd_configs',
  'dockerswarm_sd_configs',
  'dns_sd_configs',
  'ec2_sd_configs',
  'eureka_sd_configs',
  'file_sd_configs',
  'gce_sd_configs',
  'hetzner_sd_configs',
  'http_sd_configs',
  'ionos_sd_configs',
  'kubernetes_sd_configs',
  'kuma_sd_configs',
  'lightsail_sd_configs',
  'linode_sd_configs',
  'marathon_sd_configs',
  'nerve_sd_configs',
  'nomad_sd_configs',
  'openstack_sd_configs',
  'ovhcloud_sd_configs',
  'puppetdb_sd_configs',
  'scaleway_sd_configs',
  'serverset_sd_configs',
  'stackit_sd_configs',
  'triton_sd_configs',
  'uyuni_sd_configs',
  'vultr_sd_configs',
  'static_configs',
] as const;

/** Prometheus' common HTTP client settings, inlined into jobs and discovery blocks. */
const httpClientKeys = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'proxy_url',
  'no_proxy',
  'proxy_from_environment',
  'proxy_connect_header',
  'follow_redirects',
  'enable_http2',
  'http_headers',
] as const;

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

const tlsKeys = new Set([
  'ca',
  'ca_file',
  'ca_ref',
  'cert',
  'cert_file',
  'cert_ref',
  'key',
  'key_file',
  'key_ref',
  'server_name',
  'insecure_skip_verify',
  'min_version',
  'max_version',
]);
const authorizationKeys = new Set(['type', 'credentials', 'credentials_file', 'credentials_ref']);
const basicAuthKeys = new Set([
  'username',
  'username_file',
  'username_ref',
  'password',
  'password_file',
  'password_ref',
]);
const staticConfigKeys = new Set(['targets', 'labels']);
const fileSdKeys = new Set(['files', 'refresh_interval']);
const kubernetesSdKeys = new Set<string>([
  'role',
  'api_server',
  'kubeconfig_file',
  'namespaces',
  'selectors',
  'attach_metadata',
  ...httpClientKeys,
]);

export const kubernetesRoles = [
  'endpoints',
  'endpointslice',
  'service',
  'pod',
  'node',
  'ingress',
] as const;

/** Prometheus' defaults when `global` leaves them unset. */
export const defaultScrapeIntervalMs = 60_000;
export const defaultScrapeTimeoutMs = 10_000;

const booleanKeys = [
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'enable_compression',
  'follow_redirects',
  'enable_http2',
  'proxy_from_environment',
  'scrape_classic_histograms',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_native_histograms',
];
const countKeys = [
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'keep_dropped_targets',
  'native_histogram_bucket_limit',
];

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

class ConfigChecker {
  constructor(
    private readonly out: FindingCollector,
    private readonly scheme: NameValidation,
  ) {}

  /** The duration at `path` in ms; undefined when unset (or reported as invalid). */
  duration(object: Record<string, unknown>, key: string, path: ObjectPath): number | undefined {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    const ms = durationOf(value);
    if (ms === undefined)
      this.out.add({
        code: code('invalid-duration'),
        message: `${key}: ${describe(value)} is not a valid duration`,
        path: [...path, key],
        hint: durationHint,
      });
    return ms;
  }

  mapping(value: unknown, path: ObjectPath, what: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.out.add({
      code: code('invalid-type'),
      message: `${what} must be a mapping, not ${describe(value)}`,
      path,
    });
    return undefined;
  }

  list(value: unknown, path: ObjectPath, what: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.out.add({
      code: code('invalid-type'),
      message: `${what} must be a list, not ${describe(value)}`,
      path,
    });
    return [];
  }

  types(object: Record<string, unknown>, path: ObjectPath): void {
    for (const key of booleanKeys)
      if (object[key] !== undefined && typeof object[key] !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `${key} must be true or false, not ${describe(object[key])}`,
          path: [...path, key],
        });
    for (const key of countKeys) {
      const value = object[key];
      if (
        value !== undefined &&
        !(typeof value === 'number' && Number.isInteger(value) && value >= 0)
      )
        this.out.add({
          code: code('invalid-type'),
          message: `${key} must be a non-negative integer, not ${describe(value)}`,
          path: [...path, key],
        });
    }
    const scheme = object.scheme;
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
      this.out.add({
        code: code('invalid-scheme'),
        message: `scheme must be http or https, not ${describe(scheme)}`,
        path: [...path, 'scheme'],
      });
  }

  labels(value: unknown, path: ObjectPath, what: string): void {
    const labels = this.mapping(value, path, what);
    if (!labels) return;
    for (const [name, text] of Object.entries(labels)) {
      if (!isValidLabelName(name, this.scheme))
        this.out.add({
          code: code('invalid-label-name'),
          message: `${JSON.stringify(name)} is not a valid label name in ${what}`,
          path: [...path, name],
          at: 'key',
          hint: labelNameHint,
        });
      if (typeof text !== 'string' && typeof text !== 'number' && typeof text !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `${what} ${name}: the value must be a string, not ${describe(text)}`,
          path: [...path, name],
        });
    }
  }

  httpClient(object: Record<string, unknown>, path: ObjectPath): void {
    const tls = this.mapping(object.tls_config, [...path, 'tls_config'], 'tls_config');
    if (tls) {
      checkKnownKeys(
        this.out,
        tls,
        tlsKeys,
        [...path, 'tls_config'],
        code('unknown-field'),
        'tls_config',
      );
      for (const [inline, file] of [
        ['ca', 'ca_file'],
        ['cert', 'cert_file'],
        ['key', 'key_file'],
      ] as const)
        if (tls[inline] !== undefined && tls[file] !== undefined)
          this.out.add({
            code: code('conflicting-fields'),
            message: `at most one of ${inline} and ${file} must be configured`,
            path: [...path, 'tls_config', file],
            at: 'key',
          });
      if (tls.insecure_skip_verify !== undefined && typeof tls.insecure_skip_verify !== 'boolean')
        this.out.add({
          code: code('invalid-type'),
          message: `insecure_skip_verify must be true or false, not ${describe(tls.insecure_skip_verify)}`,
          path: [...path, 'tls_config', 'insecure_skip_verify'],
        });
    }
    const authorization = this.mapping(
      object.authorization,
      [...path, 'authorization'],
      'authorization',
    );
    if (authorization) {
      checkKnownKeys(
        this.out,
        authorization,
        authorizationKeys,
        [...path, 'authorization'],
        code('unknown-field'),
        'authorization',
      );
      if (authorization.credentials !== undefined && authorization.credentials_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: 'at most one of authorization credentials & credentials_file must be configured',
          path: [...path, 'authorization', 'credentials_file'],
          at: 'key',
        });
      if (typeof authorization.type === 'string' && authorization.type.toLowerCase() === 'basic')
        this.out.add({
          code: code('conflicting-fields'),
          message: 'authorization type cannot be set to "basic", use "basic_auth" instead',
          path: [...path, 'authorization', 'type'],
        });
    }
    const basicAuth = this.mapping(object.basic_auth, [...path, 'basic_auth'], 'basic_auth');
    if (basicAuth) {
      checkKnownKeys(
        this.out,
        basicAuth,
        basicAuthKeys,
        [...path, 'basic_auth'],
        code('unknown-field'),
        'basic_auth',
      );
      if (basicAuth.password !== undefined && basicAuth.password_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: 'at most one of basic_auth password & password_file must be configured',
          path: [...path, 'basic_auth', 'password_file'],
          at: 'key',
        });
    }
    const auths = ['basic_auth', 'authorization', 'oauth2'].filter(
      (key) => object[key] !== undefined && object[key] !== null,
    );
    const bearer = ['bearer_token', 'bearer_token_file'].filter((key) => object[key] !== undefined);
    if (auths.length > 1 || (bearer.length > 0 && auths.length > 0) || bearer.length > 1)
      this.out.add({
        code: code('conflicting-fields'),
        message: `at most one of basic_auth, oauth2 & authorization must be configured (found ${[...auths, ...bearer].join(', ')})`,
        path: [...path, [...auths, ...bearer][1] ?? 'authorization'],
        at: 'key',
        hint: 'pick one way to authenticate the scrape',
      });
  }

  staticConfigs(value: unknown, path: ObjectPath, checkTargets: boolean): void {
    this.list(value, path, 'static_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a static config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        staticConfigKeys,
        itemPath,
        code('unknown-field'),
        'a static config',
      );
      this.list(config.targets, [...itemPath, 'targets'], 'targets').forEach(
        (target: unknown, targetIndex) => {
          const targetPath = [...itemPath, 'targets', targetIndex];
          if (typeof target !== 'string') {
            this.out.add({
              code: code('invalid-type'),
              message: `a target must be a host:port string, not ${describe(target)}`,
              path: targetPath,
            });
          } else if (checkTargets && target.includes('/')) {
            this.out.add({
              code: code('invalid-target'),
              message: `${JSON.stringify(target)} is not a valid hostname`,
              path: targetPath,
              hint: 'targets are host:port; set scheme and metrics_path on the job instead of writing a URL',
            });
          }
        },
      );
      this.labels(config.labels, [...itemPath, 'labels'], 'static config labels');
    });
  }

  kubernetesSd(value: unknown, path: ObjectPath): void {
    this.list(value, path, 'kubernetes_sd_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a kubernetes_sd_config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        kubernetesSdKeys,
        itemPath,
        code('unknown-field'),
        'a kubernetes_sd_config',
      );
      this.httpClient(config, itemPath);
      const role = config.role;
      if (typeof role !== 'string' || !(kubernetesRoles as readonly string[]).includes(role)) {
        const suggestion = typeof role === 'string' ? closest(role, kubernetesRoles) : undefined;
        this.out.add({
          code: code('invalid-kubernetes-role'),
          message:
            role === undefined
              ? 'role missing (one of: pod, service, endpoints, endpointslice, node, ingress)'
              : `unknown Kubernetes SD role ${describe(role)}`,
          path: [...itemPath, 'role'],
          hint: `${suggestion ? `did you mean \`${suggestion}\`? ` : ''}roles: ${kubernetesRoles.join(', ')}`,
        });
      }
      if (config.api_server !== undefined && config.kubeconfig_file !== undefined)
        this.out.add({
          code: code('conflicting-fields'),
          message: "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
          path: [...itemPath, 'kubeconfig_file'],
          at: 'key',
        });
      const namespaces = this.mapping(config.namespaces, [...itemPath, 'namespaces'], 'namespaces');
      if (namespaces) {
        checkKnownKeys(
          this.out,
          namespaces,
          new Set(['names', 'own_namespace']),
          [...itemPath, 'namespaces'],
          code('unknown-field'),
          'namespaces',
        );
        this.list(
          namespaces.names,
          [...itemPath, 'namespaces', 'names'],
          'namespaces.names',
        ).forEach((name: unknown, nameIndex) => {
          if (typeof name !== 'string' || name === '')
            this.out.add({
              code: code('invalid-type'),
              message: `a namespace name must be a non-empty string, not ${describe(name)}`,
              path: [...itemPath, 'namespaces', 'names', nameIndex],
            });
        });
      }
      this.list(config.selectors, [...itemPath, 'selectors'], 'selectors').forEach(
        (selector: unknown, selectorIndex) => {
          const selectorPath = [...itemPath, 'selectors', selectorIndex];
          const entry = this.mapping(selector, selectorPath, 'a selector');
          if (!entry) return;
          checkKnownKeys(
            this.out,
            entry,
            new Set(['role', 'label', 'field']),
            selectorPath,
            code('unknown-field'),
            'a selector',
          );
          if (
            typeof entry.role !== 'string' ||
            !(kubernetesRoles as readonly string[]).includes(entry.role)
          )
            this.out.add({
              code: code('invalid-kubernetes-role'),
              message: `unknown selector role ${describe(entry.role)}`,
              path: [...selectorPath, 'role'],
              hint: `roles: ${kubernetesRoles.join(', ')}`,
            });
        },
      );
    });
  }

  fileSd(value: unknown, path: ObjectPath): void {
    this.list(value, path, 'file_sd_configs').forEach((item: unknown, index) => {
      const itemPath = [...path, index];
      const config = this.mapping(item, itemPath, 'a file_sd_config');
      if (!config) return;
      checkKnownKeys(
        this.out,
        config,
        fileSdKeys,
        itemPath,
        code('unknown-field'),
        'a file_sd_config',
      );
      this.duration(config, 'refresh_interval', itemPath);
      this.list(config.files, [...itemPath, 'files'], 'files').forEach(
        (file: unknown, fileIndex) => {
          if (typeof file !== 'string' || !/\.(?:json|ya?ml)$/.test(file))
            this.out.add({
              code: code('invalid-file-sd-path'),
              message: `path name ${describe(file)} is not valid for file discovery`,
              path: [...itemPath, 'files', fileIndex],
              hint: 'file_sd files end in .json, .yml or .yaml (globs allowed in the last path element)',
            });
        },
      );
    });
  }

  discovery(object: Record<string, unknown>, path: ObjectPath, checkTargets: boolean): void {
    this.staticConfigs(object.static_configs, [...path, 'static_configs'], checkTargets);
    this.kubernetesSd(object.kubernetes_sd_configs, [...path, 'kubernetes_sd_configs']);
    this.fileSd(object.file_sd_configs, [...path, 'file_sd_configs']);
    for (const key of serviceDiscoveryKeys)
      if (!['static_configs', 'kubernetes_sd_configs', 'file_sd_configs'].includes(key))
        this.list(object[key], [...path, key], key);
  }

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
        message: `found multiple scrape configs with job name ${JSON.stringify(name)}`,
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
        message: `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(name ?? '')} (${formatMs(timeout)} > ${formatMs(interval)}${job.scrape_interval === undefined ? ', the global interval' : ''})`,
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
            message: `found multiple ${key} configs with name ${JSON.stringify(config.name)}`,
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
