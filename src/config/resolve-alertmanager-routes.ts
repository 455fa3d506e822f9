/**
 * The team's own Alertmanager routing: `alertmanager.routes`, `alertmanager.inhibitRules` and
 * `alertmanager.templates`, checked as Alertmanager checks alertmanager.yml when it loads it, so
 * that a mistake is reported at the environment file's line instead of by a pod that does not
 * start. Matchers are parsed by hand (no JavaScript library parses Alertmanager's syntax), to the
 * intersection of what Alertmanager 0.25's classic parser and the UTF-8 parser of 0.27 and later
 * both accept; regexes go through re2js (src/prometheus/re2.ts), templates through the Go
 * template checker (src/prometheus/go-template.ts) with Alertmanager's function set; time
 * intervals in resolve-alertmanager-time-intervals.ts. Pure (files come through the reader).
 */
import type { Problem } from '../errors.js';
import { parseDuration } from '../prometheus/duration.js';
import {
  checkGoTemplate,
  goBuiltinFunctions,
  type TemplateOptions,
} from '../prometheus/go-template.js';
import { isValidLabelName, labelNameHint } from '../prometheus/names.js';
import { compileRe2 } from '../prometheus/re2.js';
import { quoteValue } from '../text-safety.js';
import type {
  AlertmanagerInhibitRule,
  AlertmanagerTemplateFile,
  AlertmanagerTimeInterval,
  AlertmanagerUserRoute,
} from './environment.js';
import { didYouMean } from './hints.js';
import { resolveTimeIntervals } from './resolve-alertmanager-time-intervals.js';
import { readUserFiles, report, type ResolveContext } from './resolve-context.js';
import type { EnvironmentFile } from './schema.js';

type AlertmanagerInput = NonNullable<EnvironmentFile['alertmanager']>;
type RouteInput = NonNullable<AlertmanagerInput['routes']>[number];
type ChildRouteInput = NonNullable<RouteInput['routes']>[number];

export interface ParsedMatcher {
  name: string;
  operator: '=' | '!=' | '=~' | '!~';
  value: string;
}

export type MatcherParse =
  { ok: true; matcher: ParsedMatcher } | { ok: false; message: string; hint: string };

const matcherHint =
  'write one matcher per entry: label="value", label!="value", label=~"regex" or label!~"regex"';

/**
 * One Alertmanager matcher (`labels.ParseMatcher`): a label name, an operator and a value,
 * double-quoted or bare. Stricter than either Alertmanager parser alone where they disagree:
 * a bare value may not hold spaces, quotes, commas or braces (the UTF-8 parser splits there),
 * and a quoted value knows only the escapes `\\`, `\"` and `\n` (the classic parser keeps any
 * other backslash, the UTF-8 parser refuses it), so `\d` in a regex is written `\\d`.
 */
