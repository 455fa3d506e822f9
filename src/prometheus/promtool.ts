/**
 * Optional second opinion from the real `promtool`, when it is on PATH: rule groups (or a
 * configuration) are written to a temporary file, `promtool check rules` (or `check config
 * --syntax-only`) runs on it, and its verdict becomes findings with code `promtool/...`, read
 * as promtool means it by promtool-output.ts (the exit code decides; lint is a warning; one
 * finding per problem, located). Not pure: spawns a process and writes temporary files. Configurations with `kubernetes_sd_configs` are not sent to `check config`,
 * because Debian's promtool 2.42 is built without Kubernetes discovery and rejects them.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from '../findings.js';
import { promtoolFindings } from './promtool-output.js';
import { isRecord, type FindingSource } from './source.js';

export interface PromtoolOptions {
  /** `rules` (default) or `config`. */
  kind?: 'rules' | 'config';
  /** The promtool binary (default `promtool`, looked up on PATH). */
  binary?: string;
  timeoutMs?: number;
}

export interface PromtoolResult {
  /** False when promtool is not installed, or the input was not sent to it. */
  ran: boolean;
  /** Why it did not run. */
  skipped?: string;
  /** promtool's exit code when it ran. */
  exitCode?: number;
  output: string;
  findings: Finding[];
}

/**
 * Runs promtool with its standard output and standard error going to one file, so that its
 * output reads in the order promtool wrote it: it prints "Checking <file>" and SUCCESS on
 * standard output and FAILED and the errors on standard error, and two pipes read apart would
 * put every error after the last "Checking" line. The process is started synchronously.
 * Undefined when the binary is not there.
 */
function run(
  binary: string,
  args: string[],
  timeoutMs: number,
  cwd?: string,
): Promise<{ code: number; output: string } | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-gen-promtool-out-'));
  const outputFile = join(dir, 'output');
  const fd = openSync(outputFile, 'w');
  let output: string | undefined;
  // A failed start emits both "error" and "close": the output is read (and removed) once.
  const finish = (): string => {
    if (output === undefined) {
      output = readFileSync(outputFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
    }
    return output;
  };
  return new Promise((resolve, reject) => {
    const start = (): ReturnType<typeof spawn> => {
      try {
        return spawn(binary, args, {
          ...(cwd === undefined ? {} : { cwd }),
          stdio: ['ignore', fd, fd],
          timeout: timeoutMs,
          // One check needs one thread; more would take the core validation runs on.
          env: { ...process.env, GOMAXPROCS: '1' },
        });
      } finally {
        closeSync(fd); // the child holds its own copy
      }
    };
    const child = start();
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      if (error.code === 'ENOENT') resolve(undefined);
      else reject(error);
    });
    child.on('close', (code, signal) => {
      const text = finish();
      if (code === null)
        reject(new Error(`${binary} ${args.join(' ')} was stopped (${signal ?? 'no exit code'})`));
      else resolve({ code, output: text });
    });
  });
}

function hasKubernetesSd(config: unknown): boolean {
  if (!isRecord(config)) return false;
  const jobs = Array.isArray(config.scrape_configs) ? (config.scrape_configs as unknown[]) : [];
  const managers =
    isRecord(config.alerting) && Array.isArray(config.alerting.alertmanagers)
      ? (config.alerting.alertmanagers as unknown[])
      : [];
  return [...jobs, ...managers].some(
    (entry) => isRecord(entry) && entry.kubernetes_sd_configs !== undefined,
  );
}

/** promtool's verdict on one rule file: its part of the output. */
interface RuleSection {
  /** The temporary file promtool read (its name appears in the output). */
  file: string;
  output: string;
  /**
   * The exit code as it concerns this file: 0 when promtool reports it a SUCCESS (another file
   * of the same run may have failed), else the run's.
   */
  code: number;
}

/**
 * `promtool check rules` on rule file texts in one process. Written and started synchronously:
 * promtool runs on another core from this call on, even while the caller keeps the event loop
 * busy. Undefined when promtool is not on PATH.
 */
