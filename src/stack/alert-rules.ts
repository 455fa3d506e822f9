/**
 * The seven alerts of the spec, with its names, thresholds, `for` durations and severities,
 * written so that they behave: "down" also fires when a target vanishes from discovery,
 * latency is a histogram quantile over bucket rates, CPU and memory watch nodes
 * (node-exporter) and containers against their limits (cAdvisor working set, kube-state-metrics),
 * crash looping follows kubernetes-mixin. Metric names come from the environment's metrics
 * profile. Every alert carries the scenarios its generated promtool tests replay. A second
 * group holds the meta-monitoring alerts (meta-alerts.ts); every alert of both gets its
 * `runbook_url` when `alerts.runbookBaseUrl` is set. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { cadvisorSeriesLabels, jobNames } from './components.js';
import { metaAlertDefinitions, metaGroupName } from './meta-alerts.js';
import { operatorMetaAlertDefinitions } from './operator-meta-alerts.js';
import { clusterMetricsJobs, jobMatcher } from './additional-scrape.js';
import { profileOf, selector, type MetricsProfile } from './metrics-profile.js';
import {
  buildRuleTests,
  aboveThreshold,
  firesAfterFor,
  flat,
  justUnder,
  minutesOf,
  formatNumber,
  ramp,
  seriesOf,
  type RuleTestFile,
  type Scenario,
} from './rule-tests.js';

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  /** `scope` tells apart the node and container rules that share an alert name. */
  /** `none`: Watchdog, which pages by stopping (meta-alerts.ts). */
  labels: {
    severity: 'critical' | 'warning' | 'info' | 'none';
    scope?: 'node' | 'container';
    /** Operator mode with an AlertmanagerConfig: the namespace its routes match on. */
    namespace?: string;
  };
  /** `runbook_url` when `alerts.runbookBaseUrl` is set. */
  annotations: { summary: string; description: string; runbook_url?: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertingRule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

/** Alert names of the spec, in the order the spec lists them. */
export const specAlertNames = [
  'MLflowServerDown',
  'ModelServerDown',
  'PodCrashLooping',
  'HighCPUUsage',
  'HighMemoryUsage',
  'HighModelLatency',
  'MLflowExperimentFailure',
] as const;
export type SpecAlertName = (typeof specAlertNames)[number];

/** A rule and the scenarios that prove it fires and stays quiet. */
interface AlertDefinition {
  rule: AlertingRule;
  scenarios: Scenario[];
}

/** Samples per generated test series: 20 minutes, longer than every `for` and window. */
const horizon = 20;
/** A rate needs two samples: a rate-based condition can hold from the second minute on. */
const firstRateMinute = 1;
/**
 * From here on a 5m rate over samples a minute apart equals the slope exactly (Prometheus 2
 * and 3 alike); before, extrapolation may still under- or overestimate it.
 */
const exactRateMinute = 5;

/** A label matcher for one or more namespaces. */
function namespaceMatcher(namespaces: readonly string[]): string {
  const unique = [...new Set(namespaces)].sort();
  return unique.length === 1
    ? `namespace="${unique[0] ?? ''}"`
    : `namespace=~"${unique.join('|')}"`;
}

/** Checks that an alert is silent once rates are exact, and still at the end. */
function staysQuiet(rule: AlertingRule): Scenario['checks'] {
  const settled = exactRateMinute + minutesOf(rule.for) + 1;
  return [
    { atMinute: settled, firing: [] },
    { atMinute: horizon, firing: [] },
  ];
}

function targetDown(
  job: string,
  alert: 'MLflowServerDown' | 'ModelServerDown',
  what: string,
  namespace: string,
): AlertDefinition {
  const up = `up{job="${job}"}`;
  const rule: AlertingRule & { alert: typeof alert } = {
    alert,
    // absent() covers a target that disappeared from discovery: then `up` has no series at all.
    expr: `sum(${up}) == 0 or absent(${up})`,
    for: '1m',
    labels: { severity: 'critical' },
    annotations: {
      summary: `${what} is unreachable`,
      description: `No ${job} target in namespace ${namespace} has answered a scrape for 1 minute, or none is discovered.`,
    },
  };
  const target = (pod: string, value: number): Scenario['series'][number] => ({
    series: seriesOf('up', { instance: `${pod}:9999`, job, namespace, pod }),
    values: flat(value, horizon),
  });
  return {
    rule,
    scenarios: [
      {
        name: 'fires when every target fails its scrapes',
        series: [target(`${job}-a`, 0), target(`${job}-b`, 0)],
        checks: firesAfterFor(rule, 0, 0, [{ labels: {}, value: 0 }]),
      },
      {
        name: 'fires when no target is discovered',
        series: [
          {
            series: seriesOf('up', { instance: 'localhost:9090', job: 'prometheus' }),
            values: flat(1, horizon),
          },
        ],
        checks: firesAfterFor(rule, 0, 0, [{ labels: { job }, value: 1 }]),
      },
      {
        name: 'stays quiet while one target answers',
        series: [target(`${job}-a`, 0), target(`${job}-b`, 1)],
        checks: staysQuiet(rule),
      },
    ],
  };
}

function podCrashLooping(
  watched: string,
  namespace: string,
  kubeStateJob: string,
): AlertDefinition {
  const rule: AlertingRule & { alert: 'PodCrashLooping' } = {
    alert: 'PodCrashLooping',
    expr: `max_over_time(kube_pod_container_status_waiting_reason{${jobMatcher(kubeStateJob)}, reason="CrashLoopBackOff", ${watched}}[5m]) >= 1`,
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'Pod is restarting frequently',
      description:
        'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 5 minutes.',
    },
  };
  const labels = {
    container: 'mlflow',
    job: kubeStateJob,
    namespace,
    pod: 'mlflow-server-0',
    reason: 'CrashLoopBackOff',
  };
  const waiting = (
    value: number,
    extra: Record<string, string> = {},
  ): Scenario['series'][number] => ({
    series: seriesOf('kube_pod_container_status_waiting_reason', { ...labels, ...extra }),
    values: flat(value, horizon),
  });
  return {
    rule,
    scenarios: [
      {
        name: 'fires when a container waits in CrashLoopBackOff',
        series: [waiting(1)],
        checks: firesAfterFor(rule, 0, 0, [{ labels, value: 1 }]),
      },
      {
        name: 'stays quiet for running containers and for namespaces it does not watch',
        series: [waiting(0), waiting(1, { namespace: `not-${namespace}` })],
        checks: staysQuiet(rule),
      },
    ],
  };
}

