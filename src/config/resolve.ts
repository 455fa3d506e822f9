/**
 * Applies an environment file over its tier's defaults and checks the rules a JSON Schema
 * cannot express (a NodePort on a ClusterIP Service, a plaintext password outside dev,
 * a retention size larger than the disk). Pure.
 */
import type { Problem } from '../errors.js';
import {
  defaultNamespace,
  defaultStorageSize,
  defaultTier,
  environmentDefaults,
  inClusterServer,
  placeholderRepoURL,
  retentionSizeShareOfStorage,
  runExporterDefaults,
} from './defaults.js';
import type {
  DeliverySettings,
  PublishSettings,
  EnvironmentConfig,
  PrometheusServiceSettings,
  ScrapeTargetSettings,
  ServiceSettings,
  StorageSettings,
} from './environment.js';
import { didYouMean } from './hints.js';
// The same RE2 dialect check `validate` runs on relabel rules, here with the file's line.
import { compileRe2 } from '../prometheus/re2.js';
import { jobNames, scrapeJobNames } from '../stack/components.js';
import { resolveAlertmanager } from './resolve-alertmanager.js';
import { resolveAdminCredentials } from './resolve-admin-credentials.js';
import {
  checkAdditionalScrapeConfigs,
  checkGrafanaDisabled,
  resolveAdditionalScrapeConfigs,
  resolveClusterComponent,
  resolveSecretMounts,
} from './resolve-scrape.js';
import { resolveWorkloadExtras } from './resolve-scheduling.js';
import { resolveAdditionalDashboards } from './resolve-dashboards.js';
import { resolveAdditionalRuleFiles } from './resolve-rules.js';
import { resolveKustomize } from './resolve-kustomize.js';
import { checkModeKeys, resolveOperator } from './resolve-operator.js';
import { component, report, type Locate, type ResolveContext } from './resolve-context.js';
import type { UserFileReader } from './user-files.js';
import type { EnvironmentFile } from './schema.js';
import {
  bytesToRetentionSize,
  durationToMs,
  quantityToNumber,
  retentionSizeToBytes,
} from './units.js';

export type Resolution =
  { ok: true; environment: EnvironmentConfig } | { ok: false; problems: Problem[] };

