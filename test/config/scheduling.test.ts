/**
 * The scheduling, storage and ingress keys of issue 15 through the pure entry point
 * resolveEnvironmentSources: what they resolve to, and each mistake the API server (or, for
 * Prometheus, the lack of authentication) would make fatal as one problem at the environment
 * file's line. Shapes of Kubernetes types are checked with the Pod schema `validate` uses.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnvironmentSources, type EnvironmentConfig } from '../../src/config/index.js';
import { InputError, type Problem } from '../../src/errors.js';
import { schedulingOverlayPart } from '../../src/render/overlay-scheduling.js';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { readdir } from 'node:fs/promises';
import { scaffoldEnvironments } from '../../src/config/scaffold.js';

const file = 'environments/team.yaml';

function resolve(lines: string[]): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources([
    { file, name: 'team', text: `${lines.join('\n')}\n` },
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

/** The pod patch rendered for one workload, parsed. */
function patchOf(environment: EnvironmentConfig, name: string): unknown {
  const text = schedulingOverlayPart(environment, ['test']).files.get(`patches/${name}-pod.yaml`);
  return text === undefined ? undefined : parse(text);
}

describe('each scheduling key renders its patch', () => {
  const cases: [string, string[], unknown][] = [
    ['nodeSelector', ['  nodeSelector: { disk: ssd }'], { nodeSelector: { disk: 'ssd' } }],
    [
      'tolerations',
      ['  tolerations: [{ key: gpu, operator: Exists, effect: NoSchedule }]'],
      { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    ],
    [
      'affinity',
      [
        '  affinity:',
        '    podAffinity:',
        '      requiredDuringSchedulingIgnoredDuringExecution:',
        '        - { topologyKey: kubernetes.io/hostname, labelSelector: { matchLabels: { app: mlflow } } }',
      ],
      {
        affinity: {
          $patch: 'replace',
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { app: 'mlflow' } },
              },
            ],
          },
        },
      },
    ],
    [
      'topologySpreadConstraints',
      [
        '  topologySpreadConstraints:',
        '    - { maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule }',
      ],
      {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
          },
        ],
      },
    ],
    [
      'priorityClassName',
      ['  priorityClassName: system-cluster-critical'],
      { priorityClassName: 'system-cluster-critical' },
    ],
    [
      'imagePullSecrets',
      ['  imagePullSecrets: [{ name: regcred }]'],
      { imagePullSecrets: [{ name: 'regcred' }] },
    ],
  ];
  for (const [key, lines, spec] of cases) {
    it(`${key} on kube-state-metrics`, () => {
      const environment = resolve(['tier: dev', 'kubeStateMetrics:', ...lines]);
      expect(patchOf(environment, 'kube-state-metrics')).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'kube-state-metrics' },
        spec: { template: { spec } },
      });
      // Only the workload that sets it.
      expect(patchOf(environment, 'grafana')).toBeUndefined();
    });
  }

  it('podAnnotations and podLabels go into the pod template metadata', () => {
    const environment = resolve([
      'tier: dev',
      'nodeExporter:',
      '  podAnnotations: { example.com/scrape: "false" }',
      '  podLabels: { team: ml, example.com/cost-center: "42" }',
    ]);
    expect(patchOf(environment, 'node-exporter')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-exporter' },
      spec: {
        template: {
          metadata: {
            labels: { team: 'ml', 'example.com/cost-center': '42' },
            annotations: { 'example.com/scrape': 'false' },
          },
          spec: {},
        },
      },
    });
  });

  it('alertmanager: a patch only where Alertmanager is deployed', () => {
    const lines = ['alertmanager:', '  nodeSelector: { disk: ssd }'];
    expect(patchOf(resolve(['tier: staging', ...lines]), 'alertmanager')).toMatchObject({
      kind: 'StatefulSet',
      spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } },
    });
    expect(patchOf(resolve(['tier: dev', ...lines]), 'alertmanager')).toBeUndefined();
  });

  it('grafana.storage pvc: claim, volume, Recreate and fsGroupChangePolicy', () => {
    const environment = resolve(['tier: dev', 'grafana:', '  storage: { type: pvc }']);
    expect(environment.persistence.grafana).toEqual({ type: 'pvc', size: '1Gi' });
    expect(patchOf(environment, 'grafana')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'grafana' },
      spec: {
        strategy: { type: 'Recreate' },
        template: {
          spec: {
            volumes: [
              {
                name: 'storage',
                emptyDir: null,
                persistentVolumeClaim: { claimName: 'grafana-data' },
              },
            ],
            securityContext: { fsGroupChangePolicy: 'OnRootMismatch' },
          },
        },
      },
    });
  });

  it('grafana.storage emptyDir with a size limits the emptyDir only', () => {
    const environment = resolve(['grafana:', '  storage: { type: emptyDir, size: 2Gi }']);
    expect(patchOf(environment, 'grafana')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'grafana' },
      spec: {
        template: { spec: { volumes: [{ name: 'storage', emptyDir: { sizeLimit: '2Gi' } }] } },
      },
    });
    expect(patchOf(resolve(['grafana:', '  storage: { type: emptyDir }']), 'grafana')).toBe(
      undefined,
    );
  });

  it('accepts a wildcard host, as networking/v1 does', () => {
    expect(
      resolve(['grafana:', '  ingress: { host: "*.grafana.example.com" }']).exposure.grafana,
    ).toEqual({ kind: 'Ingress', host: '*.grafana.example.com', annotations: {} });
  });

  it('alertmanager.storage: PVC by default in prod only, settable elsewhere', () => {
    expect(resolve(['tier: prod']).persistence.alertmanager).toEqual({ type: 'pvc', size: '1Gi' });
    expect(resolve(['tier: staging']).persistence.alertmanager).toEqual({
      type: 'emptyDir',
      size: '1Gi',
    });
    expect(
      resolve(['tier: staging', 'alertmanager:', '  storage: { type: pvc, storageClass: fast }'])
        .persistence.alertmanager,
    ).toEqual({ type: 'pvc', size: '1Gi', storageClass: 'fast' });
    expect(
      resolve(['tier: prod', 'alertmanager:', '  storage: { type: emptyDir }']).persistence
        .alertmanager,
    ).toEqual({ type: 'emptyDir', size: '1Gi' });
  });

  it('accepts Prometheus ingresses with an authentication annotation or allowUnauthenticated', () => {
    for (const lines of [
      ['    annotations: { nginx.ingress.kubernetes.io/auth-url: "https://auth.example.com/" }'],
      [
        '    annotations:',
        '      nginx.ingress.kubernetes.io/auth-type: basic',
        '      nginx.ingress.kubernetes.io/auth-secret: prometheus-users',
      ],
      ['    annotations: { alb.ingress.kubernetes.io/auth-type: oidc }'],
      ['    allowUnauthenticated: true'],
    ]) {
      const environment = resolve([
        'prometheus:',
        '  ingress:',
        '    host: p.example.com',
        ...lines,
      ]);
      expect(environment.exposure.prometheus?.host).toBe('p.example.com');
    }
  });
});