interface UsageAlert {
  alert: 'HighCPUUsage' | 'HighMemoryUsage';
  threshold: number;
  what: string;
}

/**
 * Busy share of a node's CPU time in percent: one minus idle over all modes. A ratio of two
 * rates over the same samples, so it is exact even before the 5m window fills (a bare idle
 * rate is underestimated then, which would read as a busy node right after a restart).
 */
export function nodeCpuUsage(nodeJob: string): string {
  const cpu = (matchers: string): string =>
    `sum by (instance) (rate(node_cpu_seconds_total{${matchers}}[5m]))`;
  return `100 * (1 - ${cpu(`${nodeJob}, mode="idle"`)} / ${cpu(nodeJob)})`;
}

/** Node level, from node-exporter: busy CPU time, or memory not available. */
function nodeUsage(usage: UsageAlert, nodeJobName: string): AlertDefinition {
  const { alert, threshold, what } = usage;
  const nodeJob = jobMatcher(nodeJobName);
  const expr =
    alert === 'HighCPUUsage'
      ? `${nodeCpuUsage(nodeJob)} > ${threshold}`
      : `100 * (1 - node_memory_MemAvailable_bytes{${nodeJob}} / node_memory_MemTotal_bytes{${nodeJob}}) > ${threshold}`;
  const rule: AlertingRule & { alert: typeof alert } = {
    alert,
    expr,
    for: '5m',
    labels: { severity: 'warning', scope: 'node' },
    annotations: {
      summary: `${what} usage above ${threshold}%`,
      description: `${what} usage on node {{ $labels.instance }} has been above ${threshold}% for 5 minutes (now {{ printf "%.1f" $value }}%).`,
    },
  };
  const instance = 'node-1';
  const seriesAt = (percent: number): Scenario['series'] => {
    if (alert === 'HighCPUUsage') {
      // Seconds per minute of one CPU in each mode; a large start keeps rate() clear of resets.
      const idlePerMinute = (60 * (100 - percent)) / 100;
      return [
        ['idle', idlePerMinute],
        ['user', 60 - idlePerMinute],
      ].map(([mode = '', perMinute = 0]) => ({
        series: seriesOf('node_cpu_seconds_total', {
          cpu: '0',
          instance,
          job: nodeJobName,
          mode: String(mode),
        }),
        values: ramp(100_000, Number(perMinute), horizon),
      }));
    }
    const total = 10_000_000_000;
    return [
      {
        series: seriesOf('node_memory_MemTotal_bytes', { instance, job: nodeJobName }),
        values: flat(total, horizon),
      },
      {
        series: seriesOf('node_memory_MemAvailable_bytes', {
          instance,
          job: nodeJobName,
        }),
        values: flat((total * (100 - percent)) / 100, horizon),
      },
    ];
  };
  const high = aboveThreshold(threshold, 100);
  const isRate = alert === 'HighCPUUsage';
  return {
    rule,
    scenarios: [
      {
        name: `fires when a node uses ${formatNumber(high)}%`,
        series: seriesAt(high),
        // A ratio keeps the left-hand labels; the CPU average keeps only `instance`.
        checks: firesAfterFor(rule, isRate ? firstRateMinute : 0, isRate ? exactRateMinute : 0, [
          {
            labels: alert === 'HighCPUUsage' ? { instance } : { instance, job: nodeJobName },
            value: high,
          },
        ]),
      },
      {
        name: `stays quiet when a node uses ${formatNumber(justUnder(threshold))}%`,
        series: seriesAt(justUnder(threshold)),
        checks: staysQuiet(rule),
      },
    ],
  };
}

