/**
 * The team's Grafana dashboards in an environment's overlay: each dashboard file under
 * `grafana/team-dashboards/`, packed into as few generated ConfigMaps as fit under the size
 * client-side `kubectl apply` accepts, the second dashboard provider merged into the base's
 * provider ConfigMap (Grafana reads every file of its provisioning folder), and a Deployment
 * patch of its own that mounts all those ConfigMaps as one projected volume where the provider
 * looks. The base stays shared: nothing here changes it. Pure.
 */
import { maxAnnotationBytes } from '../grafana/index.js';
import { dashboardFileText } from '../config/resolve-dashboards.js';
import { componentLabels, grafanaComponent } from '../stack/components.js';
import type { MonitoringStack } from '../stack/index.js';
import { userDashboardsComponent as team } from '../stack/user-dashboards.js';
import { syncWave, syncWaves, type Patch, type V1Deployment } from './kubernetes.js';
import type { GeneratorArgs, PatchEntry } from './kustomization.js';
import { toYamlFile } from './yaml.js';

export const userDashboardFiles = {
  folder: 'grafana/team-dashboards',
  provider: `grafana/${team.providerFile}`,
  patch: 'patches/grafana-team-dashboards.yaml',
} as const;

/**
 * Room for a ConfigMap's data in `kubectl.kubernetes.io/last-applied-configuration`, which
 * client-side apply fills with the whole object as JSON and which counts against the 256 KiB
 * limit on an object's annotations (validate's `grafana/configmap-too-large-for-client-side-apply`
 * uses the same limit). The rest of the object (name with hash, namespace, labels, the sync-wave
 * annotation) takes far less than the reserve.
 */
export const dashboardConfigMapBudget = maxAnnotationBytes - 4096;

/**
 * Bytes of a string as Go's encoding/json writes it into that annotation: quoted, with `"`, `\`
 * and control characters escaped, and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`
 * (HTML-safe encoding, on by default). Always at least the string's own UTF-8 bytes, so a
 * ConfigMap within the budget is also within validate's data-size limit.
 */
export function goJsonBytes(text: string): number {
  let bytes = Buffer.byteLength(JSON.stringify(text));
  for (const char of text) {
    if (char === '<' || char === '>' || char === '&') bytes += 5;
    else if (char === '\u2028' || char === '\u2029') bytes += 3;
  }
  return bytes;
}

export interface DashboardConfigMap {
  name: string;
  /** ConfigMap keys, in order. */
  keys: string[];
  /** The ConfigMap's data as last-applied JSON bytes (goJsonBytes), for tests and reports. */
  jsonBytes: number;
}

/**
 * Packs dashboards, in key order, into ConfigMaps `<prefix>-1`, `-2`, ...: a new one starts
 * when the next would not fit. Deterministic: the same dashboards always give the same
 * ConfigMaps. A dashboard larger than the budget on its own gets a ConfigMap of its own (the
 * config stage refused anything over the API server's 1 MiB; validate warns about the rest).
 */
export function packDashboards(
  dashboards: readonly { key: string; text: string }[],
  budget = dashboardConfigMapBudget,
): DashboardConfigMap[] {
  const configMaps: DashboardConfigMap[] = [];
  // `{}` around the data; each entry adds `"key":"text"` and a comma.
  const empty = 2;
  let current: DashboardConfigMap | undefined;
  for (const { key, text } of dashboards) {
    const entry = goJsonBytes(key) + 1 + goJsonBytes(text) + 1;
    if (!current || (current.keys.length > 0 && current.jsonBytes + entry > budget)) {
      current = {
        name: `${team.configMapPrefix}-${configMaps.length + 1}`,
        keys: [],
        jsonBytes: empty,
      };
      configMaps.push(current);
    }
    current.keys.push(key);
    current.jsonBytes += entry;
  }
  return configMaps;
}

function mountPatch(configMaps: readonly DashboardConfigMap[]): Patch<V1Deployment> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: grafanaComponent.name },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: grafanaComponent.name,
              volumeMounts: [{ name: team.volume, mountPath: team.dashboardsDir, readOnly: true }],
            },
          ],
          // One folder for all of them, mounted whole (never subPath), so that updates arrive;
          // kustomize renames the ConfigMaps here to their hashed names.
          volumes: [
            {
              name: team.volume,
              projected: {
                defaultMode: 0o644,
                sources: configMaps.map((configMap) => ({ configMap: { name: configMap.name } })),
              },
            },
          ],
        },
      },
    },
  };
}

export interface OverlayDashboards {
  /** Files to add to the overlay, by path. */
  files: [path: string, text: string][];
  /** configMapGenerator entries: the dashboards' ConfigMaps and the provider merged into ours. */
  generators: GeneratorArgs[];
  /** The Grafana Deployment patch that mounts them (a patch entry of its own). */
  patch: PatchEntry;
  configMaps: DashboardConfigMap[];
}

/** The overlay's part for the team's dashboards, or undefined when there are none. */
export function renderUserDashboards(
  stack: MonitoringStack,
  header: readonly string[],
): OverlayDashboards | undefined {
  const { userDashboards } = stack;
  if (!userDashboards) return undefined;
  const texts = userDashboards.dashboards.map(({ key, model }) => ({
    key,
    text: dashboardFileText(model),
  }));
  const configMaps = packDashboards(texts);
  const options = {
    labels: componentLabels(grafanaComponent.name),
    annotations: syncWave(syncWaves.config),
  };
  const patch = mountPatch(configMaps);
  return {
    files: [
      ...texts.map(({ key, text }): [string, string] => [
        `${userDashboardFiles.folder}/${key}`,
        text,
      ]),
      [userDashboardFiles.provider, toYamlFile(header, userDashboards.provider)],
      [
        userDashboardFiles.patch,
        toYamlFile(
          [...header, "Mounts the team's dashboards (grafana.additionalDashboards)."],
          patch,
        ),
      ],
    ],
    generators: [
      ...configMaps.map((configMap): GeneratorArgs => ({
        name: configMap.name,
        files: configMap.keys.map((key) => `${key}=${userDashboardFiles.folder}/${key}`),
        options,
      })),
      {
        name: grafanaComponent.dashboardProviderConfigMap,
        behavior: 'merge',
        files: [`${team.providerFile}=${userDashboardFiles.provider}`],
      },
    ],
    patch: {
      path: userDashboardFiles.patch,
      target: { kind: 'Deployment', name: grafanaComponent.name },
    },
    configMaps,
  };
}
