/**
 * promtool's verdict on one file, read as promtool means it (`cmd/promtool/main.go`,
 * `CheckRules` and `CheckConfig`): the exit code decides (0: valid, 1: errors, 3: lint errors
 * with `--lint-fatal`), a lint error (`lint error N duplicate rule(s) found.`) is a warning
 * unless lint is fatal, and each problem becomes one finding however many lines promtool prints
 * for it: one per duplicate rule of a lint error, one per `line N:` of YAML unmarshal errors,
 * one per other error with its continuation lines. Each finding is located in the checked
 * object: through the YAML position promtool prints (`5:15:`, `line 6:`) in the text it read,
 * else through the group and rule it names; an error about a rule points at the rule. Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Finding } from '../findings.js';
import { FindingCollector, isRecord, type FindingSource, type ObjectPath } from './source.js';
import { quoteJson } from '../text-safety.js';

/** One problem promtool reports. */
export interface PromtoolProblem {
  /** promtool's words, without the file name and the YAML position. */
  message: string;
  /** A lint error (`--lint`), not a rejection. */
  lint: boolean;
  /** Line and column in the file promtool read, when it prints them. */
  line?: number;
  column?: number;
  /** The group and the 1-based rule promtool names. */
  group?: string;
  rule?: number;
  /** For a duplicate rule: its name and labels as promtool prints them. */
  duplicate?: { name: string; labels: Record<string, string> };
}

/** Go's %q of a group or rule name, read back (JSON for the common escapes). */
function goUnquote(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

/** The duplicate rules of promtool's `lint error ...` text, one problem each. */
function lintProblems(lines: readonly string[]): PromtoolProblem[] {
  const problems: PromtoolProblem[] = [];
  const tail = lines.find((line) => line.startsWith('Might cause')) ?? '';
  let current: PromtoolProblem | undefined;
  for (const line of lines) {
    const metric = /^Metric: (.*)$/.exec(line);
    if (metric) {
      current = { message: '', lint: true, duplicate: { name: metric[1] ?? '', labels: {} } };
      problems.push(current);
      continue;
    }
    const label = /^\t?([^:\s][^:]*): (.*)$/.exec(line);
    if (current?.duplicate && label && !line.startsWith('Might cause') && line !== 'Label(s):')
      current.duplicate.labels[label[1] ?? ''] = label[2] ?? '';
  }
  for (const problem of problems) {
    const { name, labels } = problem.duplicate ?? { name: '', labels: {} };
    const shown = Object.entries(labels).map(([key, value]) => `${key}=${quoteJson(value)}`);
    problem.message = `duplicate rule ${quoteJson(name)}${shown.length > 0 ? ` {${shown.join(', ')}}` : ''}: another rule of the file has the same name and labels${tail === '' ? '' : `; ${tail.charAt(0).toLowerCase()}${tail.slice(1)}`}`;
  }
  if (problems.length === 0)
    problems.push({ message: lines.join(' ').replace(/^lint error\s*/, ''), lint: true });
  return problems;
}

/** One error (its first line and continuation lines) as problems. */
function errorProblems(lines: readonly string[]): PromtoolProblem[] {
  const [first = '', ...rest] = lines;
  if (first.startsWith('lint error')) return lintProblems(lines);
  const entries = rest.map((line) => /^line (\d+): (.*)$/.exec(line));
  if (/yaml: unmarshal errors:$/.test(first) && entries.length > 0 && entries.every(Boolean)) {
    const prefix = first.replace(/yaml: unmarshal errors:$/, '');
    return entries.map((entry) => ({
      message: `${prefix}${entry?.[2] ?? ''}`,
      lint: false,
      line: Number(entry?.[1]),
    }));
  }
  let message = [first, ...rest].join(' ');
  const problem: PromtoolProblem = { message, lint: false };
  const position = /^(\d+):(\d+): (?:\d+:\d+: )?/.exec(message);
  if (position) {
    problem.line = Number(position[1]);
    problem.column = Number(position[2]);
    message = message.slice(position[0].length);
  }
  const yamlLine = /yaml: line (\d+):/.exec(message);
  if (yamlLine && problem.line === undefined) problem.line = Number(yamlLine[1]);
  const named = /^group "((?:[^"\\]|\\.)*)", rule (\d+)/.exec(message);
  if (named) {
    problem.group = goUnquote(named[1] ?? '');
    problem.rule = Number(named[2]);
  }
  problem.message = message;
  return [problem];
}

