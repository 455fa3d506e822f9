/**
 * Meta-monitoring: the alerts that watch the monitoring stack itself (`alerts.metaMonitoring`,
 * on by default). Semantics follow the prometheus and alertmanager mixins (kube-prometheus)
 * where they hold up, with our own expressions: Watchdog always fires (a dead man's switch
 * notices when it stops), PrometheusTargetDown covers our scrape jobs except the two the spec's
 * MLflowServerDown and ModelServerDown already watch, and the Prometheus and Alertmanager alerts
 * read the metrics Prometheus scrapes from itself (job `prometheus`) and from Alertmanager (job
 * `alertmanager`). Each alert brings the scenarios its generated promtool tests replay. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import { jobNames, prometheusComponent, scrapeJobNames } from './components.js';
import { firesAfterFor, flat, minutesOf, ramp, seriesOf, type Scenario } from './rule-tests.js';

/** Structurally an AlertingRule of alert-rules.ts (which imports this module, not the reverse). */
export interface MetaAlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' | 'none' };
  annotations: { summary: string; description: string };
}

export interface MetaAlertDefinition {
  rule: MetaAlertRule;
  scenarios: Scenario[];
}

export const metaGroupName = 'meta-monitoring.rules';

/** Alert names, for documentation and tests. */
export const metaAlertNames = [
  'Watchdog',
  'PrometheusTargetDown',
  'PrometheusRuleFailures',
  'PrometheusNotificationErrors',
  'PrometheusNotificationsDropped',
  'PrometheusTSDBCompactionsFailing',
  'PrometheusTSDBWALCorruptions',
  'AlertmanagerFailedToSendAlerts',
  'AlertmanagerClusterFailedPeers',
] as const;

const prometheusJob = `job="${jobNames.prometheus}"`;
const alertmanagerJob = `job="${jobNames.alertmanager}"`;
const prometheusInstance = `localhost:${String(prometheusComponent.port)}`;
/** The window of the rate and increase expressions below; exact once it is full of samples. */
const rateWindowMinutes = 5;

function staysQuietUntil(minute: number): Scenario['checks'] {
  return [{ atMinute: minute, firing: [] }];
}

/** A counter of Prometheus itself: `perMinute` more every minute for `minutes` minutes. */
function prometheusCounter(
  metric: string,
  perMinute: number,
  minutes: number,
  labels: Record<string, string> = {},
): Scenario['series'][number] {
  return {
    series: seriesOf(metric, { instance: prometheusInstance, job: jobNames.prometheus, ...labels }),
    values: ramp(100, perMinute, minutes),
  };
}

function watchdog(): MetaAlertDefinition {
  const rule: MetaAlertRule = {
    alert: 'Watchdog',
    expr: 'vector(1)',
    labels: { severity: 'none' },
    annotations: {
      summary: 'Always firing: proves that alerts leave Prometheus and reach Alertmanager',
      description:
        "This alert fires all the time on purpose. Route it to a dead man's switch (a heartbeat service) that pages when it stops arriving: then Prometheus, rule evaluation or Alertmanager is broken.",
    },
  };
  return {
    rule,
    scenarios: [
      {
        name: 'fires from the first evaluation on',
        series: [
          {
            series: seriesOf('up', { instance: prometheusInstance, job: jobNames.prometheus }),
            values: flat(1, 10),
          },
        ],
        checks: [
          { atMinute: 0, firing: [{ labels: {}, value: 1 }] },
          { atMinute: 10, firing: [{ labels: {}, value: 1 }] },
        ],
      },
    ],
  };
}

/**
 * Our jobs, less the two the spec's down alerts cover (a second alert for the same outage is
 * noise). Like the mixin's TargetDown: a share of a job's targets down for 10 minutes.
 */
function targetDown(environment: EnvironmentConfig): MetaAlertDefinition | undefined {
  const specCovered = new Set<string>([jobNames.mlflow, jobNames.modelServer]);
  const jobs = scrapeJobNames(environment).filter((job) => !specCovered.has(job));
  const [sampleJob] = jobs;
  if (sampleJob === undefined) return undefined;
  const up = `up{job=~"${[...jobs].sort().join('|')}"}`;
  const rule: MetaAlertRule = {
    alert: 'PrometheusTargetDown',
    expr: `100 * count by (job) (${up} == 0) / count by (job) (${up}) > 10`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Targets of job {{ $labels.job }} are down',
      description:
        '{{ printf "%.0f" $value }}% of the {{ $labels.job }} targets have failed their scrapes for 10 minutes.',
    },
  };
  const target = (pod: string, value: number): Scenario['series'][number] => ({
    series: seriesOf('up', { instance: `${pod}:9100`, job: sampleJob }),
    values: flat(value, 30),
  });
  return {
    rule,
    scenarios: [
      {
        name: 'fires when one of two targets is down',
        series: [target('a', 1), target('b', 0)],
        checks: firesAfterFor(rule, 0, 0, [{ labels: { job: sampleJob }, value: 50 }]),
      },
      {
        name: 'stays quiet while every target answers',
        series: [target('a', 1), target('b', 1)],
        checks: staysQuietUntil(30),
      },
    ],
  };
}

