/**
 * Real repositories hold more than manifests: Helm charts, CI workflows, tool configurations,
 * kustomization inputs; and their monitors and targets sit in different files. Each case of
 * test/fixtures/validate-real/ says in its README.md what it must produce and which rule of
 * Kubernetes, kustomize, Helm or the Prometheus Operator decides it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type Finding, type ValidationReport } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const cases = join(import.meta.dirname, '..', 'fixtures', 'validate-real');

async function check(paths: string[], exclude: string[] = []): Promise<ValidationReport> {
  return validate({ paths, promtool: 'never', displayRoot: cases, exclude });
}

const codes = (findings: readonly Finding[]): string[] =>
  findings.map((finding) => `${finding.severity} ${finding.code} ${finding.file ?? ''}`).sort();

const errors = (report: ValidationReport): string[] =>
  codes(report.findings.filter((finding) => finding.severity === 'error'));

const monitorMisses = (report: ValidationReport): string[] =>
  report.findings
    .filter((finding) => finding.code === 'catalogue/monitor-selects-nothing')
    .map((finding) => `${finding.file ?? ''}:${finding.line ?? '?'}`)
    .sort();

describe('files that are not manifests', () => {
  it('skips a Helm chart whole, with one notice, and reads what lies beside it', async () => {
    const report = await check([join(cases, 'helm-chart')]);
    expect(codes(report.findings)).toEqual([
      'info input/helm-chart-skipped helm-chart/podinfo/Chart.yaml',
    ]);
    expect(report.summary).toMatchObject({ resources: 1, valid: 1, errors: 0, warnings: 0 });
    // A chart given by itself: the same single notice.
    const alone = await check([join(cases, 'helm-chart', 'podinfo')]);
    expect(codes(alone.findings)).toEqual([
      'info input/helm-chart-skipped helm-chart/podinfo/Chart.yaml',
    ]);
  });

  it('never reports workflows, pre-commit, renovate, sops, compose, mkdocs or kustomizeconfig files', async () => {
    const report = await check([join(cases, 'tool-configs')]);
    expect(codes(report.findings)).toEqual(
      [
        'argocd/plugin.yaml',
        'docker-compose.yml',
        'grafana/datasources.yaml',
        'kustomizeconfig/kustomizeconfig.yaml',
        'mkdocs.yml',
        'renovate.json',
      ].map((file) => `info input/not-a-manifest tool-configs/${file}`),
    );
    expect(report.summary).toMatchObject({ resources: 1, errors: 0, warnings: 0 });
    const plugin = report.findings.find((finding) => finding.file?.endsWith('plugin.yaml'));
    expect(plugin?.message).toContain("Argo CD's plugin sidecar");
  });

  it('reads patches and generator files through their kustomization only', async () => {
    const report = await check([join(cases, 'kustomize-inputs')]);
    expect(report.findings.filter((finding) => finding.severity !== 'info')).toEqual([]);
    expect(report.resources.map((result) => result.resource.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
    ]);
  });

  it('still reports a kind-less document in a file that holds objects', async () => {
    const report = await check([join(cases, 'mixed-kindless', 'app.yaml')]);
    expect(report.findings).toMatchObject([
      { code: 'document/missing-type', severity: 'error', line: 8, document: 1 },
    ]);
    // A tool's configuration inside a manifest file is a mistake too: kubectl apply fails.
    const dir = await tempDir();
    await writeFiles(dir, {
      'mixed.yaml': `${await readFile(join(cases, 'mixed-kindless', 'app.yaml'), 'utf8')}---\n${await readFile(join(cases, 'tool-configs', 'argocd', 'plugin.yaml'), 'utf8')}`,
    });
    const mixed = await validate({ paths: [join(dir, 'mixed.yaml')], promtool: 'never' });
    expect(codes(mixed.findings).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'error document/missing-type',
      'error input/not-an-api-object',
    ]);
  });

  it('reads a file of foreign documents from standard input as one notice', async () => {
    const report = await validate({
      paths: ['-'],
      readStdin: () => Promise.resolve('name: ci\non: [push]\n---\nsite_name: docs\n'),
      promtool: 'never',
    });
    expect(report.findings).toMatchObject([
      { code: 'input/not-a-manifest', severity: 'info', file: '<stdin>' },
    ]);
  });
});

describe('--exclude and .gitops-gen-ignore', () => {
  const folder = join(cases, 'ignore-files');

  it('honours ignore files in the folder and its subfolders, with negation', async () => {
    const report = await check([folder]);
    expect(errors(report)).toEqual([
      'error schema/wrong-type ignore-files/app/keep.draft.yaml',
      'error schema/wrong-type ignore-files/team/special.draft.yaml',
    ]);
    const read = report.resources.map((result) => result.resource.name).sort();
    expect(read).toEqual(['app', 'broken-keep', 'broken-special', 'current']);
  });

  it('--exclude adds gitignore-style patterns relative to the folder given, last', async () => {
    const report = await check([folder], ['app/keep.draft.yaml', 'team/']);
    expect(errors(report)).toEqual([]);
    expect(report.resources.map((result) => result.resource.name)).toEqual(['app']);
    // Negation in --exclude re-includes what an ignore file left out.
    const back = await check([folder], ['!wip.draft.yaml']);
    expect(errors(back)).toContain('error schema/wrong-type ignore-files/app/wip.draft.yaml');
  });

  it('is a repeatable CLI flag', async () => {
    const result = await runCli(
      [
        'validate',
        '--promtool',
        'never',
        '--exclude',
        'app/keep.draft.yaml',
        '--exclude',
        'team/special.draft.yaml',
        'ignore-files',
      ],
      cases,
    );
    expect(result.stdout).toBe(
      '2 resources, 2 valid, 0 invalid, 0 errors, 0 warnings, 0 skipped\n',
    );
    expect(result.code).toBe(0);
    const listed = await runCli(['validate', '--help'], cases);
    expect(listed.stdout).toContain('--exclude <glob>');
  });
});

describe('monitors and their targets across files and builds', () => {
  it('is silent for a ServiceMonitor and a PodMonitor whose targets are in other loose files', async () => {
    const report = await check([join(cases, 'monitors-loose')]);
    expect(monitorMisses(report)).toEqual([]);
    expect(errors(report)).toEqual([]);
  });

  it('still reports a ServiceMonitor that selects nothing anywhere', async () => {
    const report = await check([join(cases, 'monitors-miss')]);
    expect(monitorMisses(report)).toEqual(['monitors-miss/servicemonitor.yaml:7']);
  });

  it('searches the namespaces namespaceSelector names: any, matchNames, else its own', async () => {
    const report = await check([join(cases, 'monitors-namespaces')]);
    expect(monitorMisses(report)).toEqual([
      'monitors-namespaces/own-namespace.yaml:7',
      'monitors-namespaces/wrong-names.yaml:7',
    ]);
  });

  it('knows the Services a cluster and the Prometheus Operator provide by themselves', async () => {
    const report = await check([join(cases, 'control-plane')]);
    const misses = report.findings.filter(
      (finding) => finding.code === 'catalogue/monitor-selects-nothing',
    );
    expect(misses.map((finding) => finding.resource?.name)).toEqual(['kube-scheduler']);
    // Without the operator's --kubelet-service, nobody keeps the kubelet Service.
    const alone = await check([join(cases, 'control-plane', 'service-monitors.yaml')]);
    expect(
      alone.findings
        .filter((finding) => finding.code === 'catalogue/monitor-selects-nothing')
        .map((finding) => finding.resource?.name)
        .sort(),
    ).toEqual(['kube-scheduler', 'kubelet']);
  });

  const service = `apiVersion: v1
kind: Service
metadata:
  name: prometheus
  namespace: monitoring
  labels: { app: prometheus }
spec:
  type: NodePort
  selector: { app: prometheus }
  ports: [{ name: web, port: 9090, nodePort: 30090 }]
`;
  const monitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: prometheus
  namespace: monitoring
spec:
  selector:
    matchLabels: { app: prometheus }
  endpoints: [{ port: web }]
`;
  const prometheus = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: prometheus
  namespace: monitoring
spec:
  selector:
    matchLabels: { app: prometheus }
  template:
    metadata:
      labels: { app: prometheus }
    spec:
      containers:
        - name: prometheus
          image: quay.io/prometheus/prometheus:v3.5.5
          args: [--web.enable-lifecycle]
`;
  const kustomization = (resource: string): string =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${resource}]\n`;

  it('matches a monitor of one kustomization with a Service of another given together', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'apps/kustomization.yaml': kustomization('service.yaml'),
      'apps/service.yaml': service
        .replace('type: NodePort', 'type: ClusterIP')
        .replace(/, nodePort: \d+/, ''),
      'monitoring/kustomization.yaml': kustomization('monitor.yaml'),
      'monitoring/monitor.yaml': monitor,
    });
    const together = await validate({ paths: [dir], promtool: 'never' });
    expect(monitorMisses(together)).toEqual([]);
    const apart = await validate({ paths: [join(dir, 'monitoring')], promtool: 'never' });
    expect(monitorMisses(apart)).toHaveLength(1);
  });

  it('pairs an exposing Service with a workload within one build or the loose files only', async () => {
    const lifecycle = 'policy/prometheus-lifecycle-not-exposed';
    const dir = await tempDir();
    await writeFiles(dir, {
      'loose/service.yaml': service,
      'loose/prometheus.yaml': prometheus,
      'dev/kustomization.yaml': kustomization('service.yaml'),
      'dev/service.yaml': service,
      'prod/kustomization.yaml': kustomization('prometheus.yaml'),
      'prod/prometheus.yaml': prometheus,
    });
    const loose = await validate({ paths: [join(dir, 'loose')], promtool: 'never' });
    expect(loose.findings.filter((finding) => finding.code === lifecycle)).toHaveLength(1);
    // Two overlays usually go to two clusters: dev's NodePort does not expose prod's Prometheus.
    const overlays = await validate({
      paths: [join(dir, 'dev'), join(dir, 'prod')],
      promtool: 'never',
    });
    expect(overlays.findings.filter((finding) => finding.code === lifecycle)).toEqual([]);
  });
});
