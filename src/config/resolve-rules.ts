/**
 * `prometheus.additionalRuleFiles`: the team's own Prometheus rule files, read through the
 * environments folder's reader, checked as Prometheus would check them when loading them
 * (rulefmt keys, durations, unique group names, PromQL, Go templates, label names: the checks of
 * src/prometheus/rules.ts), with every error at the rule file's own line and column. A promtool
 * test `<name>.test.yml` (or `.test.yaml`) beside a rule file is shipped with it, its
 * `rule_files` rewritten to the names the rules get in the overlay. Pure (files come through the
 * reader).
 */
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../errors.js';
import type { Finding } from '../findings.js';
import { checkRuleGroups, loadSource } from '../prometheus/index.js';
import type { UserRuleFile } from './environment.js';
import {
  problemsFromFindings,
  readUserFiles,
  report,
  type ResolveContext,
} from './resolve-context.js';
import { UserFileError, type UserFile } from './user-files.js';

/** A promtool rule test file, by the convention this key follows. */
const testFilePattern = /\.test\.ya?ml$/;

/**
 * ConfigMap keys allow `[-._a-zA-Z0-9]` only (Kubernetes' IsConfigMapKey); the prefix keeps
 * the team's files apart from ours (prometheus.yml, alert-rules.yml).
 */
export function userRuleKey(path: string): string {
  return `user-${path.replace(/\//g, '-').replace(/[^-._a-zA-Z0-9]/g, '_')}`;
}

/**
 * Kubernetes refuses a ConfigMap over 1 MiB (MaxConfigMapSize, 1024 * 1024 bytes of data); the
 * rules share theirs with prometheus.yml and our rules, so the team's files get a bit less.
 */
export const maxUserRuleBytes = 900 * 1024;

const ruleFileHint =
  'Prometheus refuses to load a rule file with this error (promtool check rules says the same)';

const problemsOf = (findings: readonly Finding[]): Problem[] =>
  problemsFromFindings(findings, ruleFileHint);

function parsed(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    uniqueKeys: true,
    prettyErrors: false,
  });
  const at = (offset: number | undefined): Pick<Problem, 'line' | 'column'> => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return { doc, at };
}

/** YAML syntax errors (and duplicate keys, which Go's YAML reader refuses) at their line. */
function yamlProblems(file: UserFile, code: string, hint: string): Problem[] {
  const { doc, at } = parsed(file.text);
  return doc.errors.map((error) => ({
    code,
    message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+.*$/, ''),
    file: file.file,
    ...at(error.pos[0]),
    hint,
  }));
}

/** The test file beside a rule file, if any: `<name>.test.yml` or `<name>.test.yaml`. */
function testBeside(
  context: ResolveContext,
  keyPath: string[],
  rule: UserFile,
): UserFile | undefined {
  const stem = rule.path.replace(/\.ya?ml$/, '');
  for (const candidate of [`${stem}.test.yml`, `${stem}.test.yaml`]) {
    try {
      const [found] = context.files?.read(candidate) ?? [];
      if (found) return found;
    } catch (error) {
      if (!(error instanceof UserFileError)) throw error;
      if (error.code !== 'config/file-not-found') {
        report(context, keyPath, error.code, error.message, error.hint);
      }
    }
  }
  return undefined;
}

/**
 * promtool resolves a test's `rule_files` relative to the test file; in the overlay every file
 * lies flat in prometheus/ under its key, so each entry that names one of the shipped rule
 * files is rewritten to that key. An entry naming anything else would not exist there.
 */