/**
 * Container level: usage against the container's limit. cAdvisor's pod-level cgroups have
 * `container=""` and containers without an image are pause containers: both are left out.
 */
function containerUsage(
  usage: UsageAlert,
  watched: string,
  namespace: string,
  kubeStateJob: string,
  cadvisorJob: Record<string, string>,
): AlertDefinition {
  const { alert, threshold, what } = usage;
  const cadvisorMatchers = Object.entries(cadvisorJob).map(([name, value]) => `${name}="${value}"`);
  const cadvisor = `${cadvisorMatchers.join(', ')}, ${watched}, container!="", image!=""`;
  const limits = `${jobMatcher(kubeStateJob)}, ${watched}`;
  const byContainer = 'sum by (namespace, pod, container)';
  const expr =
    alert === 'HighCPUUsage'
      ? `100 * ${byContainer} (rate(container_cpu_usage_seconds_total{${cadvisor}}[5m])) / ${byContainer} (kube_pod_container_resource_limits{${limits}, resource="cpu"}) > ${threshold}`
      : `100 * ${byContainer} (container_memory_working_set_bytes{${cadvisor}}) / ${byContainer} (kube_pod_container_resource_limits{${limits}, resource="memory"}) > ${threshold}`;
  const rule: AlertingRule & { alert: typeof alert } = {
    alert,
    expr,
    for: '5m',
    labels: { severity: 'warning', scope: 'container' },
    annotations: {
      summary: `${what} usage above ${threshold}% of a container's limit`,
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has used more than ${threshold}% of its ${what.toLowerCase()} limit for 5 minutes (now {{ printf "%.1f" $value }}%).`,
    },
  };
  const container = { container: 'mlflow', namespace, pod: 'mlflow-server-0' };
  const cadvisorLabels = {
    ...container,
    image: 'ghcr.io/mlflow/mlflow:v3',
    ...cadvisorJob,
  };
  const isCpu = alert === 'HighCPUUsage';
  const limit = isCpu ? 2 : 1_000_000_000;
  const seriesAt = (percent: number): Scenario['series'] => {
    const used = (limit * percent) / 100;
    const metric = isCpu
      ? 'container_cpu_usage_seconds_total'
      : 'container_memory_working_set_bytes';
    const values = (amount: number): string =>
      isCpu ? ramp(1_000, amount * 60, horizon) : flat(amount, horizon);
    return [
      { series: seriesOf(metric, cadvisorLabels), values: values(used) },
      // The pod's own cgroup adds up all containers: counting it would double the usage.
      {
        series: seriesOf(metric, { ...cadvisorLabels, container: '', image: '' }),
        values: values(used * 2),
      },
      {
        series: seriesOf('kube_pod_container_resource_limits', {
          ...container,
          job: kubeStateJob,
          resource: isCpu ? 'cpu' : 'memory',
          unit: isCpu ? 'core' : 'byte',
        }),
        values: flat(limit, horizon),
      },
    ];
  };
  const high = aboveThreshold(threshold, 100);
  return {
    rule,
    scenarios: [
      {
        name: `fires when a container uses ${formatNumber(high)}% of its limit`,
        series: seriesAt(high),
        checks: firesAfterFor(rule, isCpu ? firstRateMinute : 0, isCpu ? exactRateMinute : 0, [
          { labels: container, value: high },
        ]),
      },
      {
        name: `stays quiet when a container uses ${formatNumber(justUnder(threshold))}% of its limit`,
        series: seriesAt(justUnder(threshold)),
        checks: staysQuiet(rule),
      },
    ],
  };
}

function highModelLatency(profile: MetricsProfile, threshold: number): AlertDefinition {
  const { modelServer } = profile;
  const bucket = `${modelServer.requestDuration}_bucket`;
  const rule: AlertingRule & { alert: 'HighModelLatency' } = {
    alert: 'HighModelLatency',
    // `le` must survive the sum; `job` keeps one result per scrape job.
    expr: `histogram_quantile(0.95, sum by (job, le) (rate(${selector(bucket, `job="${jobNames.modelServer}"`, modelServer.requestDurationMatchers)}[5m]))) > ${threshold}`,
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: `Model p95 latency above ${threshold}s`,
      description: `The 95th percentile of model-server inference latency has been above ${threshold}s for 5 minutes (now {{ humanizeDuration $value }}).`,
    },
  };
  const baseLabels = {
    ...modelServer.requestDurationLabels,
    ...parseMatchers(modelServer.requestDurationMatchers),
    job: jobNames.modelServer,
  };
  /** Every request lands in the bucket (lower, upper]; p95 interpolates 95 % into it. */
  const histogram = (lower: number, upper: number): Scenario['series'] =>
    [
      [lower, 0],
      [upper, 10],
      [Number.POSITIVE_INFINITY, 10],
    ].map(([le = 0, perMinute = 0]) => ({
      series: seriesOf(bucket, {
        ...baseLabels,
        le: le === Number.POSITIVE_INFINITY ? '+Inf' : formatNumber(le),
      }),
      values: ramp(0, perMinute, horizon),
    }));
  const p95 = (lower: number, upper: number): number => lower + (upper - lower) * 0.95;
  return {
    rule,
    scenarios: [
      {
        name: `fires when p95 is ${formatNumber(p95(threshold, 2 * threshold))}s`,
        series: histogram(threshold, 2 * threshold),
        checks: firesAfterFor(rule, firstRateMinute, exactRateMinute, [
          { labels: { job: jobNames.modelServer }, value: p95(threshold, 2 * threshold) },
        ]),
      },
      {
        name: `stays quiet when p95 is ${formatNumber(p95(threshold / 2, threshold))}s`,
        series: histogram(threshold / 2, threshold),
        checks: staysQuiet(rule),
      },
    ],
  };
}

/** `a="b"` matchers as labels; a regex matcher gives no label (its value is a pattern). */
function parseMatchers(matchers: string): Record<string, string> {
  return Object.fromEntries(
    [...matchers.matchAll(/([A-Za-z_]\w*)="([^"]*)"/g)].map((match) => [
      match[1] ?? '',
      match[2] ?? '',
    ]),
  );
}

function experimentFailure(profile: MetricsProfile, serverErrorRatio: number): AlertDefinition {
  const { mlflow } = profile;
  const job = `job="${jobNames.mlflow}"`;
  const { runs } = mlflow;
  if (runs) {
    const rule: AlertingRule & { alert: 'MLflowExperimentFailure' } = {
      alert: 'MLflowExperimentFailure',
      // One failed run is worth a look: no `for`, any increase in the last 15 minutes.
      expr: `sum(increase(${selector(runs.finished, `job="${runs.job}"`, 'status="FAILED"')}[15m])) > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A training run failed',
        description: 'At least one MLflow run finished with status FAILED in the last 15 minutes.',
      },
    };
    const finished = (status: string, values: string): Scenario['series'][number] => ({
      series: seriesOf(runs.finished, { job: runs.job, status }),
      values,
    });
    return {
      rule,
      scenarios: [
        {
          name: 'fires as soon as a run fails',
          series: [
            finished('FINISHED', ramp(0, 1, horizon)),
            finished('FAILED', `${flat(0, 5)} ${flat(1, horizon - 6)}`),
          ],
          checks: [
            { atMinute: 5, firing: [] },
            { atMinute: 7, firing: [{ labels: {}, value: 1 }] },
          ],
        },
        {
          name: 'stays quiet while runs finish successfully',
          series: [finished('FINISHED', ramp(0, 1, horizon)), finished('FAILED', flat(0, horizon))],
          checks: [{ atMinute: horizon, firing: [] }],
        },
      ],
    };
  }
  // Stock MLflow exports no run counters; a failing run shows as tracking-server errors.
  const requests = (matcher: string): string =>
    `sum(rate(${selector(mlflow.requests, job, matcher)}[5m]))`;
  const rule: AlertingRule & { alert: 'MLflowExperimentFailure' } = {
    alert: 'MLflowExperimentFailure',
    expr: `${requests(`${mlflow.statusLabel}=~"5.."`)} / ${requests('')} > ${serverErrorRatio}`,
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'MLflow requests are failing, so runs cannot be logged',
      description: `{{ humanizePercentage $value }} of MLflow tracking requests have failed with a server error for 5 minutes (threshold ${formatNumber(serverErrorRatio * 100)}%): runs are failing or cannot be recorded.`,
    },
  };
  const traffic = (errorRatio: number): Scenario['series'] => [
    {
      series: seriesOf(mlflow.requests, {
        job: jobNames.mlflow,
        method: 'POST',
        [mlflow.statusLabel]: '200',
      }),
      values: ramp(0, 100 * (1 - errorRatio), horizon),
    },
    {
      series: seriesOf(mlflow.requests, {
        job: jobNames.mlflow,
        method: 'POST',
        [mlflow.statusLabel]: '500',
      }),
      values: ramp(0, 100 * errorRatio, horizon),
    },
  ];
  const high = aboveThreshold(serverErrorRatio * 100, 100) / 100;
  const low = serverErrorRatio * 0.9;
  return {
    rule,
    scenarios: [
      {
        name: `fires when ${formatNumber(high * 100)}% of requests fail`,
        series: traffic(high),
        checks: firesAfterFor(rule, firstRateMinute, exactRateMinute, [
          { labels: {}, value: high },
        ]),
      },
      {
        name: `stays quiet when ${formatNumber(low * 100)}% of requests fail`,
        series: traffic(low),
        checks: staysQuiet(rule),
      },
    ],
  };
}

