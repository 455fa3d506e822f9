/**
 * Integration: renders the built-in environments and checks every overlay's Prometheus files
 * with the real `promtool` (CI installs it with `apt-get install prometheus`). Nothing here
 * touches the network: promtool only parses files, and the stand-in targets are 127.0.0.1.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInEnvironments, render } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { renderEnvironments } from '../helpers/render.js';
import { runCli } from '../helpers/cli.js';
import { missingToolMessage, runTool, type ToolResult } from '../helpers/tools.js';
import { withStaticTargets, type PrometheusFile } from '../helpers/prometheus-files.js';

const promtool = (args: string[], cwd: string): Promise<ToolResult> =>
  runTool('promtool', args, cwd);

/** Targets that are never contacted: promtool only parses the file. */
const unreachable = { targetsOf: () => ({ targets: ['127.0.0.1:9'] }) };

const environments = builtInEnvironments().map((environment) => environment.name);
/** Beyond the built-ins: the other metrics profile, and thresholds that stress the formats. */
const extraEnvironments: Record<string, string> = {
  native: 'metrics: { profile: mlflow-native }\n',
  thresholds: [
    'metrics: { profile: mlflow-native }',
    'alerts:',
    '  cpuUsagePercent: 97.5',
    '  memoryUsagePercent: 1.5',
    '  modelLatencyP95Seconds: 90',
    '  serverErrorRatio: 0.001',
    '',
  ].join('\n'),
  slow: 'alerts: { modelLatencyP95Seconds: 0.25, cpuUsagePercent: 33.3 }\n',
  exporter: 'metrics: { profile: mlflow-native, runExporter: { serviceName: runs } }\n',
  lean: [
    'prometheus:',
    '  dropMetrics:',
    "    - { regex: 'node_(network|netdev|softnet).*', jobs: [node-exporter] }",
    "    - { regex: 'go_gc_.*' }",
    '',
  ].join('\n'),
};
let root: string;
/** The extra environments' tree: a render owns all of overlays/, so it gets its own root. */
let extraRoot: string;
let scratch: string;

beforeAll(async () => {
  const version = await promtool(['--version'], process.cwd());
  if (version.code !== 0) throw new Error(`${missingToolMessage('promtool')}\n${version.output}`);
  root = await tempDir();
  scratch = await tempDir('gitops-gen-promtool-');
  await render({ configDir: join(root, 'no-such-folder'), outDir: root });
  extraRoot = await renderEnvironments(extraEnvironments);
});

describe.each(environments)('promtool on overlays/%s/prometheus', (name) => {
  const folder = (): string => join(root, 'overlays', name, 'prometheus');

  it('accepts alert-rules.yml: the seven alerts in nine rules, meta alerts, no lint', async () => {
    const result = await promtool(['check', 'rules', 'alert-rules.yml'], folder());
    // Nine rules of the spec, and meta-monitoring: five, eight with Alertmanager (meta-alerts.ts).
    expect(result.output).toContain(`SUCCESS: ${name === 'dev' ? 14 : 17} rules found`);
    expect(result.output).not.toMatch(/duplicate|lint/i);
    expect(result.code, result.output).toBe(0);
  });

  it('passes its generated rule tests (promtool test rules)', async () => {
    const result = await promtool(['test', 'rules', 'alert-rules.test.yml'], folder());
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });

  it('accepts prometheus.yml (--syntax-only, discovery replaced by static targets)', async () => {
    const original = parse(
      await readFile(join(folder(), 'prometheus.yml'), 'utf8'),
    ) as PrometheusFile;
    const { config, replaced } = withStaticTargets(original, unreachable);
    expect(replaced).toBeGreaterThanOrEqual(7);
    expect(config.scrape_configs.map((job) => job.job_name)).toEqual(
      original.scrape_configs.map((job) => job.job_name),
    );
    const file = join(scratch, `${name}-prometheus.yml`);
    const text = stringify(config);
    expect(text).not.toContain('kubernetes_sd_configs');
    await writeFile(file, text, 'utf8');
    const result = await promtool(['check', 'config', '--syntax-only', file], scratch);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS/);
  });
});

