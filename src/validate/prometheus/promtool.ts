/**
 * Optional second opinion from the real `promtool`, when it is on PATH: rule groups (or a
 * configuration) are written to a temporary file, `promtool check rules` (or `check config
 * --syntax-only`) runs on it, and its complaints become findings with code `promtool/...`,
 * located through the group and rule it names. Not pure: spawns a process and writes a
 * temporary file. Configurations with `kubernetes_sd_configs` are not sent to `check config`,
 * because Debian's promtool 2.42 is built without Kubernetes discovery and rejects them.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Finding } from '../findings.js';
import { FindingCollector, isRecord, type FindingSource, type ObjectPath } from './source.js';

const execFileAsync = promisify(execFile);

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

async function run(
  binary: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; output: string } | undefined> {
  try {
    const { stdout, stderr } = await execFileAsync(binary, args, {
      timeout: timeoutMs,
      maxBuffer: 8 * 1024 * 1024,
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error: unknown) {
    const failure = error as ExecFileException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') return undefined;
    if (typeof failure.code !== 'number') throw error;
    return { code: failure.code, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
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

/** Maps `group "g", rule 3` in promtool's output back to a path in the checked object. */
function pathOf(line: string, value: unknown): ObjectPath {
  const groupsPath: ObjectPath = Array.isArray(value) ? [] : ['groups'];
  const groups = Array.isArray(value) ? value : isRecord(value) ? value.groups : undefined;
  const match = /group "((?:[^"\\]|\\.)*)", rule (\d+)/.exec(line);
  if (!match || !Array.isArray(groups)) return [];
  const name = JSON.parse(`"${match[1] ?? ''}"`) as string;
  const index = groups.findIndex((group) => isRecord(group) && group.name === name);
  if (index === -1) return [];
  return [...groupsPath, index, 'rules', Number(match[2]) - 1];
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
    await writeFile(file, stringify(body), 'utf8');
    const args =
      kind === 'rules' ? ['check', 'rules', file] : ['check', 'config', '--syntax-only', file];
    const result = await run(binary, args, timeoutMs);
    if (!result)
      return { ran: false, skipped: `${binary} is not on PATH`, output: '', findings: [] };
    const out = new FindingCollector(source);
    const lines = result.output
      .split('\n')
      .map((line) => line.split(file).join(source.file).trim())
      .filter((line) => line !== '');
    if (result.code !== 0) {
      const problems = lines.filter(
        (line) => !/^(?:Checking |FAILED:?$|SUCCESS)/.test(line) && line !== 'FAILED:',
      );
      for (const line of problems.length > 0 ? problems : [result.output.trim()])
        out.add({
          code: `promtool/check-${kind}`,
          message: `promtool: ${line.replace(/^FAILED:\s*/, '')}`,
          path: kind === 'rules' ? pathOf(line, value) : [],
          hint: `\`promtool check ${kind}\` rejects the file`,
        });
    } else {
      const lint = lines.findIndex((line) => line.startsWith('lint error'));
      if (lint !== -1)
        out.add({
          code: 'promtool/lint',
          severity: 'warning',
          message: `promtool: ${lines.slice(lint).join(' ')}`,
          path: [],
        });
    }
    return { ran: true, exitCode: result.code, output: result.output, findings: out.findings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