function alertDefinitions(environment: EnvironmentConfig): AlertDefinition[] {
  const { alerts, mlflow, modelServer } = environment;
  const profile = profileOf(environment);
  const watched = namespaceMatcher([
    environment.namespace,
    mlflow.namespace,
    modelServer.namespace,
  ]);
  const cpu: UsageAlert = { alert: 'HighCPUUsage', threshold: alerts.cpuUsagePercent, what: 'CPU' };
  const memory: UsageAlert = {
    alert: 'HighMemoryUsage',
    threshold: alerts.memoryUsagePercent,
    what: 'Memory',
  };
  // The cluster's own node-exporter or kube-state-metrics may replace ours; without either,
  // the alerts that need their series are left out (render warns: additional-scrape.ts).
  const { nodeExporter: nodeJob, kubeStateMetrics: kubeStateJob } = clusterMetricsJobs(environment);
  const ifScraped = <Job>(job: Job | undefined, build: (job: Job) => AlertDefinition) =>
    job === undefined ? [] : [build(job)];
  return [
    targetDown(jobNames.mlflow, 'MLflowServerDown', 'MLflow server', mlflow.namespace),
    targetDown(jobNames.modelServer, 'ModelServerDown', 'Model server', modelServer.namespace),
    ...ifScraped(kubeStateJob, (job) => podCrashLooping(watched, mlflow.namespace, job)),
    ...ifScraped(nodeJob, (job) => nodeUsage(cpu, job)),
    ...ifScraped(kubeStateJob, (job) =>
      containerUsage(cpu, watched, mlflow.namespace, job, cadvisorSeriesLabels(environment.mode)),
    ),
    ...ifScraped(nodeJob, (job) => nodeUsage(memory, job)),
    ...ifScraped(kubeStateJob, (job) =>
      containerUsage(
        memory,
        watched,
        mlflow.namespace,
        job,
        cadvisorSeriesLabels(environment.mode),
      ),
    ),
    highModelLatency(profile, alerts.modelLatencyP95Seconds),
    experimentFailure(profile, alerts.serverErrorRatio),
  ];
}