export function resolveEnvironment(
  name: string,
  input: EnvironmentFile,
  source: { file: string | undefined; locate: Locate; files?: UserFileReader },
): Resolution {
  const context: ResolveContext = { ...source, problems: [] };
  const tier = input.tier ?? defaultTier(name);
  const namespace = input.namespace ?? defaultNamespace(name);
  if (input.namespace === undefined && namespace.length > 63) {
    // The file name is a valid label, but mlflow-<name> may not be: Kubernetes refuses it.
    context.problems.push({
      code: 'config/namespace-too-long',
      message: `the default namespace ${namespace} is longer than the 63 characters Kubernetes allows`,
      hint: 'set namespace: to a shorter name, or give the file a name of at most 56 characters',
      file: source.file,
      keyPath: 'namespace',
    });
  }
  const defaults = environmentDefaults(name, tier, namespace, input.metrics?.profile ?? 'spec');
  const prometheusInput = input.prometheus ?? {};
  const grafanaInput = input.grafana ?? {};

  const storage = resolveStorage(defaults.prometheus.storage, prometheusInput.storage, context);
  const publish: PublishSettings = {
    repo: input.publish?.repo,
    branch: input.publish?.branch ?? 'main',
    path: (input.publish?.path ?? '').replace(/\/+$/, ''),
    mode: input.publish?.mode ?? (tier === 'dev' ? 'commit' : 'pr'),
  };
  const modeSettings = resolveOperator(input, context);
  const alertmanager = resolveAlertmanager(
    defaults.alertmanager,
    input.alertmanager ?? {},
    context,
  );
  const environment: EnvironmentConfig = {
    name,
    tier,
    ...modeSettings,
    namespace,
    namespaceManagement: input.namespaceManagement ?? defaults.namespaceManagement,
    sourceFile: source.file,
    prometheus: {
      ...component(defaults.prometheus, prometheusInput),
      replicas: prometheusInput.replicas ?? defaults.prometheus.replicas,
      retention: {
        time: prometheusInput.retention?.time ?? defaults.prometheus.retention.time,
        size:
          prometheusInput.retention?.size ??
          bytesToRetentionSize(quantityToNumber(storage.size) * retentionSizeShareOfStorage),
      },
      scrapeInterval: prometheusInput.scrapeInterval ?? defaults.prometheus.scrapeInterval,
      scrapeTimeout:
        prometheusInput.scrapeTimeout ??
        shorterDuration(
          defaults.prometheus.scrapeTimeout,
          prometheusInput.scrapeInterval ?? defaults.prometheus.scrapeInterval,
        ),
      evaluationInterval:
        prometheusInput.evaluationInterval ?? defaults.prometheus.evaluationInterval,
      storage,
      externalLabels: { ...defaults.prometheus.externalLabels, ...prometheusInput.externalLabels },
      query: { ...prometheusInput.query },
      jobScrapeIntervals: { ...prometheusInput.jobScrapeIntervals },
      dropMetrics: (prometheusInput.dropMetrics ?? []).map((drop) => ({
        regex: drop.regex,
        jobs: drop.jobs,
      })),
      service: resolvePrometheusService(
        defaults.prometheus.service,
        prometheusInput.service,
        context,
      ),
      additionalRuleFiles: resolveAdditionalRuleFiles(
        prometheusInput.additionalRuleFiles ?? [],
        context,
      ),
      additionalScrapeConfigs: resolveAdditionalScrapeConfigs(
        prometheusInput.additionalScrapeConfigs,
      ),
      secretMounts: resolveSecretMounts(prometheusInput.secretMounts, context),
    },
    grafana: {
      ...component(defaults.grafana, grafanaInput),
      enabled: grafanaInput.enabled ?? true,
      replicas: grafanaInput.replicas ?? defaults.grafana.replicas,
      service: resolveService(
        defaults.grafana.service,
        grafanaInput.service,
        ['grafana', 'service'],
        context,
      ),
      adminCredentials: resolveAdminCredentials(
        defaults.grafana.adminCredentials,
        grafanaInput.adminCredentials,
        tier,
        context,
      ),
      additionalDashboards: resolveAdditionalDashboards(
        grafanaInput.additionalDashboards ?? [],
        context,
        grafanaInput.enabled ?? true,
      ),
      dashboardFolder: grafanaInput.dashboardFolder ?? defaults.grafana.dashboardFolder,
    },
    mlflow: scrapeTarget(defaults.mlflow, input.mlflow),
    modelServer: scrapeTarget(defaults.modelServer, input.modelServer),
    metrics: {
      profile: defaults.metrics.profile,
      runExporter: input.metrics?.runExporter
        ? {
            ...runExporterDefaults(input.mlflow?.namespace ?? defaults.mlflow.namespace),
            ...input.metrics.runExporter,
          }
        : undefined,
    },
    // In operator mode the cluster runs Alertmanager: nothing scrapes or deploys one here.
    alertmanager:
      modeSettings.mode === 'operator' ? { ...alertmanager, enabled: false } : alertmanager,
    nodeExporter: resolveClusterComponent(
      'nodeExporter',
      component(defaults.nodeExporter, input.nodeExporter ?? {}),
      input.nodeExporter,
      prometheusInput.additionalScrapeConfigs ?? [],
      context,
    ),
    kubeStateMetrics: resolveClusterComponent(
      'kubeStateMetrics',
      component(defaults.kubeStateMetrics, input.kubeStateMetrics ?? {}),
      input.kubeStateMetrics,
      prometheusInput.additionalScrapeConfigs ?? [],
      context,
    ),
    alerts: { ...defaults.alerts, ...input.alerts },
    publish,
    delivery: resolveDelivery(name, tier, namespace, publish, input.delivery ?? {}),
    ...resolveWorkloadExtras(
      input,
      tier,
      grafanaInput.replicas ?? defaults.grafana.replicas,
      context,
    ),
    ...resolveKustomize(input.kustomize, context),
  };
  checkModeKeys(environment, input, context);
  checkPrometheus(environment, input, context);
  checkDropMetrics(environment, context);
  checkAdditionalScrapeConfigs(environment, context);
  checkGrafanaDisabled(grafanaInput, context);
  checkImages(environment, input, context);
  return context.problems.length > 0
    ? { ok: false, problems: context.problems }
    : { ok: true, environment };
}

