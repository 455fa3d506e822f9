/**
 * Resolves and checks what Prometheus scrapes beyond the stack's own jobs:
 * `prometheus.additionalScrapeConfigs` (the team's scrape jobs), `prometheus.secretMounts`, and
 * the switches of the components a cluster may already run (`nodeExporter`/`kubeStateMetrics`
 * `enabled` and `job`, `grafana.enabled`). Every problem is reported at the environment file's
 * line. Pure.
 *
 * The scrape jobs are checked by the same code that checks a rendered prometheus.yml
 * (src/prometheus/config.ts: Prometheus' config loader rules for keys, durations,
 * scrape_timeout <= scrape_interval, relabel rules with RE2 regexes, static targets, Kubernetes
 * and file discovery, at most one way to authenticate), under our own global interval and
 * timeout. Added here: job names unique across ours and theirs (Prometheus refuses a duplicate
 * job_name), DNS and HTTP discovery in depth (Prometheus' dns.SDConfig and http.SDConfig
 * validation), discovery mechanisms we do not check refused, and credentials only from files:
 * an inline password or token would be committed to the GitOps repository in plaintext.
 */
import type { Problem } from '../errors.js';
import { checkPrometheusConfig } from '../prometheus/config.js';
import { httpClientKeys, serviceDiscoveryKeys } from '../prometheus/config-discovery.js';
import { durationOf } from '../prometheus/duration.js';
import { describe, isRecord, type ObjectPath } from '../prometheus/source.js';
import { quoteValue } from '../text-safety.js';
import { scrapeJobNames } from '../stack/components.js';
import type {
  AdditionalScrapeConfig,
  ClusterComponentSettings,
  ComponentSettings,
  EnvironmentConfig,
  ReplacementJob,
} from './environment.js';
import { didYouMean } from './hints.js';
import { report, type ResolveContext } from './resolve-context.js';

/** Where credential files of mounted Secrets appear in the Prometheus container. */
export const secretMountsDir = '/etc/prometheus/secrets';

/** Discovery mechanisms checked in depth; the others are refused. */
export const supportedDiscovery = [
  'static_configs',
  'kubernetes_sd_configs',
  'file_sd_configs',
  'dns_sd_configs',
  'http_sd_configs',
] as const;

const jobsPath = ['prometheus', 'additionalScrapeConfigs'];

/** The jobs as written: plain data, checked later by `checkAdditionalScrapeConfigs`. */
export function resolveAdditionalScrapeConfigs(
  input: readonly ({ job_name: string } & Record<string, unknown>)[] | undefined,
): AdditionalScrapeConfig[] {
  return (input ?? []).map((job) => structuredClone(job));
}

/** `<namespace>/<service>:<port>`: a Service, as `nodeExporter.job` may name one. */
const servicePattern =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?):(\d{1,5})$/;

/**
 * node-exporter or kube-state-metrics: deployed, or replaced by the cluster's own. `job` means
 * "scrape this instead", so it needs `enabled: false`; a job name must be one of the team's.
 */
export function resolveClusterComponent(
  key: 'nodeExporter' | 'kubeStateMetrics',
  settings: ComponentSettings,
  input: { enabled?: boolean; job?: string } | undefined,
  teamJobs: readonly { job_name: string }[],
  context: ResolveContext,
): ClusterComponentSettings {
  const enabled = input?.enabled ?? true;
  const written = input?.job;
  if (written === undefined) return { ...settings, enabled, job: undefined };
  if (enabled) {
    report(
      context,
      [key, 'job'],
      'config/job-needs-disabled',
      `${key}.job names where the cluster's own instance is scraped, but ${key} is still deployed`,
      `set ${key}.enabled: false to use the cluster's own, or remove ${key}.job`,
    );
    return { ...settings, enabled, job: undefined };
  }
  const service = servicePattern.exec(written);
  let job: ReplacementJob | undefined;
  if (written.includes('/')) {
    const port = Number(service?.[5]);
    if (!service || port < 1 || port > 65535) {
      report(
        context,
        [key, 'job'],
        'config/invalid-service-reference',
        `${quoteValue(written)} is not a Service as <namespace>/<service>:<port>`,
        'write it as monitoring/node-exporter:9100 (lowercase names, a port from 1 to 65535), or give the job_name of one of prometheus.additionalScrapeConfigs',
      );
    } else {
      job = { kind: 'service', namespace: service[1] ?? '', serviceName: service[3] ?? '', port };
    }
  } else {
    const names = teamJobs.map((team) => team.job_name);
    if (names.includes(written)) {
      job = { kind: 'job', jobName: written };
    } else {
      report(
        context,
        [key, 'job'],
        'config/unknown-job',
        `no job of prometheus.additionalScrapeConfigs is named ${quoteValue(written)}`,
        didYouMean(written, names) ??
          'add the scrape job under prometheus.additionalScrapeConfigs, or name a Service as <namespace>/<service>:<port>',
      );
    }
  }
  return { ...settings, enabled, job };
}