/** An increase-over-a-window alert of Prometheus itself, with its firing and quiet scenarios. */
function prometheusIncrease(
  rule: MetaAlertRule,
  metric: string,
  labels: Record<string, string>,
): MetaAlertDefinition {
  const horizon = rateWindowMinutes + minutesOf(rule.for) + 10;
  return {
    rule,
    scenarios: [
      {
        name: `fires when ${metric} keeps growing`,
        series: [prometheusCounter(metric, 1, horizon, labels)],
        checks: firesAfterFor(rule, 1, rateWindowMinutes, [
          { labels: { instance: prometheusInstance, ...labels }, value: 1 },
        ]),
      },
      {
        name: `stays quiet while ${metric} stays put`,
        series: [prometheusCounter(metric, 0, horizon, labels)],
        checks: staysQuietUntil(horizon),
      },
    ],
  };
}

function ruleFailures(): MetaAlertDefinition {
  const ruleGroup = `${prometheusComponent.configDir}/${prometheusComponent.rulesFile};mlflow.rules`;
  return prometheusIncrease(
    {
      alert: 'PrometheusRuleFailures',
      expr: `sum by (instance, rule_group) (increase(prometheus_rule_evaluation_failures_total{${prometheusJob}}[5m])) > 0`,
      for: '15m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Prometheus fails to evaluate rules',
        description:
          'Rules of group {{ $labels.rule_group }} on {{ $labels.instance }} have failed to evaluate for 15 minutes: their alerts cannot fire.',
      },
    },
    'prometheus_rule_evaluation_failures_total',
    { rule_group: ruleGroup },
  );
}

function notificationErrors(): MetaAlertDefinition {
  const byAlertmanager = 'sum by (instance, alertmanager)';
  const rate = (metric: string): string =>
    `${byAlertmanager} (rate(${metric}{${prometheusJob}}[5m]))`;
  const rule: MetaAlertRule = {
    alert: 'PrometheusNotificationErrors',
    expr: `100 * ${rate('prometheus_notifications_errors_total')} / ${rate('prometheus_notifications_sent_total')} > 1`,
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Prometheus fails to send alerts to Alertmanager',
      description:
        '{{ printf "%.1f" $value }}% of the alerts Prometheus {{ $labels.instance }} sent to {{ $labels.alertmanager }} have failed for 15 minutes.',
    },
  };
  const alertmanager = { alertmanager: 'http://10.0.0.5:9093/api/v2/alerts' };
  const horizon = rateWindowMinutes + 15 + 10;
  const traffic = (errorsPerMinute: number): Scenario['series'] => [
    prometheusCounter('prometheus_notifications_sent_total', 10, horizon, alertmanager),
    prometheusCounter(
      'prometheus_notifications_errors_total',
      errorsPerMinute,
      horizon,
      alertmanager,
    ),
  ];
  return {
    rule,
    scenarios: [
      {
        name: 'fires when one alert in ten fails',
        series: traffic(1),
        // A ratio of two rates over the same samples: exact from the second sample on.
        checks: firesAfterFor(rule, 1, 1, [
          { labels: { instance: prometheusInstance, ...alertmanager }, value: 10 },
        ]),
      },
      {
        name: 'stays quiet while every alert is delivered',
        series: traffic(0),
        checks: staysQuietUntil(horizon),
      },
    ],
  };
}

function notificationsDropped(): MetaAlertDefinition {
  return prometheusIncrease(
    {
      alert: 'PrometheusNotificationsDropped',
      expr: `sum by (instance) (increase(prometheus_notifications_dropped_total{${prometheusJob}}[5m])) > 0`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Prometheus drops alerts instead of sending them',
        description:
          'Prometheus {{ $labels.instance }} has dropped alerts on their way to Alertmanager (queue full or no Alertmanager reachable) for 15 minutes.',
      },
    },
    'prometheus_notifications_dropped_total',
    {},
  );
}

function compactionsFailing(): MetaAlertDefinition {
  return prometheusIncrease(
    {
      alert: 'PrometheusTSDBCompactionsFailing',
      // Compactions run every two hours: the mixin's 3h window and 4h `for` see repeated failures.
      expr: `sum by (instance) (increase(prometheus_tsdb_compactions_failed_total{${prometheusJob}}[3h])) > 0`,
      for: '4h',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Prometheus TSDB compactions keep failing',
        description:
          'Prometheus {{ $labels.instance }} has failed to compact its TSDB blocks for 4 hours: disk use grows and queries slow down.',
      },
    },
    'prometheus_tsdb_compactions_failed_total',
    {},
  );
}

