/**
 * Scheduling settings per workload, Alertmanager and Grafana data on PVCs, fsGroupChangePolicy
 * and Grafana/Prometheus behind an Ingress or HTTPRoute (issue 15, point 7): the patches and
 * objects each key renders, the real `kubectl kustomize` build of an overlay that uses all of
 * them, and `gitops-gen validate` of that tree without errors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findObject, kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { renderTree, resolveEnvironmentSources } from '../../src/index.js';
import { immutableFieldChanges } from '../../src/publish/immutable-fields.js';

const scheduling = `
  nodeSelector: { node-role.example.com/monitoring: "true" }
  tolerations:
    - { key: dedicated, operator: Equal, value: monitoring, effect: NoSchedule }
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - { key: kubernetes.io/arch, operator: In, values: [amd64] }
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: ScheduleAnyway
      labelSelector: { matchLabels: { team: ml } }
  priorityClassName: monitoring-critical
  imagePullSecrets: [{ name: regcred }]
  podAnnotations: { example.com/owner: ml-platform }
  podLabels: { team: ml }`;

/** prod with every key of this feature on every component. */
const prodFile = `tier: prod
prometheus:${scheduling}
  service: { type: ClusterIP }
  ingress:
    host: prometheus.example.com
    className: nginx
    tlsSecretName: prometheus-tls
    annotations:
      nginx.ingress.kubernetes.io/auth-url: https://oauth2.example.com/oauth2/auth
grafana:
  replicas: 1
  service: { type: ClusterIP }
  storage: { type: pvc, size: 5Gi, storageClass: fast }
  ingress:
    host: grafana.example.com
    className: nginx
    tlsSecretName: grafana-tls
    annotations: { cert-manager.io/cluster-issuer: letsencrypt }${scheduling}
alertmanager:
  storage: { size: 2Gi, storageClass: fast }${scheduling}
nodeExporter:${scheduling}
kubeStateMetrics:${scheduling}
`;

/** Renders `files`; stderr may only hold the given warnings (the built-in prod's NodePort). */
async function renderProject(files: Record<string, string>, warnings?: RegExp): Promise<string> {
  const root = await tempDir();
  await writeFiles(root, files);
  const result = await runCli(['render'], root);
  if (warnings) expect(result.stderr).toMatch(warnings);
  else expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return root;
}

type PodTemplate = {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown> & {
    securityContext: Record<string, unknown>;
    volumes?: { name: string; [source: string]: unknown }[];
  };
};

function podTemplate(object: BuiltObject): PodTemplate {
  return (object.spec as { template: PodTemplate }).template;
}

const expectedAffinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
      ],
    },
  },
};