/** `prometheus.secretMounts`: the volume name `secret-<name>` must stay a DNS label. */
export function resolveSecretMounts(
  input: readonly string[] | undefined,
  context: ResolveContext,
): string[] {
  (input ?? []).forEach((name, index) => {
    if (`secret-${name}`.length > 63)
      report(
        context,
        ['prometheus', 'secretMounts', String(index)],
        'config/name-too-long',
        `the Secret name ${name} is too long: its volume secret-${name} would exceed the 63 characters Kubernetes allows`,
        'use a Secret name of at most 56 characters',
      );
  });
  return [...(input ?? [])];
}

/** Inline secrets and the `_file` key that replaces each (Prometheus' common HTTP config). */
const inlineSecrets: Record<string, string> = {
  password: 'password_file',
  bearer_token: 'authorization: { credentials_file: ... }',
  credentials: 'credentials_file',
  client_secret: 'client_secret_file',
  key: 'key_file',
};

/** The team's jobs, against Prometheus' rules and ours; see the header. */
export function checkAdditionalScrapeConfigs(
  environment: EnvironmentConfig,
  context: ResolveContext,
): void {
  const jobs = environment.prometheus.additionalScrapeConfigs;
  if (jobs.length === 0) return;
  checkJobNames(environment, context);
  const { scrapeInterval, scrapeTimeout } = environment.prometheus;
  const findings = checkPrometheusConfig(
    {
      global: { scrape_interval: scrapeInterval, scrape_timeout: scrapeTimeout },
      scrape_configs: jobs,
    },
    {
      file: context.file ?? '',
      // The checker sees `scrape_configs[i]`; the file has `prometheus.additionalScrapeConfigs[i]`.
      locate: (path, at) => context.locate([...jobsPath, ...path.slice(1)], at),
    },
  );
  for (const finding of findings) {
    // Duplicates are reported by checkJobNames, with ours named.
    if (finding.severity !== 'error' || finding.code.endsWith('/duplicate-job-name')) continue;
    const problem: Problem = {
      code: finding.code,
      message: finding.message,
      file: context.file,
      line: finding.line,
      column: finding.column,
      keyPath: (finding.path ?? '').replace(/^scrape_configs/, jobsPath.join('.')),
    };
    if (finding.hint !== undefined) problem.hint = finding.hint;
    context.problems.push(problem);
  }
  jobs.forEach((job, index) => {
    const path = [...jobsPath, String(index)];
    checkDiscovery(job, path, context);
    checkInlineSecrets(job, path, context);
    checkSecretFiles(job, path, environment.prometheus.secretMounts, context);
  });
}

/** Prometheus refuses two scrape configs with one job_name ("found multiple scrape configs"). */
function checkJobNames(environment: EnvironmentConfig, context: ResolveContext): void {
  const ours = new Set(scrapeJobNames(environment));
  const seen = new Map<string, number>();
  environment.prometheus.additionalScrapeConfigs.forEach((job, index) => {
    const name = job.job_name;
    const path = [...jobsPath, String(index), 'job_name'];
    const earlier = seen.get(name);
    if (ours.has(name)) {
      report(
        context,
        path,
        'config/duplicate-job-name',
        `job_name ${quoteValue(name)} is already a job of the stack; Prometheus refuses two scrape configs with one job name`,
        'rename the job, such as team-' + name,
      );
    } else if (earlier !== undefined) {
      report(
        context,
        path,
        'config/duplicate-job-name',
        `job_name ${quoteValue(name)} is also the job_name of additionalScrapeConfigs[${String(earlier)}]; Prometheus refuses two scrape configs with one job name`,
        'give each job its own name',
      );
    } else {
      seen.set(name, index);
    }
  });
}

