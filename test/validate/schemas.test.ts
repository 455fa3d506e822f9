/**
 * The generated JSON Schemas (scripts/generate-schemas.mjs) and their loader
 * (src/validate/schemas.ts): built-in kinds and CRDs validate when correct, report unknown fields,
 * wrong types, missing required fields and values outside an enum, accept nulls for optional
 * fields like the API server, and every object of the rendered trees is valid in strict mode.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Ajv, type ErrorObject } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadSchemaBundles,
  SchemaValidator,
  type SchemaBundle,
} from '../../src/validate/schemas.js';
import { kustomizeBuild } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const projectRoot = join(import.meta.dirname, '..', '..');

type Manifest = Record<string, unknown>;

let bundles: SchemaBundle[];
let strict: SchemaValidator;
let lenient: SchemaValidator;

beforeAll(() => {
  bundles = loadSchemaBundles();
  strict = new SchemaValidator({ bundles, strict: true });
  lenient = new SchemaValidator({ bundles, strict: false });
});

function errorsOf(validator: SchemaValidator, object: Manifest): ErrorObject[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw new Error('no kind');
  const validate = validator.validatorFor(apiVersion, kind);
  if (!validate) throw new Error(`no schema for ${apiVersion}/${kind}`);
  return validate(object) ? [] : [...(validate.errors ?? [])];
}

/** `instancePath keyword detail` of each error, for readable assertions. */
function summary(errors: readonly ErrorObject[]): string[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const detail: unknown =
      params.additionalProperty ?? params.missingProperty ?? params.type ?? params.format ?? '';
    const text = typeof detail === 'string' ? detail : (detail as string[]).join(',');
    return `${error.instancePath} ${error.keyword} ${text}`.trim();
  });
}

const metadata = { name: 'example', namespace: 'monitoring' };

function deployment(): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...metadata,
      labels: { 'app.kubernetes.io/name': 'grafana', 'any key/with.odd_chars': 'x' },
      annotations: { 'checksum/config': 'abc', 'prometheus.io/port': '3000' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'grafana' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'grafana' } },
        spec: {
          containers: [
            {
              name: 'grafana',
              image: 'grafana/grafana:13.2.0',
              ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }],
              env: [{ name: 'GF_PATHS_DATA', value: '/var/lib/grafana' }],
              resources: {
                requests: { cpu: '100m', memory: '256Mi' },
                limits: { cpu: 1, memory: '1Gi' },
              },
              readinessProbe: { httpGet: { path: '/api/health', port: 'http' } },
              livenessProbe: { tcpSocket: { port: 3000 }, initialDelaySeconds: 10 },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/grafana' }],
            },
          ],
          securityContext: { runAsNonRoot: true, fsGroup: 472 },
          volumes: [{ name: 'data', emptyDir: { sizeLimit: '2Gi' } }],
        },
      },
    },
  };
}

/** The first container of a Deployment from `deployment()`. */
function container(object: Manifest): Manifest {
  const spec = object.spec as { template: { spec: { containers: Manifest[] } } };
  const first = spec.template.spec.containers[0];
  if (!first) throw new Error('no container');
  return first;
}

const service: Manifest = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata,
  spec: {
    type: 'NodePort',
    selector: { app: 'grafana' },
    ports: [
      { name: 'http', port: 3000, targetPort: 'http', nodePort: 30300 },
      { name: 'metrics', port: 8080, targetPort: 8080 },
    ],
  },
};

const configMap: Manifest = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata,
  data: { 'prometheus.yml': 'global: {}\n', 'any.key-name_1': '', 'dashboard.json': '{}' },
};

const statefulSet: Manifest = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata,
  spec: {
    serviceName: 'prometheus',
    replicas: 2,
    selector: { matchLabels: { app: 'prometheus' } },
    template: {
      metadata: { labels: { app: 'prometheus' } },
      spec: {
        containers: [
          {
            name: 'prometheus',
            image: 'prom/prometheus:v3.5.5',
            args: ['--storage.tsdb.retention.time=30d'],
            volumeMounts: [{ name: 'data', mountPath: '/prometheus' }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fast-ssd',
          resources: { requests: { storage: '50Gi' } },
        },
      },
    ],
  },
};

const clusterRole: Manifest = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'mlflow-prod-prometheus' },
  rules: [
    { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
    { nonResourceURLs: ['/metrics'], verbs: ['get'] },
  ],
};