describe('bad scheduling, storage and ingress inputs, at the file line', () => {
  it('wrong types (JSON Schema)', () => {
    expect(problem(['grafana:', '  nodeSelector: [ssd]'])).toMatchObject({
      code: 'config/wrong-type',
      file,
      line: 2,
      keyPath: 'grafana.nodeSelector',
    });
    expect(problem(['grafana:', '  podLabels: { team: 42 }'])).toMatchObject({
      code: 'config/wrong-type',
      line: 2,
      keyPath: 'grafana.podLabels.team',
    });
    expect(problem(['prometheus:', '  tolerations: { key: gpu }'])).toMatchObject({
      code: 'config/wrong-type',
      line: 2,
      keyPath: 'prometheus.tolerations',
    });
  });

  it('wrong Kubernetes shapes (the Pod schema), with a hint', () => {
    expect(problem(['prometheus:', '  affinity:', '    nodeAfinity: {}'])).toMatchObject({
      code: 'config/unknown-key',
      line: 3,
      keyPath: 'prometheus.affinity.nodeAfinity',
      hint: 'did you mean `nodeAffinity`?',
    });
    expect(
      problem([
        'kubeStateMetrics:',
        '  tolerations:',
        '    - key: gpu',
        '      tolerationSeconds: soon',
      ]),
    ).toMatchObject({
      code: 'config/wrong-type',
      line: 4,
      keyPath: 'kubeStateMetrics.tolerations.0.tolerationSeconds',
    });
    const missing = problems(['grafana:', '  topologySpreadConstraints:', '    - maxSkew: 1']);
    expect(missing.map((item) => [item.code, item.line, item.message])).toEqual([
      ['config/missing-key', 3, "missing required key `topologyKey` (Kubernetes' Pod schema)"],
      [
        'config/missing-key',
        3,
        "missing required key `whenUnsatisfiable` (Kubernetes' Pod schema)",
      ],
    ]);
    expect(problem(['grafana:', '  imagePullSecrets: [{ secret: regcred }]'])).toMatchObject({
      code: 'config/unknown-key',
      line: 2,
      keyPath: 'grafana.imagePullSecrets.0.secret',
    });
  });

  it('podLabels that override the labels gitops-gen sets', () => {
    const selector = problem([
      'grafana:',
      '  podLabels:',
      '    app.kubernetes.io/name: dashboards',
    ]);
    expect(selector).toMatchObject({
      code: 'config/reserved-label',
      file,
      line: 3,
      keyPath: 'grafana.podLabels.app.kubernetes.io/name',
    });
    expect(selector.message).toContain('selector label of grafana');
    expect(
      problem(['alertmanager:', '  podLabels: { app.kubernetes.io/instance: blue }']),
    ).toMatchObject({ code: 'config/reserved-label', line: 2 });
  });

  it('invalid label and annotation keys and values', () => {
    expect(problem(['prometheus:', '  podLabels: { "bad key": x }'])).toMatchObject({
      code: 'config/invalid-label-key',
      line: 2,
    });
    expect(problem(['prometheus:', '  nodeSelector: { disk: "not valid!" }'])).toMatchObject({
      code: 'config/invalid-label-value',
      line: 2,
    });
    expect(problem(['prometheus:', '  podAnnotations: { "/x": y }'])).toMatchObject({
      code: 'config/invalid-annotation-key',
      line: 2,
    });
    expect(problem(['prometheus:', '  priorityClassName: High_Priority'])).toMatchObject({
      code: 'config/invalid-priority-class',
      line: 2,
    });
  });

  it('an ingress without host, or with a bad one', () => {
    expect(problem(['grafana:', '  ingress:', '    className: nginx'])).toMatchObject({
      code: 'config/missing-key',
      file,
      line: 3,
      keyPath: 'grafana.ingress',
    });
    expect(
      problem(['grafana:', '  ingress:', '    host: https://grafana.example.com/']),
    ).toMatchObject({ code: 'config/invalid-host', line: 3, keyPath: 'grafana.ingress.host' });
  });

  it('HTTPRoute without parentRefs, or with Ingress-only keys', () => {
    expect(
      problem(['grafana:', '  ingress:', '    kind: HTTPRoute', '    host: g.example.com']),
    ).toMatchObject({ code: 'config/missing-key', line: 3, keyPath: 'grafana.ingress.kind' });
    expect(
      problem([
        'grafana:',
        '  ingress:',
        '    kind: HTTPRoute',
        '    host: g.example.com',
        '    parentRefs: [{ name: gw }]',
        '    tlsSecretName: grafana-tls',
      ]),
    ).toMatchObject({ code: 'config/ingress-field-needs-kind', line: 6 });
    expect(
      problem([
        'grafana:',
        '  ingress:',
        '    host: g.example.com',
        '    parentRefs: [{ name: gw }]',
      ]),
    ).toMatchObject({ code: 'config/ingress-field-needs-kind', line: 4 });
  });

  it('a Prometheus ingress without authentication or allowUnauthenticated', () => {
    const found = problem([
      'prometheus:',
      '  ingress:',
      '    host: prometheus.example.com',
      '    annotations: { nginx.ingress.kubernetes.io/auth-type: basic }',
    ]);
    expect(found).toMatchObject({
      code: 'config/unauthenticated-ingress',
      file,
      line: 3,
      keyPath: 'prometheus.ingress.host',
    });
    expect(found.hint).toContain('allowUnauthenticated: true');
    expect(
      problem([
        'prometheus:',
        '  ingress:',
        '    kind: HTTPRoute',
        '    host: prometheus.example.com',
        '    parentRefs: [{ name: gw }]',
      ]),
    ).toMatchObject({ code: 'config/unauthenticated-ingress', line: 4 });
  });

  it('a Grafana PVC with more than one replica, and a storageClass on an emptyDir', () => {
    expect(
      problem(['tier: dev', 'grafana:', '  replicas: 2', '  storage: { type: pvc }']),
    ).toMatchObject({
      code: 'config/grafana-pvc-replicas',
      line: 4,
      keyPath: 'grafana.storage.type',
    });
    expect(
      problem(['tier: prod', 'alertmanager:', '  storage: { type: emptyDir, storageClass: fast }']),
    ).toMatchObject({ code: 'config/storage-class-needs-pvc', line: 3 });
  });

  it('render: exit 2, file:line and hint on stderr, nothing written', async () => {
    const root = await tempDir();
    await writeFiles(root, {
      'environments/dev.yaml': 'grafana:\n  podLabels:\n    app.kubernetes.io/name: x\n',
    });
    const result = await runCli(['render'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environments/dev.yaml:3:');
    expect(result.stderr).toContain('hint: remove it');
    expect(await readdir(root)).toEqual(['environments']);
  });
});

describe('the example `init` writes', () => {
  it('resolves once uncommented', () => {
    const text = scaffoldEnvironments(['prod']).get('prod.yaml') ?? '';
    const lines = text
      .split('\n')
      .filter((line) => !line.startsWith('# grafana: { additionalDashboards'))
      .map((line) =>
        line
          .replace(/^ {2}# (ingress|nodeSelector|storage):/, '  $1:')
          .replace(/^# (grafana: \{ storage)/, '$1'),
      );
    expect(
      lines.filter((line) => /^ {2}(ingress|nodeSelector|storage):|^grafana:/.test(line)),
    ).toHaveLength(5);
    const environment = resolve(lines);
    expect(environment.exposure.prometheus?.host).toBe('prometheus.example.com');
    expect(environment.exposure.grafana?.host).toBe('grafana.example.com');
    expect(environment.scheduling.prometheus.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(environment.persistence).toEqual({
      alertmanager: { type: 'pvc', size: '1Gi' },
      grafana: { type: 'pvc', size: '1Gi' },
    });
  });
});
