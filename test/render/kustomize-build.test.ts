/**
 * Integration: renders the built-in environments, builds every overlay with the real
 * `kubectl kustomize`, and checks the objects a cluster would receive.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../src/index.js';
import { specAlertNames } from '../../src/stack/index.js';
import { findObject, kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp.js';

interface Expected {
  namespace: string;
  replicas: number;
  retention: string;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  storage: 'emptyDir' | 'pvc';
  nodePorts: { prometheus: number; grafana: number };
}

const expected: Record<string, Expected> = {
  dev: {
    namespace: 'mlflow-dev',
    replicas: 1,
    retention: '2d',
    requests: { cpu: '100m', memory: '256Mi' },
    limits: { cpu: '500m', memory: '1Gi' },
    storage: 'emptyDir',
    nodePorts: { prometheus: 30092, grafana: 30302 },
  },
  staging: {
    namespace: 'mlflow-staging',
    replicas: 1,
    retention: '7d',
    requests: { cpu: '250m', memory: '1Gi' },
    limits: { cpu: '1000m', memory: '2Gi' },
    storage: 'pvc',
    nodePorts: { prometheus: 30091, grafana: 30301 },
  },
  prod: {
    namespace: 'mlflow-prod',
    replicas: 2,
    retention: '30d',
    requests: { cpu: '500m', memory: '2Gi' },
    limits: { cpu: '2000m', memory: '4Gi' },
    storage: 'pvc',
    nodePorts: { prometheus: 30090, grafana: 30300 },
  },
};

const specJobs = [
  'mlflow-server',
  'model-server',
  'prometheus',
  'kubernetes-apiservers',
  'kubernetes-nodes',
  'kubernetes-pods',
];

type Json = Record<string, unknown>;
const field = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (current, key) => (current as Record<string | number, unknown> | undefined)?.[key],
    value,
  );

let root: string;
const builds = new Map<string, BuiltObject[]>();

beforeAll(async () => {
  root = await tempDir();
  await render({ configDir: join(root, 'no-such-folder'), outDir: root });
  for (const name of Object.keys(expected)) {
    builds.set(name, await kustomizeBuild(join(root, 'overlays', name)));
  }
});

describe.each(Object.entries(expected))('kubectl kustomize overlays/%s', (name, want) => {
  const objects = (): BuiltObject[] => builds.get(name) ?? [];
  const statefulSet = (): BuiltObject => findObject(objects(), 'StatefulSet', 'prometheus');
  const container = (): Json =>
    field(statefulSet(), 'spec', 'template', 'spec', 'containers', 0) as Json;
  const configMapText = (prefix: string, key: string): string =>
    field(findObject(objects(), 'ConfigMap', prefix), 'data', key) as string;

  it('puts every namespaced object in the environment namespace', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const object of objects()) {
      if (clusterScoped.has(object.kind)) continue;
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(
        want.namespace,
      );
    }
    expect(findObject(objects(), 'Namespace', want.namespace).metadata.name).toBe(want.namespace);
  });

  it('names cluster-scoped RBAC after the namespace and binds it there', () => {
    const bindings = objects().filter((object) => object.kind === 'ClusterRoleBinding');
    expect(bindings.map((binding) => binding.metadata.name).sort()).toEqual([
      `${want.namespace}-kube-state-metrics`,
      `${want.namespace}-prometheus`,
    ]);
    for (const binding of bindings) {
      expect(field(binding, 'roleRef', 'name')).toBe(binding.metadata.name);
      expect(field(binding, 'subjects', 0, 'namespace')).toBe(want.namespace);
    }
  });

  it('grants Prometheus read-only access without wildcards', () => {
    const role = findObject(objects(), 'ClusterRole', `${want.namespace}-prometheus`);
    const rules = role.rules as { verbs: string[]; resources?: string[] }[];
    for (const rule of rules) {
      for (const verb of rule.verbs) expect(['get', 'list', 'watch']).toContain(verb);
      expect(rule.resources ?? []).not.toContain('*');
      expect(rule.resources ?? []).not.toContain('nodes/proxy');
    }
  });

  it('runs Prometheus with the retention, resources and replicas of the environment', () => {
    expect(field(statefulSet(), 'spec', 'replicas')).toBe(want.replicas);
    const args = container().args as string[];
    expect(args).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(args).toContain('--storage.tsdb.path=/prometheus');
    expect(args).toContain(`--storage.tsdb.retention.time=${want.retention}`);
    expect(args.some((arg) => /^--storage\.tsdb\.retention\.size=\d+[KMGT]?B$/.test(arg))).toBe(
      true,
    );
    expect(args).not.toContain('--web.enable-lifecycle');
    expect(container().resources).toEqual({ requests: want.requests, limits: want.limits });
    expect(container().image).toMatch(/^quay\.io\/prometheus\/prometheus:v3\.\d+\.\d+$/);
  });

  it('runs Prometheus as non-root with a read-only root filesystem', () => {
    const pod = field(statefulSet(), 'spec', 'template', 'spec') as Json;
    expect(field(pod, 'securityContext', 'runAsNonRoot')).toBe(true);
    expect(field(pod, 'securityContext', 'fsGroup')).toBe(65534);
    expect(field(container(), 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
    expect(field(container(), 'securityContext', 'allowPrivilegeEscalation')).toBe(false);
    expect(field(container(), 'readinessProbe', 'httpGet', 'path')).toBe('/-/ready');
    expect(field(container(), 'livenessProbe', 'httpGet', 'path')).toBe('/-/healthy');
  });

  it(`keeps the TSDB on ${want.storage}`, () => {
    const volumes = field(statefulSet(), 'spec', 'template', 'spec', 'volumes') as Json[];
    const data = volumes.find((volume) => volume.name === 'prometheus-data');
    const claims = field(statefulSet(), 'spec', 'volumeClaimTemplates') as Json[] | undefined;
    if (want.storage === 'pvc') {
      expect(data).toBeUndefined();
      expect(claims?.map((claim) => field(claim, 'metadata', 'name'))).toEqual(['prometheus-data']);
      expect(field(claims, 0, 'spec', 'resources', 'requests', 'storage')).toMatch(/Gi$/);
    } else {
      expect(data?.emptyDir).toBeDefined();
      expect(claims).toBeUndefined();
    }
  });

  it('adds a PodDisruptionBudget and anti-affinity when there are two replicas', () => {
    const budgets = objects().filter((object) => object.kind === 'PodDisruptionBudget');
    expect(budgets).toHaveLength(want.replicas > 1 ? 1 : 0);
    expect(
      field(statefulSet(), 'spec', 'template', 'spec', 'affinity', 'podAntiAffinity'),
    ).toBeDefined();
  });

  it('exposes Prometheus and Grafana on the environment NodePorts', () => {
    for (const [service, port] of [
      ['prometheus', want.nodePorts.prometheus],
      ['grafana', want.nodePorts.grafana],
    ] as const) {
      const object = objects().find(
        (candidate) => candidate.kind === 'Service' && candidate.metadata.name === service,
      );
      expect(field(object, 'spec', 'type')).toBe('NodePort');
      expect(field(object, 'spec', 'ports', 0, 'nodePort')).toBe(port);
    }
  });

  it('writes the six spec jobs plus cAdvisor, node-exporter and kube-state-metrics', () => {
    const config = parse(configMapText('prometheus-config', 'prometheus.yml')) as {
      scrape_configs: { job_name: string; kubernetes_sd_configs?: Json[] }[];
      global: Json;
    };
    const jobs = config.scrape_configs.map((job) => job.job_name);
    for (const job of specJobs) expect(jobs).toContain(job);
    for (const job of ['kubernetes-cadvisor', 'node-exporter', 'kube-state-metrics']) {
      expect(jobs).toContain(job);
    }
    // Namespaces inside the config text follow the overlay (Kustomize would not rewrite them).
    const mlflow = config.scrape_configs.find((job) => job.job_name === 'mlflow-server');
    expect(field(mlflow, 'kubernetes_sd_configs', 0, 'namespaces', 'names')).toEqual([
      want.namespace,
    ]);
    expect(field(config, 'global', 'scrape_interval')).toBe('15s');
    expect(field(mlflow, 'scrape_interval')).toBe('10s');
    const labels = field(config, 'global', 'external_labels') as Record<string, string>;
    expect(labels.environment).toBe(name);
    expect('replica' in labels).toBe(want.replicas > 1);
  });

  it('writes the seven alerts of the spec', () => {
    const rules = parse(configMapText('prometheus-config', 'alert-rules.yml')) as {
      groups: {
        name: string;
        rules: { alert: string; for?: string; labels: { severity: string } }[];
      }[];
    };
    // The spec's group, then the meta-monitoring one (meta-alerts.ts).
    expect(rules.groups.map((group) => group.name)).toEqual([
      'mlflow.rules',
      'meta-monitoring.rules',
    ]);
    const alerts = rules.groups[0]?.rules ?? [];
    // CPU and memory have a node and a container rule each; the names stay the spec's seven.
    expect([...new Set(alerts.map((alert) => alert.alert))]).toEqual([...specAlertNames]);
    expect(alerts).toHaveLength(9);
    const byName = new Map(alerts.map((alert) => [alert.alert, alert]));
    expect(byName.get('MLflowServerDown')?.for).toBe('1m');
    expect(byName.get('ModelServerDown')?.for).toBe('1m');
    expect(byName.get('PodCrashLooping')?.for).toBe('5m');
    expect(byName.get('HighCPUUsage')?.for).toBe('5m');
    expect(byName.get('MLflowServerDown')?.labels.severity).toBe('critical');
    expect(byName.get('HighModelLatency')?.labels.severity).toBe('warning');
  });

  it('points the Grafana datasource at this namespace and mounts dashboards as a folder', () => {
    const datasources = parse(configMapText('grafana-datasources', 'datasources.yaml')) as Json;
    expect(field(datasources, 'datasources', 0, 'url')).toBe(
      `http://prometheus.${want.namespace}.svc:9090`,
    );
    expect(field(datasources, 'datasources', 0, 'uid')).toBe('prometheus');
    const grafana = findObject(objects(), 'Deployment', 'grafana');
    const mounts = field(
      grafana,
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'volumeMounts',
    ) as Json[];
    for (const mount of mounts) expect(mount.subPath).toBeUndefined();
    const volumes = field(grafana, 'spec', 'template', 'spec', 'volumes') as Json[];
    const dashboards = volumes.find((volume) => volume.name === 'grafana-dashboards');
    const configMapName = field(dashboards, 'configMap', 'name') as string;
    // The reference follows the generated (hashed) name.
    expect(findObject(objects(), 'ConfigMap', configMapName).metadata.name).toBe(configMapName);
    expect(field(dashboards, 'configMap', 'defaultMode')).toBe(420);
    const dashboard = JSON.parse(
      configMapText('grafana-dashboards', 'mlflow-monitoring-dashboard.json'),
    ) as { uid: string };
    expect(dashboard.uid).toBe('mlflow-monitoring');
  });

  it('never writes the spec default password outside dev', () => {
    const secrets = objects().filter((object) => object.kind === 'Secret');
    const grafana = findObject(objects(), 'Deployment', 'grafana');
    const env = field(grafana, 'spec', 'template', 'spec', 'containers', 0, 'env') as Json[];
    const passwordRef = env.find((variable) => variable.name === 'GF_SECURITY_ADMIN_PASSWORD');
    if (name === 'dev') {
      expect(secrets).toHaveLength(1);
      expect(field(passwordRef, 'valueFrom', 'secretKeyRef', 'name')).toBe(
        secrets[0]?.metadata.name,
      );
    } else {
      expect(secrets).toHaveLength(0);
      expect(field(passwordRef, 'valueFrom', 'secretKeyRef', 'name')).toBe('grafana-admin');
    }
  });

  it('pins every image by tag', () => {
    for (const object of objects()) {
      const containers = field(object, 'spec', 'template', 'spec', 'containers') as
        Json[] | undefined;
      for (const entry of containers ?? []) {
        expect(entry.image).toMatch(/:[\w][\w.-]*$/);
        expect(entry.image).not.toMatch(/:latest$/);
      }
    }
  });
});

describe('overlays side by side', () => {
  it('can share one cluster: no two environments write the same cluster-scoped object', () => {
    const names = [...builds.values()].flatMap((objects) =>
      objects
        .filter((object) => object.metadata.namespace === undefined)
        .map((object) => `${object.kind}/${object.metadata.name}`),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