describe('generated bundles', () => {
  it('hold the built-in kinds of Kubernetes 1.36 and the CRD kinds', () => {
    const [kubernetes, crds] = bundles;
    expect(kubernetes?.kubernetesVersion).toBe('1.36');
    expect(kubernetes?.source).toContain('@kubernetes/client-node@');
    expect(crds?.source).toContain('@kubernetes-models/argo-cd@');
    const kinds = strict.knownKinds();
    expect(kinds).toEqual([...kinds].sort());
    for (const key of [
      'v1/Service',
      'v1/ServiceList',
      'v1/List',
      'v1/Event',
      'events.k8s.io/v1/Event',
      'apps/v1/Deployment',
      'apps/v1/DeploymentList',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'policy/v1/PodDisruptionBudget',
      'argoproj.io/v1alpha1/Application',
      'argoproj.io/v1alpha1/AppProject',
      'argoproj.io/v1alpha1/ApplicationSet',
      'source.toolkit.fluxcd.io/v1/GitRepository',
      'kustomize.toolkit.fluxcd.io/v1/Kustomization',
      'helm.toolkit.fluxcd.io/v2/HelmRelease',
      'monitoring.coreos.com/v1/PrometheusRule',
      'monitoring.coreos.com/v1/ServiceMonitor',
      'monitoring.coreos.com/v1/PodMonitor',
      'external-secrets.io/v1/ExternalSecret',
      'external-secrets.io/v1beta1/ExternalSecret',
      'external-secrets.io/v1/SecretStore',
      'external-secrets.io/v1/ClusterSecretStore',
      'bitnami.com/v1alpha1/SealedSecret',
    ]) {
      expect(kinds, key).toContain(key);
    }
    // Subresources are not kinds.
    expect(kinds).not.toContain('autoscaling/v1/Scale');
    expect(strict.hasKind('apps/v1', 'Deployment')).toBe(true);
    expect(strict.hasKind('apps/v1beta1', 'Deployment')).toBe(false);
    expect(strict.validatorFor('example.com/v1', 'Widget')).toBeUndefined();
  });

  it('mark strict objects and keep maps open', () => {
    const definitions = bundles[0]?.definitions ?? {};
    expect(definitions.V1Container).toMatchObject({
      additionalProperties: false,
      'x-gitops-gen-strict': true,
      required: ['name'],
    });
    const objectMeta = definitions.V1ObjectMeta as { properties: Record<string, unknown> };
    expect(objectMeta.properties.labels).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
  });

  it('are valid draft-07 and every kind compiles, strict or not', () => {
    const ajv = new Ajv({ strict: false });
    for (const bundle of bundles) {
      expect(ajv.validateSchema({ definitions: bundle.definitions }), bundle.source).toBe(true);
    }
    for (const validator of [strict, lenient]) {
      for (const key of validator.knownKinds()) {
        const kind = key.slice(key.lastIndexOf('/') + 1);
        const apiVersion = key.slice(0, key.lastIndexOf('/'));
        expect(typeof validator.validatorFor(apiVersion, kind), key).toBe('function');
      }
    }
  });

  it('load from a directory and explain a missing one', async () => {
    const directory = join(projectRoot, 'generated', 'schemas');
    expect(loadSchemaBundles({ directory }).map((bundle) => bundle.source)).toEqual(
      bundles.map((bundle) => bundle.source),
    );
    const empty = await tempDir();
    expect(() => loadSchemaBundles({ directory: empty })).toThrow(/npm run build/);
  });
});