describe('scheduling, storage and ingress keys through render', () => {
  it('kubectl kustomize of an overlay using every key holds every field', async () => {
    const root = await renderProject({ 'environments/prod.yaml': prodFile });
    const overlay = join(root, 'overlays/prod');
    const built = await kustomizeBuild(overlay);
    const workloads = [
      findObject(built, 'StatefulSet', 'prometheus'),
      findObject(built, 'Deployment', 'grafana'),
      findObject(built, 'StatefulSet', 'alertmanager'),
      findObject(built, 'DaemonSet', 'node-exporter'),
      findObject(built, 'Deployment', 'kube-state-metrics'),
    ];
    for (const workload of workloads) {
      const template = podTemplate(workload);
      expect(template.spec.nodeSelector).toEqual({ 'node-role.example.com/monitoring': 'true' });
      expect(template.spec.tolerations).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' },
      ]);
      // The user's affinity replaces the rendered anti-affinity, it is not merged with it.
      expect(template.spec.affinity).toEqual(expectedAffinity);
      expect(template.spec.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { team: 'ml' } },
        },
      ]);
      expect(template.spec.priorityClassName).toBe('monitoring-critical');
      expect(template.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
      expect(template.metadata.annotations).toEqual({ 'example.com/owner': 'ml-platform' });
      expect(template.metadata.labels).toMatchObject({
        team: 'ml',
        'app.kubernetes.io/name': workload.metadata.name,
        'app.kubernetes.io/instance': 'prod',
      });
    }
    const [prometheus, grafana, alertmanager, nodeExporter] = workloads as [
      BuiltObject,
      BuiltObject,
      BuiltObject,
      BuiltObject,
    ];
    // fsGroupChangePolicy only where volumes can be large.
    for (const workload of [prometheus, grafana, alertmanager]) {
      expect(podTemplate(workload).spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
    }
    expect(podTemplate(nodeExporter).spec.securityContext.fsGroupChangePolicy).toBeUndefined();

    // Alertmanager: one claim per replica instead of the emptyDir.
    const alertmanagerSpec = alertmanager.spec as {
      volumeClaimTemplates: { metadata: { name: string }; spec: unknown }[];
    };
    expect(alertmanagerSpec.volumeClaimTemplates.map((claim) => claim.metadata.name)).toEqual([
      'data',
    ]);
    expect(alertmanagerSpec.volumeClaimTemplates[0]?.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '2Gi' } },
    });
    expect(podTemplate(alertmanager).spec.volumes?.map((volume) => volume.name)).not.toContain(
      'data',
    );

    // Grafana: the claim, mounted instead of the emptyDir, and a Recreate strategy.
    const claim = findObject(built, 'PersistentVolumeClaim', 'grafana-data');
    expect(claim.metadata.namespace).toBe('mlflow-prod');
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '5Gi' } },
    });
    expect(podTemplate(grafana).spec.volumes?.find((volume) => volume.name === 'storage')).toEqual({
      name: 'storage',
      persistentVolumeClaim: { claimName: 'grafana-data' },
    });
    expect((grafana.spec as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });

    // The Ingresses.
    const grafanaIngress = findObject(built, 'Ingress', 'grafana');
    expect(grafanaIngress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    expect(grafanaIngress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['grafana.example.com'], secretName: 'grafana-tls' }],
      rules: [
        {
          host: 'grafana.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'grafana', port: { number: 3000 } } },
              },
            ],
          },
        },
      ],
    });
    const prometheusIngress = findObject(built, 'Ingress', 'prometheus');
    expect(prometheusIngress.metadata.namespace).toBe('mlflow-prod');
    expect(JSON.stringify(prometheusIngress.spec)).toContain('"number":9090');

    // The in-process engine builds the same objects as kubectl.
    const ours = await runCli(['build', 'overlays/prod'], root);
    const theirs = await runCli(['build', '--engine', 'kubectl', 'overlays/prod'], root);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(theirs.stdout);

    // And validate has nothing to say about what was rendered.
    const validated = await runCli(['validate', 'overlays/prod', '--json'], root);
    const report = JSON.parse(validated.stdout) as {
      findings: { severity: string; code: string; message: string }[];
      summary: { resources: number };
    };
    expect(report.summary.resources).toBeGreaterThan(20);
    expect(report.findings).toEqual([]);
    expect(validated.code).toBe(0);
  }, 120_000);

  it('renders an HTTPRoute for the Gateway API; validate has no schema for it', async () => {
    const root = await renderProject({
      'environments/staging.yaml': `grafana:
  ingress:
    kind: HTTPRoute
    host: grafana.example.com
    parentRefs: [{ name: shared-gateway, namespace: gateways, sectionName: https }]
prometheus:
  ingress:
    kind: HTTPRoute
    host: prometheus.example.com
    allowUnauthenticated: true
    parentRefs: [{ name: internal-gateway }]
`,
    });
    const overlay = join(root, 'overlays/staging');
    const built = await kustomizeBuild(overlay);
    const route = findObject(built, 'HTTPRoute', 'grafana');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.namespace).toBe('mlflow-staging');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'shared-gateway', namespace: 'gateways', sectionName: 'https' }],
      hostnames: ['grafana.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: 'grafana', port: 3000 }],
        },
      ],
    });
    expect(JSON.stringify(findObject(built, 'HTTPRoute', 'prometheus').spec)).toContain(
      '"backendRefs":[{"name":"prometheus","port":9090}]',
    );
    // generated/schemas/crds.json holds no gateway.networking.k8s.io CRD: validate says so, and
    // nothing else.
    const validated = await runCli(['validate', 'overlays/staging', '--json'], root);
    const report = JSON.parse(validated.stdout) as { findings: { code: string }[] };
    expect(new Set(report.findings.map((finding) => finding.code))).toEqual(
      new Set(['schema/missing']),
    );
    const skipping = await runCli(
      ['validate', 'overlays/staging', '--ignore-missing-schemas', '--json'],
      root,
    );
    expect((JSON.parse(skipping.stdout) as { findings: unknown[] }).findings).toEqual([]);
    expect(skipping.code).toBe(0);
  }, 120_000);

  it('keeps the overlays of environments without these keys as they were, but for large volumes', async () => {
    const root = await renderProject(
      {
        'environments/dev.yaml': '',
        'environments/staging.yaml': '',
        'environments/prod.yaml': '',
      },
      /^warning: prod: Prometheus \(Service prometheus[^\n]*\n$/,
    );
    const patchOf = (environment: string, name: string) =>
      readFile(join(root, 'overlays', environment, 'patches', `${name}-pod.yaml`), 'utf8');
    // dev: emptyDir everywhere, nothing rendered by this feature.
    for (const name of ['prometheus', 'grafana', 'alertmanager', 'node-exporter']) {
      await expect(patchOf('dev', name)).rejects.toThrow(/ENOENT/);
    }
    // staging and prod: Prometheus on a PVC gets fsGroupChangePolicy, and nothing else.
    expect(parse(await patchOf('staging', 'prometheus'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'prometheus' },
      spec: { template: { spec: { securityContext: { fsGroupChangePolicy: 'OnRootMismatch' } } } },
    });
    await expect(patchOf('staging', 'grafana')).rejects.toThrow(/ENOENT/);
    // Alertmanager keeps an emptyDir in staging, and is on a PVC in prod.
    const alertmanager = (environment: string) =>
      kustomizeBuild(join(root, 'overlays', environment)).then((objects) =>
        findObject(objects, 'StatefulSet', 'alertmanager'),
      );
    const staging = await alertmanager('staging');
    expect(podTemplate(staging).spec.volumes).toContainEqual({
      name: 'data',
      emptyDir: { sizeLimit: '1Gi' },
    });
    expect((staging.spec as Record<string, unknown>).volumeClaimTemplates).toBeUndefined();
    const prod = await alertmanager('prod');
    expect(
      (prod.spec as { volumeClaimTemplates: { spec: unknown }[] }).volumeClaimTemplates[0]?.spec,
    ).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    expect(podTemplate(prod).spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
  }, 120_000);

  it('publish names the Alertmanager claim template of an existing prod as immutable', async () => {
    const render = (prod: string) =>
      renderTree(resolveEnvironmentSources([{ file: 'prod.yaml', name: 'prod', text: prod }]));
    // What a prod rendered before this change had: Alertmanager on an emptyDir.
    const before = render('alertmanager:\n  storage: { type: emptyDir }\n');
    const after = render('');
    const changes = await immutableFieldChanges(before, after, ['prod']);
    expect(changes.map((change) => `${change.kind} ${change.name} ${change.field}`)).toEqual([
      'StatefulSet alertmanager spec.volumeClaimTemplates',
    ]);
  }, 60_000);
});
