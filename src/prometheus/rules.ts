/**
 * Checks a Prometheus rule file (`{groups: [...]}`, also the `spec` of a PrometheusRule) the way
 * Prometheus' `rulefmt` and PromQL parser would when loading it, plus a few warnings for rules
 * that load but do not serve their purpose: known keys only, durations, unique group names,
 * every `expr` parsed and type-checked, record names and label names valid, alert label and
 * annotation templates parsed as Go templates, a `severity` label and `summary`/`description`
 * annotations on every alert, no duplicate rules (promtool's lint). Pure.
 */
import type { Finding } from '../findings.js';
import { durationHint, durationOf } from './duration.js';
import { alertTemplateOptions, checkGoTemplate } from './go-template.js';
import {
  isValidLabelName,
  isValidMetricName,
  labelNameHint,
  metricNameHint,
  type NameOptions,
} from './names.js';
import { offsetPosition, parsePromql, type ValueType } from './promql.js';
import {
  checkKnownKeys,
  describe,
  FindingCollector,
  isRecord,
  type FindingSource,
  type ObjectPath,
} from './source.js';
import { quoteJson } from '../text-safety.js';

export type RuleCheckOptions = NameOptions;

const fileKeys = new Set(['groups']);
const groupKeys = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules']);
const ruleKeys = new Set([
  'alert',
  'record',
  'expr',
  'for',
  'keep_firing_for',
  'labels',
  'annotations',
]);
const alertOnlyKeys = ['for', 'keep_firing_for', 'annotations'] as const;

/** Annotations every alert should carry, and the label that routes it. */
export const requiredAnnotations = ['summary', 'description'] as const;
export const severityLabel = 'severity';

/** Where a PromQL error sits, for messages: `1:23` inside the expression. */
function where(expr: string, offset: number): string {
  const { line, column } = offsetPosition(expr, offset);
  return `${line}:${column}`;
}

class RuleChecker {
  /**
   * Rules by name and labels, across the file: promtool's lint (`checkDuplicates` in
   * cmd/promtool/main.go, 2.42) compares every rule of the file by name and its own labels.
   */
  private readonly seenRules = new Map<string, { group: string; rule: number }>();

  constructor(
    private readonly out: FindingCollector,
    private readonly options: RuleCheckOptions,
  ) {}

  private get scheme(): 'legacy' | 'utf8' {
    return this.options.nameValidation ?? 'legacy';
  }

  duration(value: unknown, path: ObjectPath, key: string): void {
    if (value === undefined || value === null) return;
    if (durationOf(value) === undefined)
      this.out.add({
        code: 'prometheus-rules/invalid-duration',
        message: `${key}: ${describe(value)} is not a valid duration`,
        path,
        hint: durationHint,
      });
  }