describe('built-in kinds', () => {
  it.each([
    ['Deployment', deployment()],
    ['Service', service],
    ['ConfigMap', configMap],
    ['StatefulSet', statefulSet],
    ['ClusterRole', clusterRole],
  ])('a valid %s passes', (_kind, object) => {
    expect(summary(errorsOf(strict, object))).toEqual([]);
  });

  it('reports an unknown field at its object in strict mode only', () => {
    const object = deployment();
    const first = container(object);
    first.resorces = first.resources;
    delete first.resources;
    const errors = errorsOf(strict, object);
    expect(summary(errors)).toEqual([
      '/spec/template/spec/containers/0 additionalProperties resorces',
    ]);
    expect(errors[0]?.instancePath).toBe('/spec/template/spec/containers/0');
    expect(errorsOf(lenient, object)).toEqual([]);
  });

  it('reports wrong types', () => {
    const object = deployment();
    (object.spec as Manifest).replicas = '2';
    container(object).ports = [{ containerPort: '3000' }];
    expect(summary(errorsOf(strict, object))).toEqual([
      '/spec/replicas type integer',
      '/spec/template/spec/containers/0/ports/0/containerPort type integer',
    ]);
    expect(summary(errorsOf(lenient, object))).toHaveLength(2);
  });

  it('reports a missing required field', () => {
    const object = deployment();
    delete container(object).name;
    expect(summary(errorsOf(strict, object))).toEqual([
      '/spec/template/spec/containers/0 required name',
    ]);
  });

  it('accepts int-or-string as a number or a name, nothing else', () => {
    const withTargetPort = (targetPort: unknown): Manifest => ({
      ...service,
      spec: { ports: [{ port: 80, targetPort }] },
    });
    expect(errorsOf(strict, withTargetPort(8080))).toEqual([]);
    expect(errorsOf(strict, withTargetPort('http'))).toEqual([]);
    expect(summary(errorsOf(strict, withTargetPort(true)))).toEqual([
      '/spec/ports/0/targetPort type integer,string,null',
    ]);
  });

  it('accepts quantities as numbers or strings', () => {
    const object = deployment();
    container(object).resources = { limits: { cpu: 0.5, memory: 1073741824 } };
    expect(errorsOf(strict, object)).toEqual([]);
  });

  it('accepts a null for an optional field and refuses one for a required field', () => {
    const object = deployment();
    object.metadata = { ...metadata, creationTimestamp: null, labels: null };
    const spec = object.spec as Manifest;
    spec.replicas = null;
    spec.strategy = null;
    expect(errorsOf(strict, object)).toEqual([]);
    container(object).name = null;
    spec.selector = null;
    expect(summary(errorsOf(strict, object))).toEqual([
      '/spec/selector type object',
      '/spec/template/spec/containers/0/name type string',
    ]);
  });

  it('checks formats: timestamps, base64 data, int32 ranges', () => {
    const secret: Manifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...metadata, creationTimestamp: '2025-01-02T03:04:05Z' },
      data: { password: 'c2VjcmV0' },
      stringData: { user: 'admin' },
    };
    expect(errorsOf(strict, secret)).toEqual([]);
    secret.metadata = { ...metadata, creationTimestamp: 'yesterday' };
    secret.data = { password: 'not base64!' };
    expect(summary(errorsOf(strict, secret))).toEqual([
      '/data/password format byte',
      '/metadata/creationTimestamp format date-time',
    ]);
    expect(summary(errorsOf(strict, { ...service, spec: { ports: [{ port: 2 ** 31 }] } }))).toEqual(
      ['/spec/ports/0/port maximum'],
    );
  });

  it('validates a List and the generic v1 List', () => {
    expect(
      errorsOf(strict, { apiVersion: 'v1', kind: 'List', items: [service, configMap] }),
    ).toEqual([]);
    expect(
      summary(errorsOf(strict, { apiVersion: 'v1', kind: 'ServiceList', items: [configMap] })),
    ).toEqual(['/items/0 additionalProperties data']);
  });

  it('compiles a kind once', () => {
    expect(strict.validatorFor('apps/v1', 'Deployment')).toBe(
      strict.validatorFor('apps/v1', 'Deployment'),
    );
  });
});