const dnsKeys = ['names', 'type', 'port', 'refresh_interval'];
const dnsTypes = ['SRV', 'A', 'AAAA', 'MX', 'NS'];
// http_sd_configs: its URL and refresh, plus Prometheus' common HTTP client settings.
const httpSdKeys = new Set(['url', 'refresh_interval', ...httpClientKeys]);

/**
 * DNS and HTTP discovery as Prometheus validates them (discovery/dns and discovery/http), and
 * the mechanisms we do not check refused rather than passed unchecked.
 */
function checkDiscovery(
  job: AdditionalScrapeConfig,
  path: string[],
  context: ResolveContext,
): void {
  for (const key of serviceDiscoveryKeys) {
    if (job[key] === undefined || (supportedDiscovery as readonly string[]).includes(key)) continue;
    report(
      context,
      [...path, key],
      'config/unsupported-discovery',
      `${key} is not supported in additionalScrapeConfigs: gitops-gen checks only ${supportedDiscovery.join(', ')}`,
      'use one of those, or add the job with a kustomize patch of the prometheus-config ConfigMap',
    );
  }
  eachEntry(job.dns_sd_configs, [...path, 'dns_sd_configs'], (entry, entryPath) => {
    unknownKeys(entry, new Set(dnsKeys), entryPath, context);
    const names = entry.names;
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      names.some((n) => typeof n !== 'string' || n === '')
    )
      report(
        context,
        [...entryPath, 'names'],
        'prometheus-config/invalid-dns-sd',
        'a DNS-SD config needs `names`: a list of at least one DNS name',
        'such as names: [_metrics._tcp.example.internal]',
      );
    const type = entry.type ?? 'SRV';
    if (typeof type !== 'string' || !dnsTypes.includes(type.toUpperCase()))
      report(
        context,
        [...entryPath, 'type'],
        'prometheus-config/invalid-dns-sd',
        `invalid DNS-SD records type ${describe(type)}`,
        `use one of ${dnsTypes.join(', ')}`,
      );
    else if (
      type.toUpperCase() !== 'SRV' &&
      // Prometheus reads a missing port as 0, and refuses 0 alike.
      (entry.port === undefined || entry.port === 0)
    )
      report(
        context,
        entryPath,
        'prometheus-config/invalid-dns-sd',
        'a port is required in DNS-SD configs for all record types except SRV',
        'add port: (the port of the metrics endpoint)',
      );
    if (
      entry.port !== undefined &&
      !(Number.isInteger(entry.port) && Number(entry.port) >= 0 && Number(entry.port) <= 65535)
    )
      report(
        context,
        [...entryPath, 'port'],
        'prometheus-config/invalid-type',
        'port must be an integer from 0 to 65535',
        'such as port: 9100',
      );
    checkDuration(entry, 'refresh_interval', entryPath, context);
  });
  eachEntry(job.http_sd_configs, [...path, 'http_sd_configs'], (entry, entryPath) => {
    unknownKeys(entry, httpSdKeys, entryPath, context);
    const url = entry.url;
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/.test(url))
      report(
        context,
        [...entryPath, 'url'],
        'prometheus-config/invalid-http-sd',
        url === undefined ? 'URL is missing' : `${describe(url)} is not an http or https URL`,
        'an HTTP-SD config needs url: http(s)://host/path of an endpoint that lists targets',
      );
    checkDuration(entry, 'refresh_interval', entryPath, context);
  });
}

function eachEntry(
  value: unknown,
  path: string[],
  visit: (entry: Record<string, unknown>, path: string[]) => void,
): void {
  // The Prometheus checker already reports a non-list or a non-mapping entry.
  if (!Array.isArray(value)) return;
  value.forEach((entry: unknown, index) => {
    if (isRecord(entry)) visit(entry, [...path, String(index)]);
  });
}