describe.each(Object.keys(extraEnvironments))('promtool on overlays/%s/prometheus', (name) => {
  const folder = (): string => join(extraRoot, 'overlays', name, 'prometheus');

  it('accepts alert-rules.yml and passes its generated rule tests', async () => {
    const check = await promtool(['check', 'rules', 'alert-rules.yml'], folder());
    expect(check.code, check.output).toBe(0);
    const result = await promtool(['test', 'rules', 'alert-rules.test.yml'], folder());
    expect(result.code, result.output).toBe(0);
  });

  it('accepts prometheus.yml (--syntax-only, discovery replaced by static targets)', async () => {
    const original = parse(
      await readFile(join(folder(), 'prometheus.yml'), 'utf8'),
    ) as PrometheusFile;
    const file = join(scratch, `${name}-prometheus.yml`);
    await writeFile(file, stringify(withStaticTargets(original, unreachable).config), 'utf8');
    const result = await promtool(['check', 'config', '--syntax-only', file], scratch);
    expect(result.code, result.output).toBe(0);
  });
});

describe('the generated rule tests bite', () => {
  /** Copies an overlay's rules and tests, edits the rules, and runs the tests on them. */
  async function testEdited(edit: (rules: string) => string): Promise<ToolResult> {
    const source = join(root, 'overlays', 'prod', 'prometheus');
    const target = await tempDir('gitops-gen-rule-tests-');
    const rules = await readFile(join(source, 'alert-rules.yml'), 'utf8');
    const edited = edit(rules);
    expect(edited).not.toBe(rules);
    await writeFile(join(target, 'alert-rules.yml'), edited, 'utf8');
    await copyFile(join(source, 'alert-rules.test.yml'), join(target, 'alert-rules.test.yml'));
    return promtool(['test', 'rules', 'alert-rules.test.yml'], target);
  }

  it('a threshold raised above the firing series fails the test', async () => {
    const result = await testEdited((rules) => rules.replace(/> 80$/m, '> 95'));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('HighCPUUsage');
  });

  it('a down alert without absent() fails the "no target discovered" test', async () => {
    const result = await testEdited((rules) =>
      rules.replace(' or absent(up{job="mlflow-server"})', ''),
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('MLflowServerDown: fires when no target is discovered');
  });

  it('an edited description fails the test: annotations are compared exactly', async () => {
    const result = await testEdited((rules) =>
      rules.replace('has been above 85% for 5 minutes', 'is above 85%'),
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('HighMemoryUsage');
  });
});

describe('promtool really checks', () => {
  it('rejects a rule file with invalid PromQL', async () => {
    const file = join(scratch, 'broken-rules.yml');
    await writeFile(
      file,
      stringify({
        groups: [
          {
            name: 'broken',
            rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])) by (job', for: '1m' }],
          },
        ],
      }),
      'utf8',
    );
    const result = await promtool(['check', 'rules', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/pars/i);
  });

  it('rejects a config whose scrape timeout is above the interval', async () => {
    const rendered = parse(
      await readFile(join(root, 'overlays', 'dev', 'prometheus', 'prometheus.yml'), 'utf8'),
    ) as PrometheusFile;
    const { config } = withStaticTargets(rendered, unreachable);
    const broken = {
      ...config,
      scrape_configs: config.scrape_configs.map((job) =>
        job.job_name === 'mlflow-server'
          ? { ...job, scrape_interval: '10s', scrape_timeout: '20s' }
          : job,
      ),
    };
    const file = join(scratch, 'broken-prometheus.yml');
    await writeFile(file, stringify(broken), 'utf8');
    const result = await promtool(['check', 'config', '--syntax-only', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('scrape timeout greater than scrape interval');
  });
});

describe('gitops-gen validate --rule-tests', () => {
  it('runs the shipped rule tests of every overlay: clean on a fresh render', async () => {
    const result = await runCli(['validate', '--rule-tests'], root);
    // The one warning: the built-in prod's NodePort exposes an unauthenticated Prometheus.
    expect(result.stdout).toMatch(/, 0 errors, 1 warning,/);
    expect(result.stdout.match(/^ +\d+:\d+ +warning .*$/gm)).toEqual([
      expect.stringMatching(/policy\/unauthenticated-exposure$/),
    ]);
    expect(result.code).toBe(0);
  });

  it('reports a rule that no longer passes its tests, at the test file, with exit 1', async () => {
    const dir = await tempDir('gitops-gen-rule-tests-');
    expect((await runCli(['render'], dir)).code).toBe(0);
    const rules = join(dir, 'overlays', 'staging', 'prometheus', 'alert-rules.yml');
    await writeFile(rules, (await readFile(rules, 'utf8')).replace(/> 80$/m, '> 95'));
    const result = await runCli(['validate', '--rule-tests', '-o', 'json'], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      findings: { code: string; file: string; message: string }[];
    };
    const failures = report.findings.filter((finding) => finding.code === 'promtool/rule-test');
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.file).toBe('overlays/staging/prometheus/alert-rules.test.yml');
      expect(failure.message).toMatch(
        /^rule test "HighCPUUsage: fires when a node uses 90%" failed/,
      );
    }
  });
});