/**
 * `latest` renders fine and only fails `validate` (policy/image-tag-pinned) later: refuse it
 * here, where the file's line is known. A digest pins the image whatever the tag says.
 */
function checkImages(
  environment: EnvironmentConfig,
  input: EnvironmentFile,
  context: ResolveContext,
): void {
  const components = [
    'prometheus',
    'grafana',
    'alertmanager',
    'nodeExporter',
    'kubeStateMetrics',
  ] as const;
  for (const name of components) {
    const { image } = environment[name];
    const given = input[name]?.image;
    const tagDigest = given?.tag?.split('@')[1];
    if (tagDigest !== undefined && given?.digest !== undefined && tagDigest !== given.digest) {
      report(
        context,
        [name, 'image', 'digest'],
        'config/image-digest-conflict',
        'the digest differs from the one after "@" in the tag',
        'give the digest once, in the tag or in `digest`',
      );
    }
    if (image.tag === 'latest' && image.digest === undefined) {
      report(
        context,
        [name, 'image', 'tag'],
        'config/image-tag-latest',
        'the image tag `latest` is not pinned: what runs would change without a commit',
        'pin a version tag such as v3.5.5, or a digest (digest: sha256:...)',
      );
    }
  }
}

/** A remote the controller can clone (not a local path). */
function isRemote(repo: string | undefined): repo is string {
  return repo !== undefined && /^(https?:\/\/|ssh:\/\/|git@)/.test(repo);
}

function resolveDelivery(
  name: string,
  tier: EnvironmentConfig['tier'],
  namespace: string,
  publish: PublishSettings,
  input: NonNullable<EnvironmentFile['delivery']>,
): DeliverySettings {
  const cluster = input.cluster?.name
    ? { name: input.cluster.name }
    : { server: input.cluster?.server ?? inClusterServer };
  return {
    controller: input.controller ?? 'argocd',
    repoURL: input.repoURL ?? (isRemote(publish.repo) ? publish.repo : placeholderRepoURL),
    targetRevision: input.targetRevision ?? publish.branch,
    path: input.path ?? [publish.path, 'overlays', name].filter((part) => part !== '').join('/'),
    cluster,
    automated: input.automated ?? tier !== 'prod',
    argocd: {
      namespace: input.argocd?.namespace ?? 'argocd',
      project: input.argocd?.project ?? 'mlflow-monitoring',
      generator: input.argocd?.generator ?? 'none',
    },
    flux: {
      namespace: input.flux?.namespace ?? 'flux-system',
      interval: input.flux?.interval ?? '10m',
      sourceInterval: input.flux?.sourceInterval ?? '1m',
      timeout: input.flux?.timeout ?? '5m',
      wait: input.flux?.wait ?? false,
      ...(input.flux?.secretRef ? { secretRef: input.flux.secretRef } : {}),
      dependsOn: [...(input.flux?.dependsOn ?? [])],
      ...(input.flux?.sopsSecret ? { sopsSecret: input.flux.sopsSecret } : {}),
    },
  };
}

function scrapeTarget(
  defaults: ScrapeTargetSettings,
  input: Partial<ScrapeTargetSettings> | undefined,
): ScrapeTargetSettings {
  return { ...defaults, ...input };
}