const crds: [string, Manifest][] = [
  [
    'Argo CD Application',
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'monitoring', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://git.example.com/ops.git',
          targetRevision: 'main',
          path: 'overlays/prod',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'mlflow-prod' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=true'],
        },
      },
    },
  ],
  [
    'Argo CD AppProject',
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'monitoring', namespace: 'argocd' },
      spec: {
        sourceRepos: ['https://git.example.com/ops.git'],
        destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'mlflow-*' }],
        clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }],
      },
    },
  ],
  [
    'Argo CD ApplicationSet',
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'monitoring', namespace: 'argocd' },
      spec: {
        generators: [{ list: { elements: [{ env: 'dev' }, { env: 'prod' }] } }],
        template: {
          metadata: { name: 'monitoring-{{env}}' },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example.com/ops.git', path: 'overlays/{{env}}' },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'mlflow-{{env}}' },
          },
        },
      },
    },
  ],
  [
    'Flux GitRepository',
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'ops', namespace: 'flux-system' },
      spec: { interval: '1m', url: 'https://git.example.com/ops.git', ref: { branch: 'main' } },
    },
  ],
  [
    'Flux Kustomization',
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'monitoring', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        path: './overlays/prod',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'ops' },
      },
    },
  ],
  [
    'Flux HelmRelease',
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'mlflow', namespace: 'mlflow-prod' },
      spec: {
        interval: '5m',
        chart: {
          spec: {
            chart: 'mlflow',
            version: '1.x',
            sourceRef: { kind: 'HelmRepository', name: 'c' },
          },
        },
        // Helm values are free-form.
        values: { replicaCount: 2, anything: { nested: [1, 'two'] } },
      },
    },
  ],
  [
    'PrometheusRule',
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata,
      spec: {
        groups: [
          {
            name: 'mlflow.rules',
            rules: [
              {
                alert: 'MLflowServerDown',
                expr: 'up{job="mlflow-server"} == 0',
                for: '1m',
                labels: { severity: 'critical' },
                annotations: { summary: 'MLflow is down' },
              },
            ],
          },
        ],
      },
    },
  ],
  [
    'ServiceMonitor',
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata,
      spec: {
        selector: { matchLabels: { app: 'mlflow' } },
        endpoints: [{ port: 'http', path: '/metrics', interval: '10s' }],
      },
    },
  ],
  [
    'ExternalSecret v1',
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata,
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: { name: 'grafana-admin', creationPolicy: 'Owner' },
        data: [
          {
            secretKey: 'admin-password',
            remoteRef: { key: 'mlflow/grafana-admin', property: 'password' },
          },
        ],
      },
    },
  ],
  [
    'SealedSecret',
    {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata,
      spec: {
        encryptedData: { 'admin-password': 'AgCt8Yz2kQ1vF0n9uRmW3w==' },
        template: { metadata: { name: 'grafana-admin' }, type: 'Opaque' },
      },
    },
  ],
];

describe('CRDs', () => {
  it.each(crds)('a valid %s passes', (_name, object) => {
    expect(summary(errorsOf(strict, object))).toEqual([]);
  });

  it.each(crds)('%s: an unknown spec field is reported', (_name, object) => {
    const spec = object.spec as Manifest;
    const broken = { ...object, spec: { ...spec, sorce: spec.source ?? 'x' } };
    expect(summary(errorsOf(strict, broken))).toEqual(['/spec additionalProperties sorce']);
    expect(errorsOf(lenient, broken)).toEqual([]);
  });

  it('reports a value outside a string-literal union', () => {
    const externalSecret = crds.find(([name]) => name === 'ExternalSecret v1')?.[1];
    if (!externalSecret) throw new Error('no ExternalSecret');
    const spec = externalSecret.spec as Manifest;
    const broken = {
      ...externalSecret,
      spec: { ...spec, target: { name: 'grafana-admin', creationPolicy: 'Always' } },
    };
    const errors = errorsOf(strict, broken);
    expect(summary(errors)).toEqual(['/spec/target/creationPolicy enum']);
    expect(errors[0]?.params).toEqual({
      allowedValues: ['Merge', 'None', 'Orphan', 'Owner', null],
    });
  });

  it('checks apiVersion against the kind', () => {
    const application = crds[0]?.[1] ?? {};
    const validate = strict.validatorFor('argoproj.io/v1alpha1', 'Application');
    expect(validate?.({ ...application, apiVersion: 'argoproj.io/v1' })).toBe(false);
  });
});

