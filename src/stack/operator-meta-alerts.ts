/**
 * Meta-monitoring in operator mode. kube-prometheus-stack already ships Watchdog, TargetDown and
 * the Prometheus and Alertmanager alerts, on its own jobs: ours would fire twice, and on job names
 * that do not exist there. What it cannot know is that MLflow's targets are missing altogether,
 * the silent failure of a ServiceMonitor the Operator ignores (labels that the Prometheus'
 * selectors do not match, an unselected namespace, a port name no Service has): then there is no
 * `up` series for the spec's down alerts to compare with 0. `absent()` catches it. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import type { MetaAlertDefinition, MetaAlertRule } from './meta-alerts.js';
import { operatorTargets } from './operator-monitors.js';
import { firesAfterFor, flat, seriesOf, type InputSeries } from './rule-tests.js';

export const targetsMissingAlert = 'ScrapeTargetsMissing';

export function operatorMetaAlertDefinitions(
  environment: EnvironmentConfig,
): MetaAlertDefinition[] {
  if (!environment.alerts.metaMonitoring) return [];
  const kind = environment.operator.monitorKind;
  const jobs = operatorTargets(environment).map(({ job }) => job);
  const rule: MetaAlertRule = {
    alert: targetsMissingAlert,
    // absent() of an equality matcher returns that label: each missing job alerts on its own.
    expr: jobs.map((job) => `absent(up{job="${job}"})`).join(' or '),
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'No target of job {{ $labels.job }} is scraped',
      description: `Prometheus has had no {{ $labels.job }} target for 15 minutes: the Prometheus Operator does not pick up the ${kind} ${environment.namespace}/{{ $labels.job }}, or it selects no endpoint. Check its labels against the Prometheus' selectors and its port against the Service (gitops-gen validate --prometheus-cr).`,
    },
  };
  const up = (job: string, value: number): InputSeries => ({
    series: seriesOf('up', { instance: `${job}:8080`, job }),
    values: flat(value, 30),
  });
  const other = up('another-job', 1);
  return [
    {
      rule,
      scenarios: [
        ...jobs.map((missing) => ({
          name: `fires when no ${missing} target exists`,
          series: [other, ...jobs.filter((job) => job !== missing).map((job) => up(job, 1))],
          checks: firesAfterFor(rule, 0, 0, [{ labels: { job: missing }, value: 1 }]),
        })),
        {
          name: 'stays quiet while every job has a target, even one that is down',
          series: [other, ...jobs.map((job, index) => up(job, index === 0 ? 0 : 1))],
          checks: [{ atMinute: 30, firing: [] }],
        },
      ],
    },
  ];
}