/** Drop rules and per-job intervals name real jobs; drop rules hold RE2 patterns. */
function checkDropMetrics(environment: EnvironmentConfig, context: ResolveContext): void {
  const jobs = scrapeJobNames(environment);
  const ownSetting: Record<string, string> = {
    [jobNames.mlflow]: 'mlflow.scrapeInterval',
    [jobNames.modelServer]: 'modelServer.scrapeInterval',
  };
  for (const job of Object.keys(environment.prometheus.jobScrapeIntervals)) {
    const path = ['prometheus', 'jobScrapeIntervals', job];
    const own = ownSetting[job];
    if (own !== undefined) {
      report(
        context,
        path,
        'config/job-interval-elsewhere',
        `the ${job} job has its own setting`,
        `set ${own} instead`,
      );
    } else if (!jobs.includes(job)) {
      report(
        context,
        path,
        'config/unknown-job',
        `no scrape job is named ${job}`,
        didYouMean(job, jobs) ?? `jobs: ${jobs.join(', ')}`,
      );
    }
  }
  environment.prometheus.dropMetrics.forEach((drop, index) => {
    const path = ['prometheus', 'dropMetrics', String(index)];
    const compiled = compileRe2(drop.regex);
    if (!compiled.ok) {
      report(
        context,
        [...path, 'regex'],
        'config/invalid-regex',
        compiled.message,
        compiled.hint ?? 'write an RE2 expression such as node_(network|netdev).*',
      );
    }
    (drop.jobs ?? []).forEach((job, jobIndex) => {
      if (jobs.includes(job)) return;
      report(
        context,
        [...path, 'jobs', String(jobIndex)],
        'config/unknown-job',
        `no scrape job is named ${job}`,
        didYouMean(job, jobs) ?? `jobs: ${jobs.join(', ')}`,
      );
    });
  });
}

function resolveService(
  defaults: ServiceSettings,
  input: Partial<ServiceSettings> | undefined,
  keyPath: string[],
  context: ResolveContext,
): ServiceSettings {
  const type = input?.type ?? defaults.type;
  if (type === 'ClusterIP') {
    if (input?.nodePort !== undefined) {
      report(
        context,
        [...keyPath, 'nodePort'],
        'config/node-port-needs-type',
        'a nodePort needs a Service of type NodePort or LoadBalancer',
        'set `type: NodePort` or remove `nodePort`',
      );
    }
    return { type };
  }
  // A default NodePort only carries over when the type is not changed away from it.
  const nodePort =
    input?.nodePort ?? (defaults.type === 'ClusterIP' ? undefined : defaults.nodePort);
  return nodePort === undefined ? { type } : { type, nodePort };
}

/**
 * Prometheus' Service, and whether exposing it unauthenticated is accepted: meaningful only
 * where it is exposed, so refused on a ClusterIP Service like a nodePort is.
 */
function resolvePrometheusService(
  defaults: ServiceSettings,
  input: NonNullable<EnvironmentFile['prometheus']>['service'],
  context: ResolveContext,
): PrometheusServiceSettings {
  const keyPath = ['prometheus', 'service'];
  const service = resolveService(defaults, input, keyPath, context);
  const accept = input?.acceptUnauthenticated;
  if (accept === undefined) return service;
  if (service.type === 'ClusterIP') {
    report(
      context,
      [...keyPath, 'acceptUnauthenticated'],
      'config/accept-unauthenticated-needs-type',
      'acceptUnauthenticated only applies to a NodePort or LoadBalancer Service: a ClusterIP Service is not reachable from outside the cluster',
      'remove `acceptUnauthenticated`, or set `type: NodePort` or `type: LoadBalancer`',
    );
    return service;
  }
  return accept ? { ...service, acceptUnauthenticated: true } : service;
}

function resolveStorage(
  defaults: StorageSettings,
  input: NonNullable<EnvironmentFile['prometheus']>['storage'],
  context: ResolveContext,
): StorageSettings {
  const type = input?.type ?? defaults.type;
  const size = input?.size ?? (type === defaults.type ? defaults.size : defaultStorageSize[type]);
  if (type === 'emptyDir') {
    if (input?.storageClass !== undefined) {
      report(
        context,
        ['prometheus', 'storage', 'storageClass'],
        'config/storage-class-needs-pvc',
        'a storageClass only applies to `type: pvc` storage',
        'set `type: pvc` or remove `storageClass`',
      );
    }
    return { type, size };
  }
  return input?.storageClass === undefined
    ? { type, size }
    : { type, size, storageClass: input.storageClass };
}

/**
 * Cross-field rules. A rule that involves a default and a value from the file is reported at
 * the value the file sets, so that the line and column point at something the user wrote.
 */