  /** Labels or annotations: a mapping of valid names to strings, optionally templates. */
  labelMap(
    value: unknown,
    path: ObjectPath,
    what: 'label' | 'annotation',
    templated: string | undefined,
  ): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) {
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `${what}s must be a mapping of names to strings, not ${describe(value)}`,
        path,
      });
      return {};
    }
    for (const [name, text] of Object.entries(value)) {
      if (!isValidLabelName(name, this.scheme))
        this.out.add({
          code: `prometheus-rules/invalid-${what}-name`,
          message: `invalid ${what} name ${quoteJson(name)}`,
          path: [...path, name],
          at: 'key',
          hint: labelNameHint,
        });
      if (typeof text !== 'string' && typeof text !== 'number' && typeof text !== 'boolean') {
        this.out.add({
          code: 'prometheus-rules/invalid-type',
          message: `${what} ${name}: the value must be a string, not ${describe(text)}`,
          path: [...path, name],
        });
        continue;
      }
      if (templated !== undefined && typeof text === 'string') {
        const error = checkGoTemplate(text, alertTemplateOptions);
        if (error)
          this.out.add({
            code: 'prometheus-rules/invalid-template',
            message: `${what} ${quoteJson(name)} of alert ${templated}: template: ${error.message} (at character ${error.offset + 1})`,
            path: [...path, name],
            hint: 'Go text/template: use {{ $labels.name }}, {{ $value }}, {{ printf "%.2f" $value }}, {{ humanize $value }}; every {{ needs }} and every if/range/with an {{ end }}',
          });
      }
    }
    return value;
  }

  expr(value: unknown, path: ObjectPath, ruleName: string, kind: 'alert' | 'record'): void {
    if (value === undefined || value === null || value === '') {
      this.out.add({
        code: 'prometheus-rules/missing-expr',
        message: `rule ${ruleName} has no expr`,
        path,
        hint: 'every rule needs a PromQL expression in `expr`',
      });
      return;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `expr of rule ${ruleName} must be a string, not ${describe(value)}`,
        path,
      });
      return;
    }
    const expr = String(value);
    const result = parsePromql(expr, { nameValidation: this.scheme });
    if (!result.ok) {
      const { error } = result;
      this.out.add({
        code: error.code,
        message: `rule ${ruleName}: could not parse expression: ${where(expr, error.offset)}: ${error.message}`,
        path,
        hint: error.hint ?? 'see https://prometheus.io/docs/prometheus/latest/querying/basics/',
      });
      return;
    }
    this.resultType(result.type, path, ruleName, kind);
  }

  /**
   * The type of a rule's result, as Prometheus' rule manager takes it (rules/manager.go,
   * EngineQueryFunc): an instant vector, or a scalar as one sample without labels; anything
   * else fails every evaluation with "rule result is not a vector or scalar". promtool 2.42
   * only parses the expression and accepts all of them.
   */
  private resultType(
    type: ValueType,
    path: ObjectPath,
    ruleName: string,
    kind: 'alert' | 'record',
  ): void {
    const what = kind === 'alert' ? 'alert' : 'recording rule';
    const needs =
      kind === 'alert'
        ? 'an alert needs an instant vector'
        : 'a recording rule needs an instant vector or a scalar';
    if (type === 'matrix' || type === 'string')
      this.out.add({
        code: 'promql/result-type',
        message: `${what} ${ruleName}: the expression is ${type === 'matrix' ? 'a range vector' : 'a string'}; ${needs}: Prometheus loads the rule, then fails every evaluation with "rule result is not a vector or scalar"`,
        path,
        hint:
          type === 'matrix'
            ? 'wrap the range selector in a function such as rate() or max_over_time()'
            : 'a string is no result: compare or compute an instant vector',
      });
    else if (type === 'scalar' && kind === 'alert')
      this.out.add({
        code: 'prometheus-rules/scalar-alert',
        severity: 'warning',
        message: `alert ${ruleName}: the expression is a scalar; ${needs}: Prometheus makes the scalar one sample without labels, so the alert fires at every evaluation whatever its value`,
        path,
        hint: 'compare an instant vector so that the rule selects the failing series, e.g. sum(up{job="x"}) < 1',
      });
  }

  rule(
    rule: unknown,
    path: ObjectPath,
    groupName: string,
  ): { key?: string; kind?: 'alert' | 'record'; name?: string } {
    if (!isRecord(rule)) {
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `a rule of group ${groupName} is ${describe(rule)}, not a mapping`,
        path,
      });
      return {};
    }
    checkKnownKeys(this.out, rule, ruleKeys, path, 'prometheus-rules/unknown-field', 'a rule');
    const hasAlert = rule.alert !== undefined && rule.alert !== null && rule.alert !== '';
    const hasRecord = rule.record !== undefined && rule.record !== null && rule.record !== '';
    const named = hasAlert ? rule.alert : rule.record;
    const name = typeof named === 'string' ? named : describe(named);
    const label = `${quoteJson(name)} in group ${quoteJson(groupName)}`;
    if (hasAlert && hasRecord) {
      this.out.add({
        code: 'prometheus-rules/alert-and-record',
        message: `rule ${label}: only one of 'record' and 'alert' must be set`,
        path: [...path, 'record'],
        at: 'key',
        hint: 'split it into an alerting rule (alert:) and a recording rule (record:)',
      });
    } else if (!hasAlert && !hasRecord) {
      this.out.add({
        code: 'prometheus-rules/missing-name',
        message: `a rule of group ${quoteJson(groupName)} has neither 'alert' nor 'record'`,
        path,
        hint: 'alerting rules are named with `alert:`, recording rules with `record:`',
      });
    }
    for (const key of ['alert', 'record'] as const)
      if (rule[key] !== undefined && rule[key] !== null && typeof rule[key] !== 'string')
        this.out.add({
          code: 'prometheus-rules/invalid-type',
          message: `${key} must be a string, not ${describe(rule[key])}`,
          path: [...path, key],
        });
    this.expr(rule.expr, [...path, 'expr'], label, hasAlert && !hasRecord ? 'alert' : 'record');
    if (hasRecord && !hasAlert) {
      if (typeof rule.record === 'string' && !isValidMetricName(rule.record, this.scheme))
        this.out.add({
          code: 'prometheus-rules/invalid-record-name',
          message: `invalid recording rule name ${quoteJson(rule.record)}`,
          path: [...path, 'record'],
          hint: metricNameHint,
        });
      for (const key of alertOnlyKeys)
        if (rule[key] !== undefined)
          this.out.add({
            code: 'prometheus-rules/alert-field-in-record',
            message: `rule ${label}: invalid field '${key}' in recording rule`,
            path: [...path, key],
            at: 'key',
            hint: `'${key}' only applies to alerting rules`,
          });
      this.labelMap(rule.labels, [...path, 'labels'], 'label', undefined);
      return { key: JSON.stringify([name, sortedEntries(rule.labels)]), kind: 'record', name };
    }
    this.duration(rule.for, [...path, 'for'], 'for');
    this.duration(rule.keep_firing_for, [...path, 'keep_firing_for'], 'keep_firing_for');
    const labels = this.labelMap(rule.labels, [...path, 'labels'], 'label', label);
    const annotations = this.labelMap(
      rule.annotations,
      [...path, 'annotations'],
      'annotation',
      label,
    );
    if (hasAlert && !hasRecord) {
      if (labels[severityLabel] === undefined || labels[severityLabel] === '')
        this.out.add({
          code: 'prometheus-rules/missing-severity',
          severity: 'warning',
          message: `alert ${label} has no ${severityLabel} label`,
          path: [...path, 'labels', severityLabel],
          hint: 'add labels: {severity: critical|warning|info} so that Alertmanager can route it',
        });
      for (const annotation of requiredAnnotations)
        if (typeof annotations[annotation] !== 'string' || annotations[annotation] === '')
          this.out.add({
            code: 'prometheus-rules/missing-annotation',
            severity: 'warning',
            message: `alert ${label} has no ${annotation} annotation`,
            path: [...path, 'annotations', annotation],
            hint:
              annotation === 'summary'
                ? 'add annotations.summary: one short, static line shown in notifications'
                : 'add annotations.description: what happened, with {{ $labels.* }} and {{ $value }}',
          });
    }
    return hasAlert && !hasRecord
      ? { key: JSON.stringify([name, sortedEntries(rule.labels)]), kind: 'alert', name }
      : {};
  }

  group(group: unknown, path: ObjectPath, names: Map<string, number>): void {
    if (!isRecord(group)) {
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `a rule group is ${describe(group)}, not a mapping`,
        path,
      });
      return;
    }
    checkKnownKeys(
      this.out,
      group,
      groupKeys,
      path,
      'prometheus-rules/unknown-field',
      'a rule group',
    );
    const name = group.name;
    if (typeof name !== 'string' || name === '') {
      this.out.add({
        code: 'prometheus-rules/missing-group-name',
        message: 'Groupname must not be empty',
        path: [...path, 'name'],
        hint: 'give every group a `name`, unique in the file',
      });
    } else if (names.has(name)) {
      this.out.add({
        code: 'prometheus-rules/duplicate-group',
        message: `groupname: ${quoteJson(name)} is repeated in the same file`,
        path: [...path, 'name'],
        hint: `group ${String(names.get(name))} has the same name; group names must be unique per file`,
      });
    } else {
      names.set(name, Number(path[path.length - 1] ?? 0));
    }
    this.duration(group.interval, [...path, 'interval'], 'interval');
    this.duration(group.query_offset, [...path, 'query_offset'], 'query_offset');
    if (
      group.limit !== undefined &&
      group.limit !== null &&
      !(typeof group.limit === 'number' && Number.isInteger(group.limit))
    )
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `limit must be an integer, not ${describe(group.limit)}`,
        path: [...path, 'limit'],
      });
    this.labelMap(group.labels, [...path, 'labels'], 'label', undefined);
    const rules = group.rules;
    if (rules === undefined || rules === null) return;
    if (!Array.isArray(rules)) {
      this.out.add({
        code: 'prometheus-rules/invalid-type',
        message: `rules must be a list, not ${describe(rules)}`,
        path: [...path, 'rules'],
      });
      return;
    }
    const groupName = typeof name === 'string' ? name : '';
    rules.forEach((rule: unknown, index) => {
      const rulePath = [...path, 'rules', index];
      const { key, kind, name: ruleName } = this.rule(rule, rulePath, groupName);
      if (key === undefined || kind === undefined) return;
      const previous = this.seenRules.get(key);
      if (previous === undefined) {
        this.seenRules.set(key, { group: groupName, rule: index + 1 });
        return;
      }
      this.out.add({
        code: 'prometheus-rules/duplicate-rule',
        severity: 'warning',
        message: `${kind === 'alert' ? 'alert' : 'recording rule'} ${quoteJson(ruleName ?? '')} has the same name and labels as rule ${previous.rule} of group ${quoteJson(previous.group)}`,
        path: [...rulePath, kind],
        hint: 'both produce the same series; remove one or tell them apart with a label such as severity',
      });
    });
  }
}

