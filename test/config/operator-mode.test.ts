/**
 * `mode` and `operator` (issue 16) through the pure entry point resolveEnvironmentSources: the
 * defaults (kube-prometheus-stack's), each key, and each mistake as one problem at the file's
 * line: keys that would be silently ignored in the mode at hand, a PodMonitor with nothing to
 * select pods by, invalid labels, and what an AlertmanagerConfig cannot carry.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnvironmentSources, type EnvironmentConfig } from '../../src/config/index.js';
import { InputError, type Problem } from '../../src/errors.js';

const file = 'environments/ml.yaml';

function resolve(lines: string[]): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources([
    { file, name: 'ml', text: `${lines.join('\n')}\n` },
  ]);
  if (!environment) throw new Error('nothing resolved');
  return environment;
}

function problems(lines: string[]): readonly Problem[] {
  try {
    resolve(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the environment to fail');
}

function problem(lines: string[]): Problem {
  const found = problems(lines);
  expect(found, JSON.stringify(found)).toHaveLength(1);
  return found[0] as Problem;
}

describe('mode and operator: what resolves', () => {
  it('defaults to standalone, with kube-prometheus-stack defaults for operator mode', () => {
    const environment = resolve(['tier: dev']);
    expect(environment.mode).toBe('standalone');
    expect(environment.operator).toEqual({
      monitorKind: 'ServiceMonitor',
      selectorLabels: { release: 'kube-prometheus-stack' },
      prometheus: undefined,
      dashboardLabel: { grafana_dashboard: '1' },
      dashboardFolderAnnotation: 'k8s-sidecar-target-directory',
      datasourceUid: 'prometheus',
      alertmanagerConfig: false,
    });
  });

  it('takes the three-line operator environment, and runs no Alertmanager of its own', () => {
    const environment = resolve(['tier: prod', 'mode: operator', 'namespace: mlflow']);
    expect(environment.mode).toBe('operator');
    expect(environment.alertmanager.enabled).toBe(false);
    expect(environment.namespace).toBe('mlflow');
  });

  it("reads every operator key and the targets' labels and port names", () => {
    const environment = resolve([
      'mode: operator',
      'operator:',
      '  monitorKind: PodMonitor',
      '  selectorLabels: { release: monitoring, team: ml }',
      '  prometheus: monitoring/k8s',
      '  dashboardLabel: { grafana_dashboard: mlflow }',
      '  dashboardFolderAnnotation: grafana_folder',
      '  datasourceUid: thanos',
      'mlflow: { matchLabels: { app: mlflow }, portName: http }',
      'modelServer: { matchLabels: { app: mlserver }, portName: metrics }',
    ]);
    expect(environment.operator).toEqual({
      monitorKind: 'PodMonitor',
      selectorLabels: { release: 'monitoring', team: 'ml' },
      prometheus: { namespace: 'monitoring', name: 'k8s' },
      dashboardLabel: { grafana_dashboard: 'mlflow' },
      dashboardFolderAnnotation: 'grafana_folder',
      datasourceUid: 'thanos',
      alertmanagerConfig: false,
    });
    expect(environment.mlflow).toMatchObject({ matchLabels: { app: 'mlflow' }, portName: 'http' });
    expect(environment.modelServer).toMatchObject({ portName: 'metrics' });
  });

  it('accepts the keys operator mode reads: rules, dashboards, drops and an AlertmanagerConfig', () => {
    const environment = resolve([
      'mode: operator',
      'operator: { alertmanagerConfig: true }',
      'prometheus: { dropMetrics: [{ regex: "flask_.*" }] }',
      'grafana: { dashboardFolder: Team }',
      'alertmanager:',
      '  receivers: [{ name: team, type: webhook, url: "https://hooks.example.com/ml" }]',
      'alerts: { cpuUsagePercent: 90 }',
      'delivery: { controller: flux }',
    ]);
    expect(environment.operator.alertmanagerConfig).toBe(true);
    expect(environment.alertmanager.receivers.map((receiver) => receiver.name)).toEqual(['team']);
  });
});

describe('mode and operator: mistakes, each at its line', () => {
  it('refuses keys that only the standalone stack reads, naming what operator mode takes', () => {
    const found = problem(['mode: operator', 'prometheus:', '  replicas: 2']);
    expect(found).toMatchObject({
      code: 'config/not-in-operator-mode',
      file,
      line: 3,
      keyPath: 'prometheus.replicas',
    });
    expect(found.message).toContain('kube-prometheus-stack runs Prometheus');
    expect(found.hint).toContain('dropMetrics, additionalRuleFiles');
  });

  it('refuses a whole section operator mode has no use for', () => {
    const found = problem(['mode: operator', 'nodeExporter: { enabled: false }']);
    expect(found).toMatchObject({ code: 'config/not-in-operator-mode', keyPath: 'nodeExporter' });
  });

  it('refuses the operator keys in standalone mode', () => {
    expect(problem(['operator: { monitorKind: PodMonitor }'])).toMatchObject({
      code: 'config/operator-key-in-standalone-mode',
      keyPath: 'operator',
      line: 1,
    });
    expect(problem(['mlflow: { portName: http }'])).toMatchObject({
      code: 'config/operator-key-in-standalone-mode',
      keyPath: 'mlflow.portName',
    });
  });

  it('refuses a PodMonitor target without labels to select its pods by', () => {
    const found = problem([
      'mode: operator',
      'operator: { monitorKind: PodMonitor }',
      'mlflow: { matchLabels: { app: mlflow } }',
    ]);
    expect(found).toMatchObject({
      code: 'config/pod-monitor-needs-labels',
      keyPath: 'modelServer',
    });
    expect(found.hint).toContain('modelServer.matchLabels');
  });

  it('refuses alertmanager keys without an AlertmanagerConfig to put them in', () => {
    expect(
      problem(['mode: operator', 'alertmanager: { receivers: [{ name: a, type: pagerduty }] }']),
    ).toMatchObject({ code: 'config/alertmanager-needs-alertmanager-config', line: 2 });
  });

  it('refuses what an AlertmanagerConfig cannot carry: a time zone', () => {
    const found = problem([
      'mode: operator',
      'operator: { alertmanagerConfig: true }',
      'alertmanager:',
      '  receivers: [{ name: team, type: pagerduty }]',
      '  timeIntervals:',
      '    - name: office',
      '      time_intervals: [{ weekdays: ["monday:friday"], location: Europe/Berlin }]',
    ]);
    expect(found.keyPath).toContain('location');
  });

  it('refuses invalid label keys and values, and an empty dashboard label', () => {
    expect(
      problem(['mode: operator', 'operator: { selectorLabels: { "bad key!": x } }']),
    ).toMatchObject({
      code: 'config/invalid-label-key',
      keyPath: 'operator.selectorLabels.bad key!',
    });
    expect(
      problem(['mode: operator', 'mlflow: { matchLabels: { app: "not valid!" } }']),
    ).toMatchObject({ code: 'config/invalid-label-value', keyPath: 'mlflow.matchLabels.app' });
    expect(problem(['mode: operator', 'operator: { dashboardLabel: {} }'])).toMatchObject({
      code: 'config/empty-dashboard-label',
    });
  });

  it('refuses a Prometheus that is not <namespace>/<name>, and an unknown mode', () => {
    expect(problem(['mode: operator', 'operator: { prometheus: k8s }']).keyPath).toBe(
      'operator.prometheus',
    );
    expect(problem(['mode: operators']).keyPath).toBe('mode');
  });
});
