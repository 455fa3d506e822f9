/**
 * `grafana.additionalDashboards`: the team's own Grafana dashboard JSON files, read through the
 * environments folder's reader and checked as Grafana's file provisioning would load them: strict
 * JSON (Go's encoding/json), a title, a uid unique across ours and theirs, panels, datasource
 * references that resolve, PromQL in every Prometheus query (the grafana engine's
 * `checkDashboard`, the same check `validate` runs). Exported dashboards' `${DS_...}` Prometheus
 * inputs are pointed at the provisioned datasource first. Errors point at the dashboard file's
 * own line and column; problems with the name or the pattern at the environment key. Pure (files
 * come through the reader).
 */
import { posix } from 'node:path';
import type { Problem } from '../errors.js';
import type { Finding } from '../findings.js';
import {
  checkDashboard,
  loadJsonSource,
  maxConfigMapBytes,
  resolveDatasourceInputs,
} from '../grafana/index.js';
import { grafanaComponent } from '../stack/components.js';
import type { UserDashboard } from './environment.js';
import {
  problemsFromFindings,
  readUserFiles,
  report,
  type ResolveContext,
} from './resolve-context.js';
import { quoteValue } from '../text-safety.js';

/**
 * Kubernetes' IsConfigMapKey: at most 253 characters of `[-._a-zA-Z0-9]`, not `.` or `..`
 * and not starting with `..` (the kubelet's atomic writer keeps its own `..data` there).
 */
export function isConfigMapKey(key: string): boolean {
  return key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && !key.startsWith('..') && key !== '.';
}

/** The dashboard file as the overlay writes it; its size decides the ConfigMaps. */
export function dashboardFileText(model: Record<string, unknown>): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

const dashboardHint =
  'Grafana refuses or misreads a provisioned dashboard with this error; `gitops-gen validate` says the same';

const problemsOf = (findings: readonly Finding[]): Problem[] =>
  problemsFromFindings(findings, dashboardHint);

/** The team's dashboards of one environment; problems go to `context`. */
export function resolveAdditionalDashboards(
  patterns: readonly string[],
  context: ResolveContext,
  grafanaEnabled = true,
): UserDashboard[] {
  // Without our Grafana there is nowhere to provision them: resolve-scrape.ts reports the key
  // (config/needs-grafana), and the files are not read.
  if (!grafanaEnabled) return [];
  const dashboards: UserDashboard[] = [];
  const readPaths = new Set<string>();
  const pathByKey = new Map<string, string>();
  // Ours is provisioned too: a team dashboard with its uid would replace it (or flap with it).
  const ownerByUid = new Map<string, string>([
    [grafanaComponent.dashboardUid, `the built-in ${grafanaComponent.dashboardFile}`],
  ]);
  patterns.forEach((pattern, index) => {
    const keyPath = ['grafana', 'additionalDashboards', String(index)];
    for (const file of readUserFiles(context, keyPath, pattern)) {
      // Two patterns may name one file (a glob and an explicit path): it ships once.
      if (readPaths.has(file.path)) continue;
      readPaths.add(file.path);
      const key = posix.basename(file.path);
      if (!isConfigMapKey(key)) {
        report(
          context,
          keyPath,
          'config/dashboard-name-not-configmap-key',
          `${file.file}: the file name ${quoteValue(key)} becomes a ConfigMap key, and Kubernetes allows only letters, digits, "-", "_" and "." there (at most 253 characters)`,
          'rename the file, e.g. team-latency.json',
        );
        continue;
      }
      if (!key.endsWith('.json')) {
        report(
          context,
          keyPath,
          'config/dashboard-not-json',
          `${file.file}: Grafana's file provisioning loads only files ending in .json`,
          'rename the file to end in .json, or narrow the glob (dashboards/*.json)',
        );
        continue;
      }
      const other = pathByKey.get(key);
      if (other !== undefined) {
        report(
          context,
          keyPath,
          'config/duplicate-dashboard-name',
          `${file.file} and ${other} both become ConfigMap key ${quoteValue(key)}; the dashboards are mounted in one folder, so names must be unique`,
          'rename one of the files',
        );
        continue;
      }
      pathByKey.set(key, file.file);
      const dashboard = checkedDashboard(file, key, ownerByUid, context);
      if (dashboard) dashboards.push(dashboard);
    }
  });
  return dashboards;
}

function checkedDashboard(
  file: { path: string; file: string; text: string },
  key: string,
  ownerByUid: Map<string, string>,
  context: ResolveContext,
): UserDashboard | undefined {
  const loaded = loadJsonSource(file.file, file.text);
  if (loaded.findings.length > 0) {
    context.problems.push(...problemsOf(loaded.findings));
    return undefined;
  }
  const value = loaded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.problems.push(
      ...problemsOf(checkDashboard(value, loaded.source, { datasourceUids: [] })),
    );
    return undefined;
  }
  const { model } = resolveDatasourceInputs(value as Record<string, unknown>, {
    type: 'prometheus',
    uid: grafanaComponent.datasourceUid,
  });
  // A database id from another Grafana means nothing here; provisioning identifies by uid.
  if (typeof model.id === 'number') model.id = null;
  const problems = problemsOf(
    checkDashboard(model, loaded.source, {
      datasourceUids: [grafanaComponent.datasourceUid],
      datasourceNames: [grafanaComponent.datasourceName],
    }),
  );
  const uid = model.uid;
  if (problems.length === 0 && typeof uid === 'string') {
    const owner = ownerByUid.get(uid);
    if (owner !== undefined) {
      const position = loaded.source.locate?.(['uid']);
      problems.push({
        code: 'grafana/duplicate-dashboard-uid',
        message: `dashboard uid ${quoteValue(uid)} is already used by ${owner}; Grafana keeps one dashboard per uid, so one would silently replace the other`,
        file: file.file,
        line: position?.line,
        column: position?.column,
        keyPath: 'uid',
        hint: 'give every dashboard its own uid',
      });
    } else {
      ownerByUid.set(uid, file.file);
    }
  }
  const bytes = Buffer.byteLength(key) + Buffer.byteLength(dashboardFileText(model));
  if (bytes > maxConfigMapBytes)
    problems.push({
      code: 'grafana/dashboard-too-large',
      message: `${file.file} is ${bytes} bytes as provisioned; a ConfigMap holds at most ${maxConfigMapBytes} bytes (1 MiB), so the API server refuses it`,
      file: file.file,
      line: 1,
      column: 1,
      hint: 'split the dashboard into several smaller ones',
    });
  if (problems.length > 0) {
    context.problems.push(...problems);
    return undefined;
  }
  return { key, path: file.path, uid: String(uid), model };
}