export function parseAlertmanagerMatcher(text: string): MatcherParse {
  const head = /^\s*([^\s=!~"]*)\s*(=~|!~|!=|=)\s*/.exec(text);
  if (!head) {
    return {
      ok: false,
      message: `${quoteValue(text)} is not a matcher: it has no operator (=, !=, =~, !~)`,
      hint: matcherHint,
    };
  }
  const name = head[1] ?? '';
  const operator = head[2] as ParsedMatcher['operator'];
  if (!isValidLabelName(name)) {
    return {
      ok: false,
      message: `${quoteValue(name)} in matcher ${quoteValue(text)} is not a valid label name`,
      hint: labelNameHint,
    };
  }
  const rest = text.slice(head[0].length).trimEnd();
  let value: string;
  if (rest.startsWith('"')) {
    const unquoted = unquoteMatcherValue(rest);
    if (!unquoted.ok)
      return {
        ok: false,
        message: `matcher ${quoteValue(text)}: ${unquoted.message}`,
        hint: unquoted.hint,
      };
    value = unquoted.value;
  } else {
    if (/[\s{}!=~,\\"'`]/.test(rest)) {
      return {
        ok: false,
        message: `the value of matcher ${quoteValue(text)} needs double quotes (it holds spaces or punctuation)`,
        hint: `quote the value: ${name}${operator}"${rest.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"; one matcher per entry`,
      };
    }
    value = rest;
  }
  if (operator === '=~' || operator === '!~') {
    const compiled = compileRe2(value);
    if (!compiled.ok) {
      return {
        ok: false,
        message: `the regex of matcher ${quoteValue(text)} is not valid RE2: ${compiled.message}`,
        hint: compiled.hint ?? 'Alertmanager regexes are Go RE2, anchored at both ends',
      };
    }
  }
  return { ok: true, matcher: { name, operator, value } };
}

function unquoteMatcherValue(
  quoted: string,
): { ok: true; value: string } | { ok: false; message: string; hint: string } {
  let value = '';
  for (let index = 1; index < quoted.length; index++) {
    const character = quoted.charAt(index);
    if (character === '"') {
      if (index !== quoted.length - 1) {
        return {
          ok: false,
          message: 'text follows the closing double quote',
          hint: `${matcherHint}; a quote inside the value is written \\"`,
        };
      }
      return { ok: true, value };
    }
    if (character === '\\') {
      const next = quoted[index + 1];
      if (next === '\\' || next === '"') value += next;
      else if (next === 'n') value += '\n';
      else {
        return {
          ok: false,
          message: `\\${next ?? ''} is not an escape Alertmanager's matcher parsers agree on`,
          hint: 'inside double quotes write \\\\ for a backslash (a regex \\d is written \\\\d), \\" for a quote, \\n for a newline',
        };
      }
      index++;
      continue;
    }
    value += character;
  }
  return { ok: false, message: 'the double-quoted value has no closing quote', hint: matcherHint };
}

function checkMatchers(
  matchers: readonly string[] | undefined,
  keyPath: string[],
  context: ResolveContext,
): void {
  matchers?.forEach((text, index) => {
    const parsed = parseAlertmanagerMatcher(text);
    if (!parsed.ok) {
      report(
        context,
        [...keyPath, String(index)],
        'config/alertmanager-matcher',
        parsed.message,
        parsed.hint,
      );
    }
  });
}

/**
 * Label names as Alertmanager's Route and InhibitRule loaders check them: each valid, none
 * twice, and for group_by the wildcard `...` only alone.
 */
function checkLabelList(
  labels: readonly string[] | undefined,
  keyPath: string[],
  context: ResolveContext,
  wildcard: boolean,
): void {
  if (labels === undefined) return;
  labels.forEach((label, index) => {
    const at = [...keyPath, String(index)];
    if (wildcard && label === '...') {
      if (labels.length > 1) {
        report(
          context,
          at,
          'config/alertmanager-group-by',
          'group_by cannot have the wildcard `...` and other labels at the same time (Alertmanager refuses it)',
          'use `...` alone to group by every label, or list the labels',
        );
      }
      return;
    }
    if (!isValidLabelName(label)) {
      report(
        context,
        at,
        'config/invalid-label-name',
        `${quoteValue(label)} is not a valid label name`,
        wildcard ? `${labelNameHint}; or \`...\` alone for every label` : labelNameHint,
      );
    } else if (labels.indexOf(label) !== index) {
      report(
        context,
        at,
        'config/duplicate-label',
        `label ${quoteValue(label)} is listed twice (Alertmanager refuses a duplicated label)`,
        'list each label once',
      );
    }
  });
}

/** Alertmanager refuses zero group_interval and repeat_interval (it would notify in a loop). */
function checkIntervals(route: ChildRouteInput, keyPath: string[], context: ResolveContext): void {
  for (const key of ['group_interval', 'repeat_interval'] as const) {
    const value = route[key];
    if (value !== undefined && parseDuration(value) === 0) {
      report(
        context,
        [...keyPath, key],
        'config/zero-duration',
        `${key} cannot be zero (Alertmanager refuses it)`,
        'give a positive duration such as 5m or 4h',
      );
    }
  }
}

/** What routes may refer to by name. */
interface RouteReferences {
  receivers: readonly string[];
  timeIntervals: readonly string[];
}

function resolveRoute(
  route: ChildRouteInput & { routes?: RouteInput['routes'] },
  keyPath: string[],
  references: RouteReferences,
  context: ResolveContext,
): AlertmanagerUserRoute {
  const receiverNames = references.receivers;
  if (route.receiver !== undefined && !receiverNames.includes(route.receiver)) {
    report(
      context,
      [...keyPath, 'receiver'],
      'config/unknown-receiver',
      `route receiver ${quoteValue(route.receiver)} is not one of the receivers (${receiverNames.join(', ')})`,
      didYouMean(route.receiver, receiverNames) ??
        'name one of alertmanager.receivers, or add it there',
    );
  }
  checkMatchers(route.matchers, [...keyPath, 'matchers'], context);
  checkLabelList(route.group_by, [...keyPath, 'group_by'], context, true);
  checkIntervals(route, keyPath, context);
  for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
    route[key]?.forEach((name, index) => {
      if (references.timeIntervals.includes(name)) return;
      report(
        context,
        [...keyPath, key, String(index)],
        'config/unknown-time-interval',
        `${quoteValue(name)} is not one of alertmanager.timeIntervals (Alertmanager refuses an undefined time interval)`,
        didYouMean(name, references.timeIntervals) ??
          'define it in alertmanager.timeIntervals (name and time_intervals)',
      );
    });
  }
  const children = route.routes?.map((child, index) =>
    resolveRoute(child, [...keyPath, 'routes', String(index)], references, context),
  );
  return {
    ...(route.receiver === undefined ? {} : { receiver: route.receiver }),
    ...(route.matchers === undefined ? {} : { matchers: [...route.matchers] }),
    ...(route.group_by === undefined ? {} : { group_by: [...route.group_by] }),
    ...(route.group_wait === undefined ? {} : { group_wait: route.group_wait }),
    ...(route.group_interval === undefined ? {} : { group_interval: route.group_interval }),
    ...(route.repeat_interval === undefined ? {} : { repeat_interval: route.repeat_interval }),
    ...(route.continue === undefined ? {} : { continue: route.continue }),
    ...(route.mute_time_intervals === undefined
      ? {}
      : { mute_time_intervals: [...route.mute_time_intervals] }),
    ...(route.active_time_intervals === undefined
      ? {}
      : { active_time_intervals: [...route.active_time_intervals] }),
    ...(children === undefined ? {} : { routes: children }),
  };
}

function resolveInhibitRule(
  rule: NonNullable<AlertmanagerInput['inhibitRules']>[number],
  keyPath: string[],
  context: ResolveContext,
): AlertmanagerInhibitRule {
  // Alertmanager accepts both lists empty, and an empty list matches every alert: a rule without
  // target matchers mutes every other alert while the source fires, without sources every alert
  // mutes its targets. Neither is ever meant.
  for (const [key, role] of [
    ['target_matchers', 'the alerts it mutes'],
    ['source_matchers', 'the alert that mutes'],
  ] as const) {
    if ((rule[key] ?? []).length === 0) {
      report(
        context,
        keyPath,
        'config/inhibit-rule-matchers',
        `an inhibit rule without ${key} would match every alert as ${role}`,
        `add ${key}, e.g. ${key === 'target_matchers' ? 'severity="warning"' : 'severity="critical"'}`,
      );
    }
  }
  checkMatchers(rule.source_matchers, [...keyPath, 'source_matchers'], context);
  checkMatchers(rule.target_matchers, [...keyPath, 'target_matchers'], context);
  checkLabelList(rule.equal, [...keyPath, 'equal'], context, false);
  return {
    source_matchers: [...(rule.source_matchers ?? [])],
    target_matchers: [...(rule.target_matchers ?? [])],
    equal: [...(rule.equal ?? [])],
  };
}

/**
 * Functions Alertmanager adds to Go's (template/template.go DefaultFuncs), up to 0.34: a
 * template using a newer one than the deployed version fails there, not here.
 */
export const alertmanagerTemplateFunctions: readonly string[] = [
  'toUpper',
  'toLower',
  'title',
  'trimSpace',
  'join',
  'match',
  'safeHtml',
  'safeUrl',
  'urlUnescape',
  'reReplaceAll',
  'stringSlice',
  'date',
  'tz',
  'since',
  'humanizeDuration',
  'toJson',
  'list',
  'append',
  'dict',
];

export const alertmanagerTemplateOptions: TemplateOptions = {
  functions: new Set([...goBuiltinFunctions, ...alertmanagerTemplateFunctions]),
  variables: [],
};

/**
 * ConfigMap keys allow `[-._a-zA-Z0-9]` only (Kubernetes' IsConfigMapKey); the prefix keeps the
 * team's files apart from alertmanager.yml, as the rules ConfigMap does.
 */
export function alertmanagerTemplateKey(path: string): string {
  return `user-${path.replace(/\//g, '-').replace(/[^-._a-zA-Z0-9]/g, '_')}`;
}

/**
 * Kubernetes refuses a ConfigMap over 1 MiB (MaxConfigMapSize); the templates share theirs with
 * alertmanager.yml, so they get a bit less.
 */
export const maxTemplateBytes = 900 * 1024;

/** 1-based line and column of an offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function resolveTemplates(
  patterns: readonly string[],
  context: ResolveContext,
): AlertmanagerTemplateFile[] {
  const templates: AlertmanagerTemplateFile[] = [];
  const pathsByKey = new Map<string, string>();
  patterns.forEach((pattern, index) => {
    const keyPath = ['alertmanager', 'templates', String(index)];
    for (const file of readUserFiles(context, keyPath, pattern)) {
      if (templates.some((template) => template.path === file.path)) continue;
      const key = alertmanagerTemplateKey(file.path);
      const other = pathsByKey.get(key);
      if (other !== undefined) {
        report(
          context,
          keyPath,
          'config/template-name-clash',
          `${file.path} and ${other} would both be shipped as ${key} in the Alertmanager ConfigMap`,
          'rename one of them: ConfigMap keys are the path with "/" turned into "-"',
        );
        continue;
      }
      pathsByKey.set(key, file.path);
      const error = checkGoTemplate(file.text, alertmanagerTemplateOptions);
      if (error) {
        const problem: Problem = {
          code: 'alertmanager-template/syntax',
          message: `template: ${error.message}`,
          file: file.file,
          ...positionOf(file.text, error.offset),
          hint: "Alertmanager refuses to start with a template that does not parse (amtool check-config says the same); functions are Go's and Alertmanager's (toUpper, join, reReplaceAll, ...), not Prometheus' (humanize, query)",
        };
        context.problems.push(problem);
        continue;
      }
      templates.push({ key, path: file.path, text: file.text });
    }
  });
  const bytes = templates.reduce((sum, template) => sum + Buffer.byteLength(template.text), 0);
  if (bytes > maxTemplateBytes) {
    report(
      context,
      ['alertmanager', 'templates'],
      'config/templates-too-large',
      `the templates hold ${bytes} bytes; with alertmanager.yml they would not fit the 1 MiB Kubernetes allows a ConfigMap`,
      `keep the templates under ${maxTemplateBytes} bytes in all`,
    );
  }
  return templates;
}

export interface AlertmanagerRouting {
  routes: AlertmanagerUserRoute[];
  inhibitRules: AlertmanagerInhibitRule[];
  templates: AlertmanagerTemplateFile[];
  timeIntervals: AlertmanagerTimeInterval[];
}

/** Checks and copies the team's routes, inhibit rules, templates and time intervals. */
export function resolveAlertmanagerRouting(
  input: AlertmanagerInput,
  receiverNames: readonly string[],
  context: ResolveContext,
): AlertmanagerRouting {
  const timeIntervals = resolveTimeIntervals(input.timeIntervals, context);
  const references: RouteReferences = {
    receivers: receiverNames,
    timeIntervals: timeIntervals.map((timeInterval) => timeInterval.name),
  };
  return {
    routes: (input.routes ?? []).map((route, index) =>
      resolveRoute(route, ['alertmanager', 'routes', String(index)], references, context),
    ),
    inhibitRules: (input.inhibitRules ?? []).map((rule, index) =>
      resolveInhibitRule(rule, ['alertmanager', 'inhibitRules', String(index)], context),
    ),
    templates: resolveTemplates(input.templates ?? [], context),
    timeIntervals,
  };
}