function rewriteTest(
  test: UserFile,
  keysByPath: ReadonlyMap<string, string>,
  problems: Problem[],
): string | undefined {
  const syntax = yamlProblems(
    test,
    'prometheus-rule-test/syntax',
    'promtool test rules reads the test file as YAML',
  );
  if (syntax.length > 0) {
    problems.push(...syntax);
    return undefined;
  }
  const { doc, at } = parsed(test.text);
  const ruleFiles = isMap(doc.contents) ? doc.contents.get('rule_files', true) : undefined;
  if (!isSeq(ruleFiles)) {
    problems.push({
      code: 'prometheus-rule-test/rule-files',
      message: 'a promtool test file needs a `rule_files` list naming the rule file it tests',
      file: test.file,
      ...at(doc.contents?.range[0]),
      keyPath: 'rule_files',
      hint: `add rule_files: [${posix.basename(test.path).replace(testFilePattern, '.yaml')}]`,
    });
    return undefined;
  }
  const folder = posix.dirname(test.path);
  const before = problems.length;
  ruleFiles.items.forEach((item, index) => {
    const named = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
    const key = named === undefined ? undefined : keysByPath.get(posix.join(folder, named));
    if (isScalar(item) && key !== undefined) {
      item.value = key;
      return;
    }
    problems.push({
      code: 'prometheus-rule-test/rule-file-not-shipped',
      message: `rule_files names ${JSON.stringify(named ?? String(item))}, which is not one of the rule files prometheus.additionalRuleFiles ships`,
      file: test.file,
      ...at(isScalar(item) ? item.range?.[0] : undefined),
      keyPath: `rule_files[${String(index)}]`,
      hint: 'name the rule file relative to the test file, and list that rule file in prometheus.additionalRuleFiles',
    });
  });
  return problems.length === before ? doc.toString() : undefined;
}

/** Reads, checks and names the rule files of `prometheus.additionalRuleFiles`. */
export function resolveAdditionalRuleFiles(
  patterns: readonly string[],
  context: ResolveContext,
): UserRuleFile[] {
  const rules = new Map<string, { file: UserFile; keyPath: string[] }>();
  patterns.forEach((pattern, index) => {
    const keyPath = ['prometheus', 'additionalRuleFiles', String(index)];
    const before = context.problems.length;
    const matched = readUserFiles(context, keyPath, pattern).filter(
      (file) => !testFilePattern.test(file.path),
    );
    if (matched.length === 0 && context.problems.length === before) {
      report(
        context,
        keyPath,
        'config/file-not-found',
        `"${pattern}" matches only promtool test files (*.test.yml), no rule file`,
        'name the rule files; a test file beside a rule file is shipped with it on its own',
      );
    }
    for (const file of matched) if (!rules.has(file.path)) rules.set(file.path, { file, keyPath });
  });

  const keysByPath = new Map<string, string>();
  const pathsByKey = new Map<string, string>();
  for (const [path, { keyPath }] of rules) {
    const key = userRuleKey(path);
    const other = pathsByKey.get(key);
    // kustomize refuses a configMapGenerator with two files under one key.
    if (other !== undefined) {
      report(
        context,
        keyPath,
        'config/rule-file-name-clash',
        `${path} and ${other} would both be shipped as ${key} in the rules ConfigMap`,
        'rename one of them: ConfigMap keys are the path with "/" turned into "-"',
      );
      continue;
    }
    pathsByKey.set(key, path);
    keysByPath.set(path, key);
  }

  const resolved: UserRuleFile[] = [];
  let bytes = 0;
  for (const [path, { file, keyPath }] of rules) {
    const key = keysByPath.get(path);
    if (key === undefined) continue;
    const syntax = yamlProblems(
      file,
      'prometheus-rules/syntax',
      'Prometheus reads rule files as YAML',
    );
    context.problems.push(...syntax);
    const loaded = loadSource(file.file, file.text, { codePrefix: 'prometheus-rules' });
    if (syntax.length === 0) context.problems.push(...problemsOf(loaded.findings));
    if (syntax.length === 0 && loaded.value !== undefined) {
      context.problems.push(...problemsOf(checkRuleGroups(loaded.value, loaded.source)));
    }
    const testFile = testBeside(context, keyPath, file);
    const testText = testFile && rewriteTest(testFile, keysByPath, context.problems);
    bytes += Buffer.byteLength(file.text);
    resolved.push({
      path,
      key,
      text: file.text,
      content: loaded.value,
      test:
        testFile && testText !== undefined
          ? { path: testFile.path, key: userRuleKey(testFile.path), text: testText }
          : undefined,
    });
  }
  if (bytes > maxUserRuleBytes) {
    report(
      context,
      ['prometheus', 'additionalRuleFiles'],
      'config/rule-files-too-large',
      `the rule files add up to ${String(bytes)} bytes; with prometheus.yml and our rules the ConfigMap would pass the 1 MiB Kubernetes allows`,
      `keep them under ${String(maxUserRuleBytes)} bytes in all, or ship large rule sets as PrometheusRule objects (kustomize.resources)`,
    );
  }
  return resolved;
}