/** One corruption is worth a look: no `for` (with one, a single event would never fire). */
function walCorruptions(): MetaAlertDefinition {
  const rule: MetaAlertRule = {
    alert: 'PrometheusTSDBWALCorruptions',
    expr: `sum by (instance) (increase(prometheus_tsdb_wal_corruptions_total{${prometheusJob}}[3h])) > 0`,
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Prometheus found a corrupted write-ahead log',
      description:
        'Prometheus {{ $labels.instance }} has repaired a corrupted WAL in the last 3 hours: recent samples may be lost.',
    },
  };
  const corruptions = (values: string): Scenario['series'][number] => ({
    series: seriesOf('prometheus_tsdb_wal_corruptions_total', {
      instance: prometheusInstance,
      job: jobNames.prometheus,
    }),
    values,
  });
  return {
    rule,
    scenarios: [
      {
        name: 'fires once the WAL was corrupted',
        series: [corruptions(`${flat(0, 9)} ${flat(1, 20)}`)],
        checks: [
          { atMinute: 9, firing: [] },
          { atMinute: 12, firing: [{ labels: { instance: prometheusInstance }, value: 1 }] },
        ],
      },
      {
        name: 'stays quiet without corruption',
        series: [corruptions(flat(0, 30))],
        checks: staysQuietUntil(30),
      },
    ],
  };
}

function alertmanagerFailedToSend(): MetaAlertDefinition {
  const byIntegration = 'sum by (instance, integration)';
  const rate = (metric: string): string =>
    `${byIntegration} (rate(${metric}{${alertmanagerJob}}[5m]))`;
  const rule: MetaAlertRule = {
    alert: 'AlertmanagerFailedToSendAlerts',
    expr: `${rate('alertmanager_notifications_failed_total')} / ${rate('alertmanager_notifications_total')} > 0.01`,
    for: '5m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Alertmanager fails to deliver notifications',
      description:
        'Alertmanager {{ $labels.instance }} has failed to send {{ humanizePercentage $value }} of its {{ $labels.integration }} notifications for 5 minutes.',
    },
  };
  const instance = '10.0.0.7:9093';
  const horizon = rateWindowMinutes + 5 + 10;
  const counter = (
    metric: string,
    perMinute: number,
    labels: Record<string, string>,
  ): Scenario['series'][number] => ({
    series: seriesOf(metric, {
      instance,
      integration: 'slack',
      job: jobNames.alertmanager,
      ...labels,
    }),
    values: ramp(100, perMinute, horizon),
  });
  const traffic = (failedPerMinute: number): Scenario['series'] => [
    counter('alertmanager_notifications_total', 10, {}),
    counter('alertmanager_notifications_failed_total', failedPerMinute, { reason: 'other' }),
  ];
  return {
    rule,
    scenarios: [
      {
        name: 'fires when one notification in ten fails',
        series: traffic(1),
        checks: firesAfterFor(rule, 1, 1, [
          { labels: { instance, integration: 'slack' }, value: 0.1 },
        ]),
      },
      {
        name: 'stays quiet while notifications go through',
        series: traffic(0),
        checks: staysQuietUntil(horizon),
      },
    ],
  };
}

/** Gossip only runs between replicas: with one there are no peers to fail. */
function alertmanagerFailedPeers(): MetaAlertDefinition {
  const rule: MetaAlertRule = {
    alert: 'AlertmanagerClusterFailedPeers',
    expr: `max by (instance) (alertmanager_cluster_failed_peers{${alertmanagerJob}}) > 0`,
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Alertmanager replicas cannot reach each other',
      description:
        'Alertmanager {{ $labels.instance }} has seen {{ printf "%.0f" $value }} failed cluster peers for 15 minutes: silences and notifications may be duplicated or lost.',
    },
  };
  const instance = '10.0.0.7:9093';
  const peers = (value: number): Scenario['series'][number] => ({
    series: seriesOf('alertmanager_cluster_failed_peers', { instance, job: jobNames.alertmanager }),
    values: flat(value, 30),
  });
  return {
    rule,
    scenarios: [
      {
        name: 'fires when a peer stays unreachable',
        series: [peers(1)],
        checks: firesAfterFor(rule, 0, 0, [{ labels: { instance }, value: 1 }]),
      },
      {
        name: 'stays quiet while every peer answers',
        series: [peers(0)],
        checks: staysQuietUntil(30),
      },
    ],
  };
}

/** The meta-monitoring alerts of an environment; none when `alerts.metaMonitoring` is false. */
export function metaAlertDefinitions(environment: EnvironmentConfig): MetaAlertDefinition[] {
  if (!environment.alerts.metaMonitoring) return [];
  const { alertmanager } = environment;
  const down = targetDown(environment);
  return [
    watchdog(),
    ...(down ? [down] : []),
    ruleFailures(),
    // Without Alertmanager, Prometheus sends no notifications: these metrics stay at zero.
    ...(alertmanager.enabled ? [notificationErrors(), notificationsDropped()] : []),
    compactionsFailing(),
    walCorruptions(),
    ...(alertmanager.enabled ? [alertmanagerFailedToSend()] : []),
    ...(alertmanager.enabled && alertmanager.replicas > 1 ? [alertmanagerFailedPeers()] : []),
  ];
}
