/**
 * Components an environment does not deploy because its cluster already runs them
 * (`nodeExporter.enabled: false`, `kubeStateMetrics.enabled: false`, `grafana.enabled: false`).
 * The base is shared by every environment, so the overlay removes the base's objects with
 * `$patch: delete` strategic-merge patches (as `namespaceManagement: existing` removes the
 * Namespace), and leaves out what the overlay itself would add for them: their patches,
 * generated ConfigMaps and Secrets, resources, and the files only those referenced. Their scrape
 * jobs and alerts are left out by the stack (prometheus-config.ts, alert-rules.ts). Also mounts
 * the Secrets of `prometheus.secretMounts` into Prometheus. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import {
  baseNamespace,
  clusterScopedName,
  grafanaComponent,
  kubeStateMetricsComponent,
  nodeExporterComponent,
  prometheusComponent,
} from '../stack/components.js';
import { droppedAlerts } from '../stack/additional-scrape.js';
import type { FileTree } from './file-tree.js';
import type { GeneratorArgs, Kustomization, PatchEntry } from './kustomization.js';
import { toYamlFile } from './yaml.js';

/** A base object, as a patch target. */
interface BaseObject {
  apiVersion: string;
  kind: string;
  name: string;
}

const nodeExporterObjects = (): BaseObject[] => [
  { apiVersion: 'v1', kind: 'ServiceAccount', name: nodeExporterComponent.name },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', name: nodeExporterComponent.name },
  { apiVersion: 'v1', kind: 'Service', name: nodeExporterComponent.name },
];

const kubeStateMetricsObjects = (): BaseObject[] => {
  const clusterScoped = clusterScopedName(baseNamespace, kubeStateMetricsComponent.name);
  const rbac = 'rbac.authorization.k8s.io/v1';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', name: kubeStateMetricsComponent.name },
    { apiVersion: rbac, kind: 'ClusterRole', name: clusterScoped },
    { apiVersion: rbac, kind: 'ClusterRoleBinding', name: clusterScoped },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: kubeStateMetricsComponent.name },
    { apiVersion: 'v1', kind: 'Service', name: kubeStateMetricsComponent.name },
  ];
};

const grafanaObjects = (): BaseObject[] => [
  { apiVersion: 'apps/v1', kind: 'Deployment', name: grafanaComponent.name },
  { apiVersion: 'v1', kind: 'Service', name: grafanaComponent.name },
  { apiVersion: 'v1', kind: 'ConfigMap', name: grafanaComponent.dashboardProviderConfigMap },
  { apiVersion: 'v1', kind: 'ConfigMap', name: grafanaComponent.dashboardsConfigMap },
];

/** The base objects the environment removes, by component; empty when it deploys them all. */
export function removedBaseObjects(environment: EnvironmentConfig): BaseObject[] {
  return [
    ...(environment.nodeExporter.enabled ? [] : nodeExporterObjects()),
    ...(environment.kubeStateMetrics.enabled ? [] : kubeStateMetricsObjects()),
    ...(environment.grafana.enabled ? [] : grafanaObjects()),
  ];
}

/**
 * A `$patch: delete` of one base object. Cluster-scoped objects are targeted by their base name:
 * the overlay's rename patches of those objects are left out with them.
 */
function deletePatch(object: BaseObject): PatchEntry {
  const patch = [
    '$patch: delete',
    `apiVersion: ${object.apiVersion}`,
    `kind: ${object.kind}`,
    'metadata:',
    `  name: ${object.name}`,
    '',
  ].join('\n');
  return { patch, target: { kind: object.kind, name: object.name } };
}

function isGrafanaGenerator(generator: GeneratorArgs): boolean {
  return generator.options?.labels?.['app.kubernetes.io/name'] === grafanaComponent.name;
}

/** Files a generator reads: `key=path` or `path`. */
function generatorFiles(generator: GeneratorArgs): string[] {
  return (generator.files ?? []).map((entry) => entry.slice(entry.indexOf('=') + 1));
}

export interface TrimmedOverlay {
  kustomization: Kustomization;
  /** The overlay's files without those only the removed entries referenced. */
  trimTree: (tree: FileTree) => FileTree;
}

/**
 * The overlay's kustomization without the disabled components: their patches, generators and
 * resources left out, and a delete patch per base object; plus the Secrets mounted for the
 * team's scrape jobs. Unchanged when every component is deployed and no Secret is mounted, so
 * that such an overlay renders byte for byte as before.
 */