describe('rendered trees', () => {
  const overlays = async (root: string): Promise<string[]> =>
    (await readdir(root)).sort().map((name) => join(root, name));

  it('every object of overlays/prod has a schema and is valid in strict mode', async () => {
    const objects = await kustomizeBuild(join(projectRoot, 'overlays', 'prod'));
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const where = `${object.apiVersion}/${object.kind} ${object.metadata.name}`;
      expect(strict.hasKind(object.apiVersion, object.kind), where).toBe(true);
      expect(summary(errorsOf(strict, object)), where).toEqual([]);
    }
  });

  it('so is every object of the other overlays and of the golden tree', async () => {
    const folders = [
      ...(await overlays(join(projectRoot, 'overlays'))),
      ...(await overlays(join(projectRoot, 'test', 'fixtures', 'golden', 'custom', 'overlays'))),
    ];
    const kinds = new Set<string>();
    for (const folder of folders) {
      for (const object of await kustomizeBuild(folder)) {
        kinds.add(object.kind);
        const where = `${folder}: ${object.apiVersion}/${object.kind} ${object.metadata.name}`;
        expect(summary(errorsOf(strict, object)), where).toEqual([]);
      }
    }
    expect(kinds).toContain('ExternalSecret');
    expect(kinds).toContain('SealedSecret');
  });
});

describe('cost', () => {
  it('loads, compiles a Deployment on first use and then only validates', () => {
    const loadStart = performance.now();
    const fresh = new SchemaValidator({ bundles: loadSchemaBundles(), strict: true });
    const loaded = performance.now();
    const object = deployment();
    const validate = fresh.validatorFor('apps/v1', 'Deployment');
    expect(validate?.(object)).toBe(true);
    const first = performance.now();
    let last = first;
    for (let round = 2; round <= 1000; round += 1) {
      const start = performance.now();
      expect(fresh.validatorFor('apps/v1', 'Deployment')?.(object)).toBe(true);
      last = performance.now() - start;
    }
    console.info(
      `schemas: load ${(loaded - loadStart).toFixed(1)} ms, first Deployment (compile + ` +
        `validate) ${(first - loaded).toFixed(1)} ms, 1000th ${(last * 1000).toFixed(0)} µs`,
    );
  });
});

describe('generator', () => {
  it('writes the same bytes twice', async () => {
    const [first, second] = [await tempDir(), await tempDir()];
    const script = join(projectRoot, 'scripts', 'generate-schemas.mjs');
    for (const directory of [first, second]) {
      const { stdout } = await execFileAsync(process.execPath, [script, directory]);
      expect(stdout).toMatch(/kubernetes\.json .* definitions, \d+ kinds.*crds\.json.* ms\n$/);
    }
    for (const file of ['kubernetes.json', 'crds.json']) {
      const [a, b] = await Promise.all([readFile(join(first, file)), readFile(join(second, file))]);
      expect(a.equals(b), file).toBe(true);
    }
    // Two full generator runs (the TypeScript compiler reads every CRD package twice).
  }, 180_000);
});

describe('precompiled validators', () => {
  it('agree with freshly compiled ones, and know the allowed keys for hints', async () => {
    // The build (npm ci runs it) writes them; without them this test would prove nothing.
    expect(existsSync(join(projectRoot, 'generated', 'validators', 'index.json'))).toBe(true);
    const precompiled = new SchemaValidator({ bundles, strict: true });
    const cases: Manifest[] = [
      deployment(),
      {
        ...deployment(),
        spec: {
          replicas: '2',
          selector: {},
          template: { spec: { containers: [{ resorces: {} }] } },
        },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { ports: [{ port: 2 ** 31 }] },
      },
    ];
    await precompiled.preload(
      cases.map((object) => `${String(object.apiVersion)}/${String(object.kind)}`),
    );
    for (const object of cases) {
      expect(summary(errorsOf(precompiled, object))).toEqual(summary(errorsOf(strict, object)));
    }
    expect(
      precompiled.allowedKeys('apps/v1', 'Deployment', [
        'spec',
        'template',
        'spec',
        'containers',
        0,
      ]),
    ).toContain('resources');
  });
});
