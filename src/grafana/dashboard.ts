/**
 * Checks a Grafana dashboard JSON as file provisioning loads it: a title, a stable uid (at most
 * 40 characters of letters, digits, `-` and `_`), panels with unique ids (nested row panels
 * included), every datasource reference (panels, targets, variables, annotations) resolving to
 * a provisioned datasource uid, a built-in (`-- Grafana --`, `-- Mixed --`, `-- Dashboard --`)
 * or a datasource variable (never an import placeholder such as `${DS_PROMETHEUS}`, which only
 * the UI import replaces), every Prometheus query parsing as PromQL after Grafana's variable
 * interpolation, and no undefined variables. Pure.
 */
import type { Finding } from '../findings.js';
import { offsetPosition, parsePromql, type PromqlOptions } from '../prometheus/promql.js';
import {
  describe,
  FindingCollector,
  isRecord,
  type FindingSource,
  type ObjectPath,
} from '../prometheus/source.js';
import { substituteVariables, type DashboardVariable } from './variables.js';
import { quoteJson } from '../text-safety.js';

export interface DashboardCheckOptions {
  /** uids of the provisioned datasources (see `datasourceUidsOf`). */
  datasourceUids: readonly string[];
  /** Names of the provisioned datasources, for legacy string references. */
  datasourceNames?: readonly string[];
  /**
   * Nothing in the run provisions a datasource (a dashboard for another Grafana's sidecar, such
   * as kube-prometheus-stack's): which uids exist is unknown, so none is reported as missing.
   */
  datasourcesUnknown?: boolean;
}

/** Grafana's maximum uid length (dashboards and datasources). */
export const maxUidLength = 40;
export const uidPattern = /^[a-zA-Z0-9\-_]*$/;

/** Datasource uids and names Grafana provides itself. */
const builtinDatasources = new Set(['grafana', '-- Grafana --', '-- Mixed --', '-- Dashboard --']);

const code = (suffix: string): string => `grafana/${suffix}`;

interface Context {
  variables: Map<string, DashboardVariable>;
  options: DashboardCheckOptions;
  hasInputs: boolean;
}

/**
 * The datasource uids a dashboard names (anywhere: panels, targets, variables, annotations),
 * leaving out Grafana's own and variables. A cheap walk: callers use it to tell whether the
 * provisioned datasources they know of already cover a dashboard.
 */
export function referencedDatasourceUids(dashboard: unknown): Set<string> {
  const uids = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'datasource') {
        const uid = isRecord(child) ? child.uid : child;
        if (typeof uid === 'string' && uid !== '' && !builtinDatasources.has(uid)) {
          if (!uid.startsWith('$') && !uid.startsWith('[[')) uids.add(uid);
        }
      } else {
        visit(child, depth + 1);
      }
    }
  };
  visit(dashboard, 0);
  return uids;
}

/** `$ds`, `${ds}`, `[[ds]]` -> `ds`. */
function variableName(text: string): string | undefined {
  return /^(?:\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\])$/.exec(text)?.slice(1).find(Boolean);
}

class DashboardChecker {
  private readonly panelIds = new Map<number, string>();

  constructor(
    private readonly out: FindingCollector,
    private readonly context: Context,
  ) {}