function sortedEntries(labels: unknown): [string, string][] {
  if (!isRecord(labels)) return [];
  return Object.entries(labels)
    .map(([name, value]): [string, string] => [name, JSON.stringify(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Checks a rule file object. `groups` is the parsed file (`{groups: [...]}`), a PrometheusRule's
 * `spec` (pass `basePath: ['spec']`), or the list of groups itself.
 */
export function checkRuleGroups(
  groups: unknown,
  source: FindingSource,
  options: RuleCheckOptions = {},
): Finding[] {
  const out = new FindingCollector(source);
  const checker = new RuleChecker(out, options);
  let list: unknown = groups;
  let listPath: ObjectPath = [];
  if (!Array.isArray(groups)) {
    if (!isRecord(groups)) {
      out.add({
        code: 'prometheus-rules/invalid-type',
        message: `a rule file is a mapping with \`groups\`, not ${describe(groups)}`,
        path: [],
      });
      return out.findings;
    }
    checkKnownKeys(out, groups, fileKeys, [], 'prometheus-rules/unknown-field', 'a rule file');
    list = groups.groups;
    listPath = ['groups'];
  }
  if (list === undefined || list === null) return out.findings;
  if (!Array.isArray(list)) {
    out.add({
      code: 'prometheus-rules/invalid-type',
      message: `groups must be a list, not ${describe(list)}`,
      path: listPath,
    });
    return out.findings;
  }
  const names = new Map<string, number>();
  list.forEach((group: unknown, index) => {
    checker.group(group, [...listPath, index], names);
  });
  return out.findings;
}