function checkPrometheus(
  environment: EnvironmentConfig,
  input: EnvironmentFile,
  context: ResolveContext,
): void {
  const { prometheus } = environment;
  const timeout = durationToMs(prometheus.scrapeTimeout);
  // Only a timeout written in the file can exceed the interval: the default follows it.
  if (timeout > durationToMs(prometheus.scrapeInterval)) {
    report(
      context,
      ['prometheus', 'scrapeTimeout'],
      'config/timeout-above-interval',
      `scrapeTimeout ${prometheus.scrapeTimeout} is longer than scrapeInterval ${prometheus.scrapeInterval}; Prometheus refuses to load such a config`,
      `use a timeout of at most ${prometheus.scrapeInterval}`,
    );
  }
  for (const key of ['scrapeInterval', 'scrapeTimeout', 'evaluationInterval'] as const) {
    if (durationToMs(prometheus[key]) === 0) {
      report(
        context,
        ['prometheus', key],
        'config/zero-duration',
        `${key} must be longer than zero`,
        'use a duration such as 15s',
      );
    }
  }
  for (const target of ['mlflow', 'modelServer'] as const) {
    if (durationToMs(environment[target].scrapeInterval) === 0) {
      report(
        context,
        [target, 'scrapeInterval'],
        'config/zero-duration',
        'scrapeInterval must be longer than zero',
        'use a duration such as 10s',
      );
    }
  }
  if (durationToMs(prometheus.retention.time) === 0) {
    report(
      context,
      ['prometheus', 'retention', 'time'],
      'config/zero-duration',
      'a retention of zero keeps no data',
      'use a duration such as 30d',
    );
  }
  const storageBytes = quantityToNumber(prometheus.storage.size);
  if (
    input.prometheus?.retention?.size === undefined &&
    retentionSizeToBytes(prometheus.retention.size) > storageBytes
  ) {
    // The default retention size is 85 % of the storage: only a storage too small to hold a
    // single byte (such as `100m`, a tenth of a byte) gets here.
    report(
      context,
      ['prometheus', 'storage', 'size'],
      'config/storage-too-small',
      `storage size ${prometheus.storage.size} is too small to keep any data`,
      'use a size such as 20Gi (suffixes are case-sensitive: `m` is milli, `M` is mega, `Mi` is mebi)',
    );
  } else if (retentionSizeToBytes(prometheus.retention.size) > storageBytes) {
    report(
      context,
      ['prometheus', 'retention', 'size'],
      'config/retention-above-storage',
      `retention size ${prometheus.retention.size} is larger than the storage (${prometheus.storage.size}); the volume would fill before Prometheus deletes data`,
      `use at most ${bytesToRetentionSize(storageBytes * retentionSizeShareOfStorage)} (85 % of the storage)`,
    );
  }
  if ('replica' in prometheus.externalLabels && prometheus.replicas > 1) {
    report(
      context,
      ['prometheus', 'externalLabels', 'replica'],
      'config/reserved-label',
      'the `replica` external label is set per pod when there is more than one replica',
      'remove it or rename it',
    );
  }
  for (const [kind, settings] of [
    ['prometheus', prometheus],
    ['grafana', environment.grafana],
    ['nodeExporter', environment.nodeExporter],
    ['kubeStateMetrics', environment.kubeStateMetrics],
  ] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const request = quantityToNumber(settings.resources.requests[resource]);
      const limit = quantityToNumber(settings.resources.limits[resource]);
      if (request > limit) {
        const requestWritten = input[kind]?.resources?.requests?.[resource] !== undefined;
        report(
          context,
          [kind, 'resources', requestWritten ? 'requests' : 'limits', resource],
          'config/request-above-limit',
          `the ${resource} request ${settings.resources.requests[resource]} is above the limit ${settings.resources.limits[resource]}; Kubernetes rejects such a pod`,
          `raise limits.${resource} or lower requests.${resource}`,
        );
      }
    }
  }
}

/** The shorter of two durations: a default timeout never exceeds a shorter interval. */
function shorterDuration(a: string, b: string): string {
  return durationToMs(a) <= durationToMs(b) ? a : b;
}