/**
 * `runbook_url: <base>/<AlertName>` when `alerts.runbookBaseUrl` is set: Alertmanager templates
 * and Grafana link it from the notification. A trailing `/` of the base is dropped.
 */
function withRunbook<Rule extends { alert: string; annotations: AlertingRule['annotations'] }>(
  rule: Rule,
  runbookBaseUrl: string | undefined,
): Rule {
  if (runbookBaseUrl === undefined) return rule;
  const base = runbookBaseUrl.replace(/\/+$/, '');
  return { ...rule, annotations: { ...rule.annotations, runbook_url: `${base}/${rule.alert}` } };
}

/** The spec's alerts, then the meta-monitoring ones, each with its runbook link. */
function ruleGroups(
  environment: EnvironmentConfig,
): { name: string; definitions: AlertDefinition[] }[] {
  const { runbookBaseUrl } = environment.alerts;
  // The Operator matches an AlertmanagerConfig's routes on namespace="<its namespace>"
  // (alertmanagerConfigMatcherStrategy OnNamespace, the default): most alerts aggregate it away.
  const routed =
    environment.mode === 'operator' && environment.operator.alertmanagerConfig
      ? { namespace: environment.namespace }
      : {};
  const linked = (definitions: AlertDefinition[]): AlertDefinition[] =>
    definitions.map((definition) => {
      const rule = withRunbook(definition.rule, runbookBaseUrl);
      return { ...definition, rule: { ...rule, labels: { ...rule.labels, ...routed } } };
    });
  const meta =
    environment.mode === 'operator'
      ? operatorMetaAlertDefinitions(environment)
      : metaAlertDefinitions(environment);
  return [
    { name: 'mlflow.rules', definitions: linked(alertDefinitions(environment)) },
    ...(meta.length > 0 ? [{ name: metaGroupName, definitions: linked(meta) }] : []),
  ];
}

export function buildAlertRules(environment: EnvironmentConfig): RuleFile {
  return {
    groups: ruleGroups(environment).map(({ name, definitions }) => ({
      name,
      rules: definitions.map(({ rule }) => rule),
    })),
  };
}

/** The promtool unit tests of `buildAlertRules`, reading the rules from `ruleFile`. */
export function buildAlertRuleTests(
  environment: EnvironmentConfig,
  ruleFile: string,
): RuleTestFile {
  return buildRuleTests(
    ruleFile,
    ruleGroups(environment).flatMap(({ definitions }) => definitions),
  );
}