async function checkRuleTexts(
  texts: readonly string[],
  options: Omit<PromtoolOptions, 'kind'>,
): Promise<{ code: number; output: string; sections: Map<string, RuleSection> } | undefined> {
  const binary = options.binary ?? 'promtool';
  const dir = mkdtempSync(join(tmpdir(), 'gitops-gen-promtool-'));
  try {
    const files = texts.map((_, index) => join(dir, `rules-${index}.yml`));
    texts.forEach((text, index) => {
      writeFileSync(files[index] ?? '', text, 'utf8');
    });
    const result = await run(binary, ['check', 'rules', ...files], options.timeoutMs ?? 30_000);
    if (!result) return undefined;
    // The output is one section per file, each starting with "Checking <file>".
    const byFile = new Map<string, string>();
    let current: string | undefined;
    for (const line of result.output.split('\n')) {
      const header = /^Checking (.+)$/.exec(line.trim());
      if (header?.[1] !== undefined && files.includes(header[1])) current = header[1];
      if (current !== undefined) byFile.set(current, `${byFile.get(current) ?? ''}${line}\n`);
    }
    const sections = new Map<string, RuleSection>();
    texts.forEach((text, index) => {
      const file = files[index] ?? '';
      const output = byFile.get(file) ?? '';
      const code = /^\s*SUCCESS:/m.test(output) ? 0 : result.code;
      sections.set(text, { file, output, code });
    });
    return { code: result.code, output: result.output, sections };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type RuleItem = { value: unknown; text?: string; source: FindingSource };

/** promtool's part of the output on one rule file, as findings in the item's source. */
function sectionFindings(section: RuleSection, item: RuleItem): Finding[] {
  return promtoolFindings({
    kind: 'rules',
    exitCode: section.code,
    output: section.output,
    file: section.file,
    text: ruleText(item),
    value: item.value,
    source: item.source,
  });
}

/** The text promtool reads for a rule item: as written, else the value as YAML. */
function ruleText({ value, text }: RuleItem): string {
  return text ?? stringify(Array.isArray(value) ? { groups: value } : value);
}

/**
 * `promtool check rules` on several rule files in one process (one process start instead of
 * one per file); each file's part of the output becomes findings in its own source.
 */
export async function runPromtoolRules(
  items: readonly RuleItem[],
  options: Omit<PromtoolOptions, 'kind'> = {},
): Promise<PromtoolResult> {
  if (items.length === 0) return { ran: false, skipped: 'no rule files', output: '', findings: [] };
  const texts = items.map(ruleText);
  const result = await checkRuleTexts(texts, options);
  if (!result) {
    return {
      ran: false,
      skipped: `${options.binary ?? 'promtool'} is not on PATH`,
      output: '',
      findings: [],
    };
  }
  const findings = items.flatMap((item, index) => {
    const section = result.sections.get(texts[index] ?? '');
    return section ? sectionFindings(section, item) : [];
  });
  return { ran: true, exitCode: result.code, output: result.output, findings };
}

/**
 * promtool on rule files, started as early as their texts are known (one process per start,
 * for the texts not started before) and turned into findings once a caller asks, with the
 * source the caller has by then.
 */
export class PromtoolRuleChecks {
  private readonly sections = new Map<string, Promise<RuleSection | undefined>>();

  constructor(private readonly options: Omit<PromtoolOptions, 'kind'> = {}) {}

  start(texts: Iterable<string>): void {
    const fresh = [...new Set(texts)].filter((text) => !this.sections.has(text));
    if (fresh.length === 0) return;
    const run = checkRuleTexts(fresh, this.options);
    for (const text of fresh) {
      const section = run.then((result) => (result ? result.sections.get(text) : undefined));
      section.catch(() => undefined); // thrown again where findings() awaits it
      this.sections.set(text, section);
    }
  }

  /** promtool's findings on one rule file; `ran` is false when promtool is not on PATH. */
  async findings(item: RuleItem): Promise<{ ran: boolean; findings: Finding[] }> {
    const text = ruleText(item);
    this.start([text]);
    const section = await this.sections.get(text);
    if (!section) return { ran: false, findings: [] };
    return { ran: true, findings: sectionFindings(section, item) };
  }
}

/**
 * Runs promtool on `value`: a rule file object (or a PrometheusRule spec) for `rules`, a
 * parsed prometheus.yml for `config`.
 */
export async function runPromtool(
  value: unknown,
  source: FindingSource,
  options: PromtoolOptions = {},
): Promise<PromtoolResult> {
  const kind = options.kind ?? 'rules';
  const binary = options.binary ?? 'promtool';
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (kind === 'config' && hasKubernetesSd(value))
    return {
      ran: false,
      skipped:
        'the configuration uses kubernetes_sd_configs, which Debian builds of promtool do not know',
      output: '',
      findings: [],
    };
  const dir = await mkdtemp(join(tmpdir(), 'gitops-gen-promtool-'));
  try {
    const file = join(dir, kind === 'rules' ? 'rules.yml' : 'prometheus.yml');
    const body = kind === 'rules' && Array.isArray(value) ? { groups: value } : value;
    const text = stringify(body);
    await writeFile(file, text, 'utf8');
    const args =
      kind === 'rules' ? ['check', 'rules', file] : ['check', 'config', '--syntax-only', file];
    const result = await run(binary, args, timeoutMs);
    if (!result)
      return { ran: false, skipped: `${binary} is not on PATH`, output: '', findings: [] };
    const findings = promtoolFindings({
      kind,
      exitCode: result.code,
      output: result.output,
      file,
      text,
      value,
      source,
    });
    return { ran: true, exitCode: result.code, output: result.output, findings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `promtool test rules` on a rule test file (such as the `alert-rules.test.yml` that render
 * writes beside each overlay's rules), run where it lies so that its `rule_files` resolve.
 * Each failing test case becomes a finding at the test file. Undefined when promtool is not on
 * PATH.
 */
export async function runRuleTests(
  testFile: string,
  displayFile: string,
  options: Omit<PromtoolOptions, 'kind'> = {},
): Promise<Finding[] | undefined> {
  const binary = options.binary ?? 'promtool';
  const result = await run(
    binary,
    ['test', 'rules', basename(testFile)],
    options.timeoutMs ?? 60_000,
    dirname(testFile),
  );
  if (!result) return undefined;
  if (result.code === 0) return [];
  const hint =
    'the rules no longer behave as their tests expect: fix the rule, or render rules and tests again';
  const failures = [
    ...result.output.matchAll(/name: (.+?),\s*\n\s*alertname: (\S+), time: (\S+?),/g),
  ];
  if (failures.length === 0) {
    const detail = result.output.trim().split('\n').slice(0, 6).join(' ').replace(/\s+/g, ' ');
    return [
      {
        code: 'promtool/rule-test',
        severity: 'error',
        message: `promtool test rules failed: ${detail}`,
        file: displayFile,
        hint,
      },
    ];
  }
  return failures.map((failure) => ({
    code: 'promtool/rule-test',
    severity: 'error',
    message: `rule test "${failure[1] ?? ''}" failed: ${failure[2] ?? ''} at ${failure[3] ?? ''} is not as expected`,
    file: displayFile,
    hint,
  }));
}
