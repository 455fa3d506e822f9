/**
 * Operator mode (issue 16), rendered and built with the real `kubectl kustomize`: only custom
 * resources and dashboard ConfigMaps, no workload; every custom resource valid against the
 * prometheus-operator CRD schemas (strict); the PrometheusRules' rules pass the real
 * `promtool check rules` and the shipped `promtool test rules`; labels for the Operator's and
 * the Grafana sidecar's selectors; a base only when some environment runs the whole stack.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironments, renderTree, validate } from '../../src/index.js';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';
import { runTool } from '../helpers/tools.js';
import { runCli } from '../helpers/cli.js';

const configDir = join(import.meta.dirname, '..', 'fixtures', 'environments-operator');
const operatorKinds = new Set([
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
  'AlertmanagerConfig',
]);

let root: string;
const built = new Map<string, BuiltObject[]>();

beforeAll(async () => {
  const tree = renderTree(await loadEnvironments({ configDir, configDirRequired: true }));
  root = await tempDir('gitops-gen-operator-');
  for (const [path, text] of tree) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  for (const environment of ['prod', 'staging']) {
    built.set(environment, await kustomizeBuild(join(root, 'overlays', environment)));
  }
});

function objectsOf(environment: string): BuiltObject[] {
  const objects = built.get(environment);
  if (!objects) throw new Error(`${environment} was not built`);
  return objects;
}

function named(environment: string, kind: string, name: string): BuiltObject & { spec: never } {
  const found = objectsOf(environment).find(
    (object) => object.kind === kind && object.metadata.name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name} in ${environment}`);
  return found as BuiltObject & { spec: never };
}

describe('operator mode: what is rendered', () => {
  it('renders custom resources and dashboards only: no workload, Service or RBAC', () => {
    for (const environment of ['prod', 'staging']) {
      const kinds = new Set(objectsOf(environment).map((object) => object.kind));
      for (const kind of kinds) {
        expect(operatorKinds.has(kind) || kind === 'ConfigMap' || kind === 'Namespace', kind).toBe(
          true,
        );
      }
    }
    // namespaceManagement: existing in prod, create in staging.
    expect(objectsOf('prod').some((object) => object.kind === 'Namespace')).toBe(false);
    expect(objectsOf('staging').some((object) => object.kind === 'Namespace')).toBe(true);
  });

  it('has no base when every environment is in operator mode, and keeps it beside a standalone one', async () => {
    const operatorOnly = renderTree(await loadEnvironments({ configDir, configDirRequired: true }));
    expect([...operatorOnly.keys()].some((path) => path.startsWith('base/'))).toBe(false);
    const mixed = resolveEnvironmentSources([
      { file: 'environments/a.yaml', name: 'a', text: 'mode: operator\n' },
      { file: 'environments/b.yaml', name: 'b', text: 'tier: dev\n' },
    ]);
    expect([...renderTree(mixed).keys()]).toContain('base/kustomization.yaml');
  });

  it('refuses the flat layout, which holds the stack operator mode does not run', async () => {
    const out = await tempDir('gitops-gen-operator-flat-');
    const result = await runCli(
      ['render', '--config', configDir, '--out', out, '--layout', 'flat', '--env', 'prod'],
      out,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('operator mode');
    expect(result.stderr).not.toContain('    at ');
  });

  it('puts the selector labels and the named Prometheus on every monitor and rule', () => {
    for (const [environment, release] of [
      ['prod', 'kube-prometheus-stack'],
      ['staging', 'monitoring'],
    ] as const) {
      const selected = objectsOf(environment).filter(
        (object) => object.kind !== 'AlertmanagerConfig' && operatorKinds.has(object.kind),
      );
      expect(selected.length).toBeGreaterThanOrEqual(3);
      for (const object of selected) expect(object.metadata.labels?.release).toBe(release);
    }
    expect(
      named('prod', 'ServiceMonitor', 'mlflow-server').metadata.annotations?.[
        'gitops-gen.dev/prometheus'
      ],
    ).toBe('monitoring/kube-prometheus-stack-prometheus');
  });

  it('keeps the job names the alerts use, whatever the Service is called, and drops metrics', () => {
    const monitor = named('prod', 'ServiceMonitor', 'mlflow-server');
    expect(monitor.spec).toMatchObject({
      namespaceSelector: { matchNames: ['mlflow'] },
      selector: {},
      endpoints: [
        {
          targetPort: 5000,
          path: '/metrics',
          relabelings: [
            {
              action: 'keep',
              sourceLabels: ['__meta_kubernetes_service_name'],
              regex: 'mlflow-service',
            },
            { action: 'replace', targetLabel: 'job', replacement: 'mlflow-server' },
          ],
          metricRelabelings: [
            { action: 'drop', sourceLabels: ['__name__'], regex: 'flask_exporter_info' },
          ],
        },
      ],
    });
    const podMonitor = named('staging', 'PodMonitor', 'model-server');
    expect(podMonitor.spec).toMatchObject({
      namespaceSelector: { matchNames: ['models'] },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'mlserver' } },
      podMetricsEndpoints: [
        { port: 'metrics', relabelings: [{ targetLabel: 'job', replacement: 'model-server' }] },
      ],
    });
    expect(named('staging', 'PodMonitor', 'mlflow-run-exporter').spec).toMatchObject({
      podMetricsEndpoints: [{ port: 'metrics' }],
    });
  });

  it('labels the dashboards for the sidecar, with their folder and the cluster datasource', () => {
    const ours = named('staging', 'ConfigMap', 'mlflow-dashboard');
    expect(ours.metadata.labels).toMatchObject({ grafana_dashboard: 'mlflow' });
    expect(ours.metadata.annotations).toEqual({ grafana_folder: 'MLflow' });
    const text = (ours as unknown as { data: Record<string, string> }).data[
      'mlflow-monitoring-dashboard.json'
    ];
    expect(text).toContain('"uid": "thanos"');
    expect(text).not.toContain('"uid": "prometheus"');
    const team = named('prod', 'ConfigMap', 'mlflow-dashboard-team-latency');
    expect(team.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(team.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Team' });
  });

  it('ships the team rule file as its own PrometheusRule, and routes alerts to the AlertmanagerConfig', () => {
    const team = named('prod', 'PrometheusRule', 'mlflow-alerts-rules-team');
    expect(JSON.stringify(team.spec)).toContain('MLflowSlowRequests');
    const ours = named('prod', 'PrometheusRule', 'mlflow-alerts') as unknown as {
      spec: { groups: { rules: { alert: string; labels: Record<string, string> }[] }[] };
    };
    for (const rule of ours.spec.groups.flatMap((group) => group.rules)) {
      expect(rule.labels.namespace, rule.alert).toBe('mlflow');
    }
    expect(named('prod', 'AlertmanagerConfig', 'mlflow-alerts').metadata.namespace).toBe('mlflow');
  });
});

describe('operator mode: checked by the tools that run it', () => {
  it('validates strictly against the prometheus-operator CRD schemas, with no error', async () => {
    const report = await validate({ paths: [root], strict: true, promtool: 'never' });
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
    const kinds = new Set(report.resources.map((result) => result.resource.kind));
    for (const kind of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'AlertmanagerConfig']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
    expect(report.summary.skipped).toBe(0);
  });

  it.each(['prod', 'staging'])(
    '%s: the PrometheusRules pass promtool check rules, and the shipped tests pass',
    async (environment) => {
      const folder = await tempDir('gitops-gen-operator-rules-');
      const rules = objectsOf(environment).filter((object) => object.kind === 'PrometheusRule');
      for (const rule of rules) {
        const file = join(folder, `${rule.metadata.name}.yaml`);
        await writeFile(file, stringify(rule.spec));
        const checked = await runTool('promtool', ['check', 'rules', file], folder);
        expect(checked.code, checked.output).toBe(0);
      }
      const prometheusFolder = join(root, 'overlays', environment, 'prometheus');
      const tests =
        environment === 'prod'
          ? ['alert-rules.test.yml', 'user-rules-team.test.yaml']
          : ['alert-rules.test.yml'];
      const tested = await runTool('promtool', ['test', 'rules', ...tests], prometheusFolder);
      expect(tested.code, tested.output).toBe(0);
      // What promtool tested is what the PrometheusRule holds.
      const shipped = named(environment, 'PrometheusRule', 'mlflow-alerts');
      const file = await readFile(join(prometheusFolder, 'alert-rules.yml'), 'utf8');
      expect(parse(file)).toEqual(shipped.spec);
    },
  );
});