function unknownKeys(
  entry: Record<string, unknown>,
  known: Set<string>,
  path: string[],
  context: ResolveContext,
): void {
  for (const key of Object.keys(entry)) {
    if (known.has(key)) continue;
    context.problems.push({
      code: 'prometheus-config/unknown-field',
      message: `field ${key} not found in this discovery config`,
      hint: didYouMean(key, [...known]) ?? `known fields: ${[...known].join(', ')}`,
      file: context.file,
      ...position(context, [...path, key], 'key'),
      keyPath: [...path, key].join('.'),
    });
  }
}

function checkDuration(
  entry: Record<string, unknown>,
  key: string,
  path: string[],
  context: ResolveContext,
): void {
  if (entry[key] === undefined || durationOf(entry[key]) !== undefined) return;
  report(
    context,
    [...path, key],
    'prometheus-config/invalid-duration',
    `${key}: ${describe(entry[key])} is not a valid duration`,
    'use a Prometheus duration such as 30s, 5m or 1h30m',
  );
}

function position(
  context: ResolveContext,
  path: ObjectPath,
  at: 'key' | 'value',
): { line?: number; column?: number } {
  const found = context.locate(path, at);
  return found ? { line: found.line, column: found.column } : {};
}

/**
 * Credentials only from files: the environment file is committed, so an inline password or
 * token would sit in plaintext in both repositories (the same rule as Alertmanager receivers).
 */
function checkInlineSecrets(value: unknown, path: string[], context: ResolveContext): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      checkInlineSecrets(item, [...path, String(index)], context);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const replacement = inlineSecrets[key];
    // `key` is a secret only as a TLS private key; elsewhere (such as in labels) it is a name.
    const isSecret = replacement !== undefined && (key !== 'key' || path.at(-1) === 'tls_config');
    if (isSecret && child !== undefined && child !== null) {
      context.problems.push({
        code: 'config/inline-credential',
        message: `${key} is written inline: it would be committed in plaintext to the GitOps repository`,
        hint: `use ${replacement} instead, pointing at a file of a Secret listed in prometheus.secretMounts (${secretMountsDir}/<secret>/<key>)`,
        file: context.file,
        ...position(context, [...path, key], 'key'),
        keyPath: [...path, key].join('.'),
      });
      continue;
    }
    checkInlineSecrets(child, [...path, key], context);
  }
}

/** A `*_file` under /etc/prometheus/secrets/<name>/ needs that Secret mounted. */
function checkSecretFiles(
  value: unknown,
  path: string[],
  mounted: readonly string[],
  context: ResolveContext,
): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      checkSecretFiles(item, [...path, String(index)], mounted, context);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (
      key.endsWith('_file') &&
      typeof child === 'string' &&
      child.startsWith(`${secretMountsDir}/`)
    ) {
      const secret = child.slice(secretMountsDir.length + 1).split('/')[0] ?? '';
      if (!mounted.includes(secret))
        report(
          context,
          [...path, key],
          'config/secret-not-mounted',
          `${child} is in the folder of Secret ${quoteValue(secret)}, which prometheus.secretMounts does not list: Prometheus would fail to read it`,
          `add ${secret} to prometheus.secretMounts`,
        );
    } else {
      checkSecretFiles(child, [...path, key], mounted, context);
    }
  }
}

/** Grafana settings that render objects for Grafana, which `enabled: false` leaves out. */
const grafanaOnlyKeys = ['additionalDashboards', 'dashboardFolder', 'ingress', 'storage'];

/**
 * `grafana.enabled: false` with settings that only make sense for our Grafana: each would render
 * objects for a Deployment that is not there (a dashboard ConfigMap mounted nowhere, an Ingress
 * to a missing Service).
 */
export function checkGrafanaDisabled(
  input: { enabled?: boolean } & Record<string, unknown>,
  context: ResolveContext,
): void {
  if (input.enabled !== false) return;
  for (const key of grafanaOnlyKeys) {
    if (input[key] === undefined) continue;
    report(
      context,
      ['grafana', key],
      'config/needs-grafana',
      `grafana.${key} configures the stack's Grafana, but grafana.enabled is false`,
      `remove grafana.${key}, or set grafana.enabled: true`,
    );
  }
}