/**
 * The problems in promtool's output on one file (`file`: the path promtool read, as it prints
 * it; stdout and stderr in the order promtool wrote them). Identical problems count once:
 * promtool 2.42 prints some YAML errors twice.
 */
export function parsePromtoolOutput(output: string, file: string): PromtoolProblem[] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  const close = (): void => {
    if (current && current.length > 0) blocks.push(current);
    current = undefined;
  };
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd();
    const trimmed = line.trim();
    if (trimmed === '' || /^(?:Checking |SUCCESS)/.test(trimmed) || /^\S+ SUCCESS$/.test(trimmed)) {
      close();
      continue;
    }
    const failed = /^(?:\S+ )?FAILED:\s*(.*)$/.exec(trimmed);
    const body = failed ? (failed[1] ?? '') : line.startsWith('\t') ? line : trimmed;
    if (failed) close();
    if (body === '') continue;
    const starts =
      failed !== null ||
      body.startsWith(`${file}: `) ||
      body.startsWith('lint error') ||
      (current === undefined && !body.startsWith('line '));
    if (starts) {
      close();
      current = [body.startsWith(`${file}: `) ? body.slice(file.length + 2) : body];
    } else {
      (current ??= []).push(body);
    }
  }
  close();
  const seen = new Set<string>();
  return blocks.flatMap(errorProblems).filter((problem) => {
    const key = `${problem.message}|${problem.line ?? ''}|${problem.duplicate?.name ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The deepest path whose key or value starts at `line` (and `column`) of `text`. */
export function pathAtPosition(
  text: string,
  line: number,
  column?: number,
): { path: ObjectPath; at: 'key' | 'value' } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.1', uniqueKeys: false });
  let found: { path: ObjectPath; at: 'key' | 'value'; depth: number } | undefined;
  const consider = (offset: number | undefined, path: ObjectPath, at: 'key' | 'value'): void => {
    if (offset === undefined) return;
    const position = lineCounter.linePos(offset);
    if (position.line !== line || (column !== undefined && position.col !== column)) return;
    if (!found || path.length >= found.depth) found = { path, at, depth: path.length };
  };
  const walk = (node: Node | null | undefined, path: ObjectPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        consider(pair.key.range?.[0], childPath, 'key');
        const value = pair.value as Node | null;
        consider(value?.range?.[0], childPath, 'value');
        walk(value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const child = item as Node | null;
        consider(child?.range?.[0], [...path, index], 'value');
        walk(child, [...path, index]);
      });
    }
  };
  walk(doc.contents, []);
  return found ? { path: found.path, at: found.at } : undefined;
}

type Groups = { list: unknown[]; path: ObjectPath };

function groupsOf(value: unknown): Groups | undefined {
  if (Array.isArray(value)) return { list: value, path: [] };
  if (isRecord(value) && Array.isArray(value.groups))
    return { list: value.groups, path: ['groups'] };
  return undefined;
}

const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** Where the rules promtool reports as duplicates are: in file order. */
function duplicatePaths(
  groups: Groups,
  duplicate: NonNullable<PromtoolProblem['duplicate']>,
): { path: ObjectPath; group: string; rule: number }[] {
  const wanted = JSON.stringify(Object.entries(duplicate.labels).sort());
  const found: { path: ObjectPath; group: string; rule: number }[][] = [[], []];
  groups.list.forEach((group, groupIndex) => {
    if (!isRecord(group) || !Array.isArray(group.rules)) return;
    const groupLabels = isRecord(group.labels) ? group.labels : {};
    group.rules.forEach((rule: unknown, ruleIndex) => {
      if (!isRecord(rule)) return;
      const name = rule.alert !== undefined && rule.alert !== '' ? rule.alert : rule.record;
      if (textOf(name) !== duplicate.name) return;
      const own = isRecord(rule.labels) ? rule.labels : {};
      // promtool 2.x compares the rule's labels; 3.x the group's and the rule's together.
      [own, { ...groupLabels, ...own }].forEach((labels, index) => {
        const entries = Object.entries(labels).map(([key, value]) => [key, textOf(value)]);
        if (JSON.stringify(entries.sort()) === wanted)
          found[index]?.push({
            path: [...groups.path, groupIndex, 'rules', ruleIndex],
            group: textOf(group.name),
            rule: ruleIndex + 1,
          });
      });
    });
  });
  return (found[0]?.length ?? 0) >= 2 ? (found[0] ?? []) : (found[1] ?? []);
}

/** The path of the rule promtool names: by position, else by group name and rule number. */
function rulePath(problem: PromtoolProblem, groups: Groups | undefined, text: string): ObjectPath {
  const located =
    problem.line === undefined ? undefined : pathAtPosition(text, problem.line, problem.column);
  const rulesAt = located?.path.indexOf('rules') ?? -1;
  if (located && rulesAt !== -1 && typeof located.path[rulesAt + 1] === 'number')
    return located.path.slice(0, rulesAt + 2);
  if (!groups || problem.group === undefined || problem.rule === undefined) return [];
  const index = groups.list.findIndex((group) => isRecord(group) && group.name === problem.group);
  return index === -1 ? [] : [...groups.path, index, 'rules', problem.rule - 1];
}

/** A duration promtool refuses (`not a valid duration string: "5x"`), found in the value. */
function durationPath(message: string, groups: Groups | undefined): ObjectPath {
  const bad = /not a valid duration string: "(.*)"/.exec(message)?.[1];
  if (bad === undefined || !groups) return [];
  for (const [groupIndex, group] of groups.list.entries()) {
    if (!isRecord(group)) continue;
    for (const key of ['interval', 'query_offset'])
      if (textOf(group[key]) === bad) return [...groups.path, groupIndex, key];
    const rules = Array.isArray(group.rules) ? (group.rules as unknown[]) : [];
    for (const [ruleIndex, rule] of rules.entries())
      for (const key of ['for', 'keep_firing_for'])
        if (isRecord(rule) && textOf(rule[key]) === bad)
          return [...groups.path, groupIndex, 'rules', ruleIndex, key];
  }
  return [];
}

export interface PromtoolVerdict {
  kind: 'rules' | 'config';
  /** promtool's exit code for the run that checked the file. */
  exitCode: number;
  /** promtool's output on this file (its section, for a run on several files). */
  output: string;
  /** The path promtool read, as it prints it. */
  file: string;
  /** The text promtool read, for its positions. */
  text: string;
  /** The checked object (rule file, PrometheusRule spec, list of groups or configuration). */
  value: unknown;
  source: FindingSource;
}

/** promtool's verdict on one file as findings: one per problem, located. */
export function promtoolFindings(verdict: PromtoolVerdict): Finding[] {
  const { kind, exitCode, output, file, text, value, source } = verdict;
  const out = new FindingCollector(source);
  const problems = parsePromtoolOutput(output, file);
  const groups = kind === 'rules' ? groupsOf(value) : undefined;
  if (problems.length === 0 && exitCode !== 0 && exitCode !== 3) {
    const detail = output.split(file).join(source.file).trim().split('\n').slice(0, 6).join(' ');
    out.add({
      code: `promtool/check-${kind}`,
      message: `promtool: exited with code ${exitCode}${detail === '' ? '' : `: ${detail}`}`,
      path: [],
      hint: `\`promtool check ${kind}\` rejects the file`,
    });
    return out.findings;
  }
  for (const problem of problems) {
    if (problem.lint) {
      const places = problem.duplicate && groups ? duplicatePaths(groups, problem.duplicate) : [];
      const [first, ...later] = places;
      const at = later[0] ?? first;
      const where =
        first && later.length > 0
          ? ` (first defined in group ${quoteJson(first.group)}, rule ${first.rule})`
          : '';
      out.add({
        code: 'promtool/lint',
        severity: exitCode === 3 ? 'error' : 'warning',
        message: `promtool lint: ${problem.message}${where}`,
        path: at?.path ?? [],
        hint: 'remove one of the rules, or tell them apart with a label',
      });
      continue;
    }
    let path: ObjectPath = [];
    let at: 'key' | 'value' = 'value';
    if (problem.group !== undefined) {
      path = rulePath(problem, groups, text);
    } else if (problem.line !== undefined) {
      const located = pathAtPosition(text, problem.line, problem.column);
      if (located) ({ path, at } = located);
    } else {
      path = durationPath(problem.message, groups);
    }
    out.add({
      code: `promtool/check-${kind}`,
      severity: exitCode === 0 ? 'warning' : 'error',
      message: `promtool: ${problem.message.split(file).join(source.file)}`,
      path,
      at,
      hint: `\`promtool check ${kind}\` rejects the file`,
    });
  }
  return out.findings;
}