  /** Checks a datasource reference; returns its type when the reference names one. */
  datasource(ref: unknown, path: ObjectPath, where: string): string | undefined {
    if (ref === undefined || ref === null) return undefined;
    let uid: unknown;
    let type: string | undefined;
    if (typeof ref === 'string') {
      uid = ref;
    } else if (isRecord(ref)) {
      uid = ref.uid;
      type = typeof ref.type === 'string' ? ref.type : undefined;
    } else {
      this.out.add({
        code: code('invalid-datasource-ref'),
        message: `${where}: a datasource reference is {type, uid}, not ${describe(ref)}`,
        path,
      });
      return undefined;
    }
    if (uid === undefined || uid === null || uid === '') return type;
    if (typeof uid !== 'string') {
      this.out.add({
        code: code('invalid-datasource-ref'),
        message: `${where}: datasource uid must be a string, not ${describe(uid)}`,
        path,
      });
      return type;
    }
    const uidPath = typeof ref === 'string' ? path : [...path, 'uid'];
    if (builtinDatasources.has(uid)) return type;
    if (/^\$\{?DS_/.test(uid)) {
      this.out.add({
        code: code('unresolved-datasource-input'),
        message: `${where}: datasource ${quoteJson(uid)} is an import placeholder; file provisioning does not replace it, so the panel finds no datasource`,
        path: uidPath,
        hint: `use the provisioned uid instead (${this.context.options.datasourceUids.join(', ') || 'none provisioned'})${this.context.hasInputs ? ' and drop __inputs' : ''}`,
      });
      return type;
    }
    const variable = variableName(uid);
    if (variable !== undefined) {
      const defined = this.context.variables.get(variable);
      if (!defined || defined.type !== 'datasource')
        this.out.add({
          code: code('undefined-variable'),
          message: `${where}: datasource ${quoteJson(uid)} refers to ${defined ? `variable "${variable}" of type ${defined.type}` : `an undefined variable "${variable}"`}, not a datasource variable`,
          path: uidPath,
          hint: 'define a templating variable of type datasource, or use a provisioned uid',
        });
      return type;
    }
    const { datasourceUids, datasourceNames = [], datasourcesUnknown } = this.context.options;
    if (
      datasourcesUnknown !== true &&
      !datasourceUids.includes(uid) &&
      !(typeof ref === 'string' && datasourceNames.includes(uid))
    )
      this.out.add({
        code: code('unknown-datasource'),
        message: `${where}: datasource uid ${quoteJson(uid)} is not provisioned`,
        path: uidPath,
        hint: `provisioned datasource uids: ${datasourceUids.join(', ') || 'none'}`,
      });
    return type;
  }

  /** Parses a Prometheus query after replacing Grafana variables. */
  promql(expr: string, path: ObjectPath, where: string, options: PromqlOptions): void {
    const substitution = substituteVariables(expr, this.context.variables);
    for (const variable of substitution.undefinedVariables)
      this.out.add({
        code: code('undefined-variable'),
        message: `${where}: the query uses $${variable.name}, which the dashboard does not define`,
        path,
        hint: 'Grafana leaves an unknown variable in the query text and Prometheus rejects it; define it under templating.list or fix the name',
      });
    const result = parsePromql(substitution.text, {
      ...options,
      typeCheck: !substitution.untyped,
    });
    if (result.ok) return;
    const offset = substitution.originalOffsets[result.error.offset] ?? 0;
    const { line, column } = offsetPosition(expr, offset);
    this.out.add({
      code: result.error.code,
      message: `${where}: invalid PromQL at ${line}:${column}: ${result.error.message}`,
      path,
      hint: result.error.hint ?? 'Grafana shows this panel with a query error',
    });
  }

  panel(panel: unknown, path: ObjectPath): void {
    if (!isRecord(panel)) {
      this.out.add({
        code: code('invalid-panel'),
        message: `a panel is ${describe(panel)}, not an object`,
        path,
      });
      return;
    }
    const title = typeof panel.title === 'string' && panel.title !== '' ? panel.title : undefined;
    const id = panel.id;
    const label = `panel ${title ? quoteJson(title) : String(path[path.length - 1])}${typeof id === 'number' ? ` (id ${id})` : ''}`;
    if (id !== undefined && id !== null) {
      if (typeof id !== 'number' || !Number.isInteger(id)) {
        this.out.add({
          code: code('invalid-panel-id'),
          message: `${label}: the id must be an integer, not ${describe(id)}`,
          path: [...path, 'id'],
        });
      } else {
        const previous = this.panelIds.get(id);
        if (previous !== undefined)
          this.out.add({
            code: code('duplicate-panel-id'),
            message: `${label}: panel id ${id} is already used by ${previous}`,
            path: [...path, 'id'],
            hint: 'panel ids identify panels in links, alerts and library panels; give every panel, rows and nested panels included, its own id',
          });
        else this.panelIds.set(id, label);
      }
    }
    const panelType = this.datasource(panel.datasource, [...path, 'datasource'], label);
    const targets = panel.targets;
    if (Array.isArray(targets)) {
      targets.forEach((target: unknown, index) => {
        this.target(target, [...path, 'targets', index], label, panelType);
      });
    } else if (targets !== undefined && targets !== null) {
      this.out.add({
        code: code('invalid-panel'),
        message: `${label}: targets must be a list, not ${describe(targets)}`,
        path: [...path, 'targets'],
      });
    }
    const nested = panel.panels;
    if (Array.isArray(nested))
      nested.forEach((child: unknown, index) => {
        this.panel(child, [...path, 'panels', index]);
      });
  }

  target(
    target: unknown,
    path: ObjectPath,
    panelLabel: string,
    panelType: string | undefined,
  ): void {
    if (!isRecord(target)) {
      this.out.add({
        code: code('invalid-panel'),
        message: `${panelLabel}: a query is ${describe(target)}, not an object`,
        path,
      });
      return;
    }
    const refId = typeof target.refId === 'string' ? target.refId : String(path[path.length - 1]);
    const where = `${panelLabel} query ${refId}`;
    const type = this.datasource(target.datasource, [...path, 'datasource'], where) ?? panelType;
    const expr = target.expr;
    if (expr === undefined || expr === null || expr === '') return;
    if (type !== undefined && type !== 'prometheus') return;
    if (typeof expr !== 'string') {
      this.out.add({
        code: code('invalid-panel'),
        message: `${where}: expr must be a string, not ${describe(expr)}`,
        path: [...path, 'expr'],
      });
      return;
    }
    const instantOnly = target.instant === true && target.range !== true;
    this.promql(expr, [...path, 'expr'], where, {
      ...(instantOnly
        ? {}
        : { resultTypes: ['vector', 'scalar'], resultContext: 'a range query (graph)' }),
    });
  }

  variable(variable: Record<string, unknown>, path: ObjectPath): void {
    const name = typeof variable.name === 'string' ? variable.name : String(path[path.length - 1]);
    const where = `variable ${quoteJson(name)}`;
    const type = this.datasource(variable.datasource, [...path, 'datasource'], where);
    if (variable.type !== 'query' || (type !== undefined && type !== 'prometheus')) return;
    const query = isRecord(variable.query) ? variable.query.query : variable.query;
    if (typeof query !== 'string') return;
    const queryPath = isRecord(variable.query) ? [...path, 'query', 'query'] : [...path, 'query'];
    // label_values(selector, label) and query_result(expr) wrap PromQL.
    const labelValues = /^\s*label_values\(\s*(.*?)\s*,\s*\w+\s*\)\s*$/s.exec(query);
    const queryResult = /^\s*query_result\(\s*(.*)\s*\)\s*$/s.exec(query);
    const inner = labelValues?.[1] ?? queryResult?.[1];
    if (inner !== undefined) this.promql(inner, queryPath, where, {});
  }
}

/** Checks a parsed dashboard JSON. */
export function checkDashboard(
  dashboard: unknown,
  source: FindingSource,
  options: DashboardCheckOptions,
): Finding[] {
  const out = new FindingCollector(source);
  if (!isRecord(dashboard)) {
    out.add({
      code: code('invalid-dashboard'),
      message: `a dashboard is a JSON object, not ${describe(dashboard)}`,
      path: [],
    });
    return out.findings;
  }
  // A dashboard exported for sharing wraps the model: {dashboard: {...}} is an API payload.
  if (isRecord(dashboard.dashboard) && dashboard.panels === undefined)
    out.add({
      code: code('invalid-dashboard'),
      message: 'the file is an API payload ({dashboard: ...}), not a dashboard model',
      path: ['dashboard'],
      at: 'key',
      hint: 'file provisioning expects the dashboard object itself at the top level',
    });
  const title = dashboard.title;
  if (typeof title !== 'string' || title.trim() === '')
    out.add({
      code: code('missing-title'),
      message: 'Dashboard title cannot be empty',
      path: ['title'],
      hint: 'Grafana refuses to provision a dashboard without a title',
    });
  const uid = dashboard.uid;
  if (uid === undefined || uid === null || uid === '') {
    out.add({
      code: code('missing-uid'),
      message:
        'the dashboard has no uid: Grafana generates a random one, so its URL changes on every fresh install',
      path: ['uid'],
      hint: 'set a fixed uid such as "mlflow-monitoring"',
    });
  } else if (typeof uid !== 'string') {
    out.add({
      code: code('invalid-uid'),
      message: `the dashboard uid must be a string, not ${describe(uid)}`,
      path: ['uid'],
    });
  } else if (uid.length > maxUidLength) {
    out.add({
      code: code('uid-too-long'),
      message: `the dashboard uid is ${uid.length} characters long; Grafana allows at most ${maxUidLength}`,
      path: ['uid'],
      hint: 'shorten the uid; Grafana rejects the dashboard otherwise',
    });
  } else if (!uidPattern.test(uid)) {
    out.add({
      code: code('invalid-uid'),
      message: `the dashboard uid ${quoteJson(uid)} contains characters other than letters, digits, - and _`,
      path: ['uid'],
    });
  }
  if (dashboard.id !== undefined && dashboard.id !== null)
    out.add({
      code: code('dashboard-id-set'),
      severity: 'warning',
      message: `the dashboard has a database id (${describe(dashboard.id)}); provisioned dashboards should set "id": null`,
      path: ['id'],
      hint: 'ids are per Grafana database; the uid is what identifies a provisioned dashboard',
    });
  const variables = new Map<string, DashboardVariable>();
  const templating = isRecord(dashboard.templating) ? dashboard.templating.list : undefined;
  const variableList = Array.isArray(templating) ? templating : [];
  variableList.forEach((variable: unknown) => {
    if (!isRecord(variable) || typeof variable.name !== 'string') return;
    const current = isRecord(variable.current) ? variable.current.value : undefined;
    const currentValue = Array.isArray(current) ? (current as unknown[])[0] : current;
    variables.set(variable.name, {
      name: variable.name,
      type: typeof variable.type === 'string' ? variable.type : 'query',
      ...(typeof currentValue === 'string' ? { current: currentValue } : {}),
    });
  });
  const checker = new DashboardChecker(out, {
    variables,
    options,
    hasInputs: Array.isArray(dashboard.__inputs),
  });
  variableList.forEach((variable: unknown, index) => {
    if (isRecord(variable)) checker.variable(variable, ['templating', 'list', index]);
  });
  const annotations = isRecord(dashboard.annotations) ? dashboard.annotations.list : undefined;
  if (Array.isArray(annotations))
    annotations.forEach((annotation: unknown, index) => {
      if (!isRecord(annotation)) return;
      const name = typeof annotation.name === 'string' ? annotation.name : String(index);
      checker.datasource(
        annotation.datasource,
        ['annotations', 'list', index, 'datasource'],
        `annotation ${quoteJson(name)}`,
      );
    });
  const panels = dashboard.panels;
  if (!Array.isArray(panels)) {
    out.add({
      code: code('missing-panels'),
      message:
        panels === undefined
          ? 'the dashboard has no panels list'
          : `panels must be a list, not ${describe(panels)}`,
      path: ['panels'],
      hint: 'a dashboard model has a top-level "panels": [...] (rows keep their collapsed panels in row.panels)',
    });
    return out.findings;
  }
  panels.forEach((panel: unknown, index) => {
    checker.panel(panel, ['panels', index]);
  });
  return out.findings;
}