export function trimDisabledComponents(
  environment: EnvironmentConfig,
  kustomization: Kustomization,
  grafanaResources: readonly string[],
): TrimmedOverlay {
  const removed = removedBaseObjects(environment);
  if (removed.length === 0 && environment.prometheus.secretMounts.length === 0)
    return { kustomization, trimTree: (tree) => tree };
  const isRemoved = (entry: PatchEntry): boolean =>
    removed.some(
      (object) => entry.target?.kind === object.kind && entry.target.name === object.name,
    );
  const grafanaOff = !environment.grafana.enabled;
  const keptGenerators = (generators: GeneratorArgs[] | undefined) =>
    (generators ?? []).filter((generator) => !(grafanaOff && isGrafanaGenerator(generator)));
  const unused = new Set<string>([
    ...(kustomization.patches ?? []).filter(isRemoved).flatMap((entry) => entry.path ?? []),
    ...[...(kustomization.configMapGenerator ?? []), ...(kustomization.secretGenerator ?? [])]
      .filter((generator) => grafanaOff && isGrafanaGenerator(generator))
      .flatMap(generatorFiles),
    ...(grafanaOff ? grafanaResources : []),
  ]);
  // Spread first, so that every key keeps its place in the file.
  const trimmed: Kustomization = {
    ...kustomization,
    resources: kustomization.resources.filter((resource) => !unused.has(resource)),
    configMapGenerator: keptGenerators(kustomization.configMapGenerator),
    secretGenerator: keptGenerators(kustomization.secretGenerator),
    patches: [
      ...(kustomization.patches ?? []).filter((entry) => !isRemoved(entry)),
      ...removed.map(deletePatch),
      ...secretMountPatches(environment),
    ],
  };
  if (trimmed.configMapGenerator?.length === 0) delete trimmed.configMapGenerator;
  if (trimmed.secretGenerator?.length === 0) delete trimmed.secretGenerator;
  return {
    kustomization: trimmed,
    trimTree: (tree) => new Map([...tree].filter(([path]) => !unused.has(path))),
  };
}

/**
 * `render` warnings: alerts left out because nothing scrapes the series they need (a component
 * disabled without a `job` to scrape the cluster's own instead).
 */
export function droppedAlertWarnings(
  environment: EnvironmentConfig,
): { environment: string; code: string; message: string }[] {
  return droppedAlerts(environment).map(({ component, alerts }) => ({
    environment: environment.name,
    code: 'render/alerts-dropped',
    message: `${component}.enabled is false and no ${component}.job says where the cluster's own ${componentNames[component]} is scraped: the alerts ${alerts.join(', ')} are left out of this environment. Set ${component}.job to a job of prometheus.additionalScrapeConfigs, or to its Service as <namespace>/<service>:<port>, to keep them`,
  }));
}

const componentNames = {
  nodeExporter: nodeExporterComponent.name,
  kubeStateMetrics: kubeStateMetricsComponent.name,
} as const;

/** Where `prometheus.secretMounts` puts a Secret's files (as the Prometheus Operator does). */
export function secretMountPath(secretName: string): string {
  return `${prometheusComponent.configDir}/secrets/${secretName}`;
}

/**
 * `prometheus.secretMounts`: each Secret mounted read-only into Prometheus, one file per key, for
 * the credential files of the team's scrape jobs. A strategic-merge patch of the StatefulSet:
 * volumes and volume mounts merge by name with the base's.
 */
function secretMountPatches(environment: EnvironmentConfig): PatchEntry[] {
  const secrets = environment.prometheus.secretMounts;
  if (secrets.length === 0) return [];
  const volumeName = (secret: string): string => `secret-${secret}`;
  const patch = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: prometheusComponent.name },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: prometheusComponent.name,
              volumeMounts: secrets.map((secret) => ({
                name: volumeName(secret),
                mountPath: secretMountPath(secret),
                readOnly: true,
              })),
            },
          ],
          volumes: secrets.map((secret) => ({
            name: volumeName(secret),
            secret: { secretName: secret },
          })),
        },
      },
    },
  };
  return [
    {
      patch: toYamlFile([], patch),
      target: { kind: 'StatefulSet', name: prometheusComponent.name },
    },
  ];
}
