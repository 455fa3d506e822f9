/**
 * Relabel rules (`relabel_configs`, `metric_relabel_configs`, `alert_relabel_configs`,
 * `write_relabel_configs`) checked as Prometheus' `relabel.Config.Validate` does: a known
 * action, a target label where the action needs one, only `regex` for labeldrop/labelkeep, a
 * modulus for hashmod, label names, and a regex that compiles as RE2. Pure.
 */
import { isValidLabelName, labelNameHint, type NameValidation } from './names.js';
import { compileRe2 } from './re2.js';
import {
  checkKnownKeys,
  closest,
  describe,
  isRecord,
  type FindingCollector,
  type ObjectPath,
} from './source.js';
import { quoteJson } from '../text-safety.js';

export const relabelActions = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;

const relabelKeys = new Set([
  'source_labels',
  'separator',
  'regex',
  'modulus',
  'target_label',
  'replacement',
  'action',
]);

const needsTarget = new Set([
  'replace',
  'hashmod',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
]);

/** `target_label` of replace may use capture groups: `${1}`, `$name`. */
const legacyTargetTemplate = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

const code = (suffix: string): string => `prometheus-config/${suffix}`;

function checkRelabelConfig(
  out: FindingCollector,
  rule: unknown,
  path: ObjectPath,
  scheme: NameValidation,
): void {
  if (!isRecord(rule)) {
    out.add({
      code: code('invalid-type'),
      message: `a relabel rule is ${describe(rule)}, not a mapping`,
      path,
      hint: 'empty or null relabeling rules are rejected',
    });
    return;
  }
  checkKnownKeys(out, rule, relabelKeys, path, code('unknown-field'), 'a relabel rule');
  const rawAction = rule.action ?? 'replace';
  const action = typeof rawAction === 'string' ? rawAction.toLowerCase() : '';
  if (!(relabelActions as readonly string[]).includes(action)) {
    const suggestion =
      typeof rawAction === 'string' ? closest(rawAction, relabelActions) : undefined;
    out.add({
      code: code('invalid-relabel-action'),
      message:
        action === ''
          ? 'relabel action cannot be empty'
          : `unknown relabel action ${describe(rawAction)}`,
      path: [...path, 'action'],
      hint: suggestion
        ? `did you mean \`${suggestion}\`? Actions: ${relabelActions.join(', ')}`
        : `actions: ${relabelActions.join(', ')}`,
    });
    return;
  }
  const sourceLabels = rule.source_labels;
  if (sourceLabels !== undefined && sourceLabels !== null) {
    if (!Array.isArray(sourceLabels)) {
      out.add({
        code: code('invalid-type'),
        message: `source_labels must be a list of label names, not ${describe(sourceLabels)}`,
        path: [...path, 'source_labels'],
      });
    } else {
      sourceLabels.forEach((name: unknown, index) => {
        if (typeof name !== 'string' || !isValidLabelName(name, scheme))
          out.add({
            code: code('invalid-label-name'),
            message: `${describe(name)} is not a valid label name in source_labels`,
            path: [...path, 'source_labels', index],
            hint: labelNameHint,
          });
      });
    }
  }
  const regex = rule.regex;
  if (regex !== undefined && regex !== null) {
    if (typeof regex !== 'string' && typeof regex !== 'number' && typeof regex !== 'boolean') {
      out.add({
        code: code('invalid-type'),
        message: `regex must be a string, not ${describe(regex)}`,
        path: [...path, 'regex'],
      });
    } else {
      const compiled = compileRe2(String(regex));
      if (!compiled.ok)
        out.add({
          code: code('invalid-regex'),
          message: `relabel regex ${describe(String(regex))}: ${compiled.message}`,
          path: [...path, 'regex'],
          hint:
            compiled.hint ??
            'relabel regexes are Go RE2, anchored at both ends (no lookarounds, no backreferences)',
        });
    }
  }
  const target = rule.target_label;
  const hasTarget = typeof target === 'string' && target !== '';
  if (needsTarget.has(action) && !hasTarget) {
    out.add({
      code: code('missing-target-label'),
      message: `relabel configuration for ${action} action requires 'target_label' value`,
      path: [...path, 'target_label'],
      hint: `set target_label to the label that ${action} writes`,
    });
  } else if (hasTarget) {
    const valid =
      action === 'replace' && scheme === 'legacy'
        ? legacyTargetTemplate.test(target)
        : action === 'replace' || isValidLabelName(target, scheme);
    if (!valid && needsTarget.has(action))
      out.add({
        code: code('invalid-label-name'),
        message: `${quoteJson(target)} is invalid 'target_label' for ${action} action`,
        path: [...path, 'target_label'],
        hint: labelNameHint,
      });
  }
  if (action === 'hashmod') {
    const modulus = rule.modulus;
    if (!(typeof modulus === 'number' && Number.isInteger(modulus) && modulus > 0))
      out.add({
        code: code('invalid-relabel-config'),
        message: 'relabel configuration for hashmod requires non-zero modulus',
        path: [...path, 'modulus'],
      });
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    const extra = ['source_labels', 'target_label', 'modulus', 'separator', 'replacement'].filter(
      (key) =>
        rule[key] !== undefined &&
        !(key === 'separator' && rule[key] === ';') &&
        !(key === 'replacement' && rule[key] === '$1'),
    );
    if (extra.length > 0)
      out.add({
        code: code('invalid-relabel-config'),
        message: `${action} action requires only 'regex', and no other fields (found ${extra.join(', ')})`,
        path: [...path, extra[0] ?? 'action'],
        at: 'key',
        hint: `${action} matches label names against regex; remove ${extra.join(', ')}`,
      });
  }
  if (action === 'keepequal' || action === 'dropequal') {
    const extra = ['regex', 'modulus', 'separator', 'replacement'].filter(
      (key) =>
        rule[key] !== undefined &&
        !(key === 'regex' && rule[key] === '(.*)') &&
        !(key === 'separator' && rule[key] === ';') &&
        !(key === 'replacement' && rule[key] === '$1'),
    );
    if (extra.length > 0)
      out.add({
        code: code('invalid-relabel-config'),
        message: `${action} action requires only 'source_labels' and 'target_label', and no other fields (found ${extra.join(', ')})`,
        path: [...path, extra[0] ?? 'action'],
        at: 'key',
      });
  }
  if ((action === 'lowercase' || action === 'uppercase') && rule.replacement !== undefined)
    out.add({
      code: code('invalid-relabel-config'),
      message: `'replacement' can not be set for ${action} action`,
      path: [...path, 'replacement'],
      at: 'key',
    });
  if (action === 'labelmap' && scheme === 'legacy') {
    const replacement = rule.replacement ?? '$1';
    if (typeof replacement !== 'string' || !legacyTargetTemplate.test(replacement))
      out.add({
        code: code('invalid-relabel-config'),
        message: `${describe(replacement)} is invalid 'replacement' for labelmap action`,
        path: [...path, 'replacement'],
        hint: 'labelmap writes label names: the replacement must be a label name or a template such as $1',
      });
  }
}

/** Checks a list of relabel rules at `path`. */
export function checkRelabelConfigs(
  out: FindingCollector,
  list: unknown,
  path: ObjectPath,
  scheme: NameValidation,
): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    out.add({
      code: code('invalid-type'),
      message: `${String(path[path.length - 1])} must be a list of relabel rules, not ${describe(list)}`,
      path,
    });
    return;
  }
  list.forEach((rule: unknown, index) => {
    checkRelabelConfig(out, rule, [...path, index], scheme);
  });
}
