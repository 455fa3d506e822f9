/**
 * `prometheus.additionalScrapeConfigs`, `prometheus.secretMounts` and the component switches
 * (`nodeExporter`/`kubeStateMetrics` `enabled` and `job`, `grafana.enabled`) through the pure
 * library entry point: each bad input gives a problem with its code, the environment file's
 * line and column, the key path and a hint; what Prometheus accepts passes silently.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { scaffoldEnvironments } from '../../src/config/scaffold.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import {
  resolveEnvironmentSources,
  type EnvironmentConfig,
  type EnvironmentSource,
} from '../../src/config/index.js';
import { ExitCode, InputError, type Problem } from '../../src/errors.js';
import { buildMonitoringStack } from '../../src/stack/index.js';
import { renderTree, renderWarnings } from '../../src/render/index.js';

const file = 'environments/team.yaml';
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const source = (text: string): EnvironmentSource => ({ file, name: 'team', text });

function problemsOf(text: string): readonly Problem[] {
  let caught: unknown;
  try {
    resolveEnvironmentSources([source(text)]);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.exitCode).toBe(ExitCode.input);
  return error.problems;
}

function problemOf(text: string): Problem {
  const problems = problemsOf(text);
  expect(problems, JSON.stringify(problems, null, 2)).toHaveLength(1);
  return problems[0] as Problem;
}

function resolveOne(text: string): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources([source(text)]);
  if (!environment) throw new Error('no environment');
  return environment;
}

/** An environment with one extra job whose body lines (indented under `- job_name: x`) are given. */
const withJob = (...body: string[]): string =>
  yaml(
    'prometheus:',
    '  additionalScrapeConfigs:',
    '    - job_name: team-api',
    ...body.map((line) => `      ${line}`),
  );

describe('prometheus.additionalScrapeConfigs: what Prometheus accepts passes', () => {
  it('accepts jobs with every supported discovery, relabelling and auth from files', () => {
    const environment = resolveOne(
      yaml(
        'prometheus:',
        '  secretMounts: [team-scrape]',
        '  additionalScrapeConfigs:',
        '    - job_name: team-static',
        '      scrape_interval: 30s',
        '      scrape_timeout: 20s',
        '      metrics_path: /internal/metrics',
        '      scheme: https',
        '      tls_config: { ca_file: /etc/prometheus/secrets/team-scrape/ca.crt }',
        '      basic_auth: { username: scraper, password_file: /etc/prometheus/secrets/team-scrape/password }',
        '      static_configs: [{ targets: ["api.team.svc:8443"], labels: { team: api } }]',
        '      metric_relabel_configs:',
        '        - { source_labels: [__name__], regex: "go_gc_.*", action: drop }',
        '    - job_name: team-pods',
        '      authorization: { credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token }',
        '      kubernetes_sd_configs: [{ role: pod, namespaces: { names: [team] } }]',
        '      relabel_configs:',
        '        - { source_labels: [__meta_kubernetes_pod_label_app], regex: "api|worker", action: keep }',
        '        - { action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)" }',
        '    - job_name: team-files',
        '      file_sd_configs: [{ files: [/etc/prometheus/targets/*.json], refresh_interval: 1m }]',
        '    - job_name: team-dns',
        '      dns_sd_configs: [{ names: [db.team.internal], type: A, port: 9187 }]',
        '    - job_name: team-srv',
        '      dns_sd_configs: [{ names: [_metrics._tcp.team.internal] }]',
        '    - job_name: team-http',
        '      http_sd_configs: [{ url: "http://inventory.team.svc/targets", refresh_interval: 5m }]',
      ),
    );
    expect(environment.prometheus.additionalScrapeConfigs.map((job) => job.job_name)).toEqual([
      'team-static',
      'team-pods',
      'team-files',
      'team-dns',
      'team-srv',
      'team-http',
    ]);
    expect(environment.prometheus.secretMounts).toEqual(['team-scrape']);
  });

  it('merges them into prometheus.yml after ours, as written', () => {
    const environment = resolveOne(withJob('static_configs: [{ targets: ["a.team:9000"] }]'));
    const jobs = buildMonitoringStack(environment).prometheusConfig.scrape_configs;
    expect(jobs.at(-1)).toEqual({
      job_name: 'team-api',
      static_configs: [{ targets: ['a.team:9000'] }],
    });
    expect(jobs.map((job) => job.job_name).slice(0, -1)).not.toContain('team-api');
  });
});

describe('prometheus.additionalScrapeConfigs: errors at the environment file line', () => {
  it('refuses an unknown key, with the closest one (Prometheus: "field ... not found")', () => {
    const problem = problemOf(withJob('scrape_intervall: 30s'));
    expect(problem).toMatchObject({
      code: 'prometheus-config/unknown-field',
      file,
      line: 4,
      keyPath: 'prometheus.additionalScrapeConfigs[0].scrape_intervall',
    });
    expect(problem.hint).toMatch(/scrape_interval/);
  });

  it('refuses a wrong type', () => {
    const problem = problemOf(withJob('honor_labels: "yes please"'));
    expect(problem).toMatchObject({ code: 'prometheus-config/invalid-type', line: 4 });
  });

  it('refuses a job without job_name (schema), at the list item', () => {
    const problem = problemOf(
      yaml('prometheus:', '  additionalScrapeConfigs:', '    - metrics_path: /m'),
    );
    expect(problem).toMatchObject({ code: 'config/missing-key', line: 3 });
    expect(problem.message).toMatch(/job_name/);
  });

  it('refuses a bad duration', () => {
    const problem = problemOf(withJob('scrape_interval: 30 seconds'));
    expect(problem).toMatchObject({
      code: 'prometheus-config/invalid-duration',
      line: 4,
      column: 24,
      keyPath: 'prometheus.additionalScrapeConfigs[0].scrape_interval',
    });
  });

  it('refuses scrape_timeout above scrape_interval (Prometheus refuses to load it)', () => {
    const problem = problemOf(withJob('scrape_interval: 10s', 'scrape_timeout: 15s'));
    expect(problem).toMatchObject({ code: 'prometheus-config/scrape-timeout-too-long', line: 5 });
  });

  it('compares a job timeout with the global interval when the job sets none', () => {
    const problem = problemOf(withJob('scrape_timeout: 1m'));
    expect(problem.message).toMatch(/the global interval/);
  });

  it('refuses a relabel regex RE2 does not accept (Prometheus compiles them with Go regexp)', () => {
    const problem = problemOf(
      withJob(
        'relabel_configs:',
        '  - { source_labels: [a], regex: "(?=lookahead)", action: keep }',
      ),
    );
    expect(problem).toMatchObject({ line: 5 });
    expect(problem.keyPath).toMatch(/relabel_configs\[0\]\.regex$/);
  });

  it('refuses a job name of ours (Prometheus refuses duplicate job names)', () => {
    const problem = problemOf(
      yaml('prometheus:', '  additionalScrapeConfigs:', '    - job_name: node-exporter'),
    );
    expect(problem).toMatchObject({
      code: 'config/duplicate-job-name',
      line: 3,
      keyPath: 'prometheus.additionalScrapeConfigs.0.job_name',
    });
    expect(problem.message).toMatch(/already a job of the stack/);
  });

  it('refuses the same job name twice among theirs', () => {
    const problem = problemOf(
      yaml(
        'prometheus:',
        '  additionalScrapeConfigs:',
        '    - job_name: team',
        '    - job_name: team',
      ),
    );
    expect(problem).toMatchObject({ code: 'config/duplicate-job-name', line: 4 });
    expect(problem.message).toMatch(/additionalScrapeConfigs\[0\]/);
  });

  it.each([
    ['basic_auth: { username: u, password: hunter2 }', 'password', 'password_file'],
    ['bearer_token: abc', 'bearer_token', 'credentials_file'],
    ['authorization: { credentials: abc }', 'credentials', 'credentials_file'],
    [
      'oauth2: { client_id: a, client_secret: b, token_url: "https://x/t" }',
      'client_secret',
      'client_secret_file',
    ],
  ])('refuses inline credentials: %s', (line, key, replacement) => {
    const problem = problemOf(withJob(line));
    expect(problem).toMatchObject({ code: 'config/inline-credential', line: 4 });
    expect(problem.keyPath).toMatch(new RegExp(`\\.${key}$`));
    expect(problem.hint).toContain(replacement);
    expect(problem.hint).toMatch(/secretMounts/);
  });

  it('refuses inline credentials inside a discovery block too', () => {
    const problem = problemOf(
      withJob('kubernetes_sd_configs:', '  - { role: pod, bearer_token: abc }'),
    );
    expect(problem).toMatchObject({ code: 'config/inline-credential', line: 5 });
  });

  it('refuses a credential file of a Secret that is not mounted', () => {
    const problem = problemOf(
      withJob('authorization: { credentials_file: /etc/prometheus/secrets/other/token }'),
    );
    expect(problem).toMatchObject({ code: 'config/secret-not-mounted', line: 4 });
    expect(problem.hint).toMatch(/add other to prometheus.secretMounts/);
  });

  it('refuses a discovery mechanism it does not check, saying so', () => {
    const problem = problemOf(withJob('consul_sd_configs: [{ server: "consul:8500" }]'));
    expect(problem).toMatchObject({ code: 'config/unsupported-discovery', line: 4 });
    expect(problem.message).toMatch(/not supported/);
  });

  it('checks DNS discovery as Prometheus does (a port for A records)', () => {
    const problem = problemOf(withJob('dns_sd_configs: [{ names: [db.internal], type: A }]'));
    expect(problem).toMatchObject({ code: 'prometheus-config/invalid-dns-sd', line: 4 });
  });

  it('checks HTTP discovery (an http(s) URL)', () => {
    const problem = problemOf(withJob('http_sd_configs: [{ url: "ftp://x/targets" }]'));
    expect(problem).toMatchObject({ code: 'prometheus-config/invalid-http-sd', line: 4 });
  });
});

describe('nodeExporter / kubeStateMetrics: enabled and job', () => {
  it('leaves the scrape job and the alerts that need the series out, and warns', () => {
    const environment = resolveOne(yaml('nodeExporter: { enabled: false }'));
    const stack = buildMonitoringStack(environment);
    const jobs = stack.prometheusConfig.scrape_configs.map((job) => job.job_name);
    expect(jobs).not.toContain('node-exporter');
    const rules = buildMonitoringStack(environment).alertRules.groups[0]?.rules ?? [];
    expect(rules.filter((rule) => rule.labels.scope === 'node')).toEqual([]);
    expect(rules.filter((rule) => rule.labels.scope === 'container')).toHaveLength(2);
    const [warning, ...more] = renderWarnings([environment]);
    expect(more).toEqual([]);
    expect(warning?.message).toMatch(/HighCPUUsage \(node\), HighMemoryUsage \(node\)/);
  });

  it('reads node_* series from a team job named in nodeExporter.job', () => {
    const environment = resolveOne(
      yaml(
        'nodeExporter: { enabled: false, job: cluster-nodes }',
        'prometheus:',
        '  additionalScrapeConfigs:',
        '    - job_name: cluster-nodes',
        '      static_configs: [{ targets: ["node-exporter.monitoring:9100"] }]',
      ),
    );
    const rules = buildMonitoringStack(environment).alertRules.groups[0]?.rules ?? [];
    const node = rules.filter((rule) => rule.labels.scope === 'node');
    expect(node).toHaveLength(2);
    for (const rule of node) expect(rule.expr).toContain('job="cluster-nodes"');
    expect(renderWarnings([environment])).toEqual([]);
    const dashboard = JSON.stringify(buildMonitoringStack(environment).dashboard);
    expect(dashboard).toContain('job=\\"cluster-nodes\\"');
  });

  it('scrapes the cluster own Service under our job name', () => {
    const environment = resolveOne(
      yaml('kubeStateMetrics: { enabled: false, job: "monitoring/kube-state-metrics:8080" }'),
    );
    const job = buildMonitoringStack(environment).prometheusConfig.scrape_configs.find(
      (scrape) => scrape.job_name === 'kube-state-metrics',
    );
    expect(job?.kubernetes_sd_configs).toEqual([
      { role: 'endpointslice', namespaces: { names: ['monitoring'] } },
    ]);
    expect(job?.relabel_configs?.map((relabel) => relabel.regex)).toEqual([
      'kube-state-metrics',
      '8080',
    ]);
    expect(renderWarnings([environment])).toEqual([]);
  });

  it('refuses a job while the component is still deployed', () => {
    const problem = problemOf(yaml('nodeExporter: { job: "monitoring/node-exporter:9100" }'));
    expect(problem).toMatchObject({ code: 'config/job-needs-disabled', line: 1 });
  });

  it('refuses a job name that is not one of additionalScrapeConfigs', () => {
    const problem = problemOf(yaml('kubeStateMetrics: { enabled: false, job: ksm }'));
    expect(problem).toMatchObject({ code: 'config/unknown-job', line: 1 });
  });

  it('refuses a malformed Service reference', () => {
    const problem = problemOf(
      yaml('nodeExporter: { enabled: false, job: "monitoring/Node:99999" }'),
    );
    expect(problem).toMatchObject({ code: 'config/invalid-service-reference', line: 1 });
  });

  it('refuses jobScrapeIntervals of a job that is no longer there', () => {
    const problem = problemOf(
      yaml(
        'nodeExporter: { enabled: false }',
        'prometheus: { jobScrapeIntervals: { node-exporter: 30s } }',
      ),
    );
    expect(problem).toMatchObject({ code: 'config/unknown-job', line: 2 });
  });
});

describe('grafana.enabled', () => {
  it('refuses settings of the Grafana it leaves out', () => {
    const problem = problemOf(
      yaml('grafana:', '  enabled: false', '  additionalDashboards: [dashboards/*.json]'),
    );
    expect(problem).toMatchObject({ code: 'config/needs-grafana', line: 3 });
  });

  it('refuses a non-boolean (schema)', () => {
    const problem = problemOf(yaml('grafana: { enabled: "no" }'));
    expect(problem).toMatchObject({ code: 'config/wrong-type', line: 1 });
  });
});

describe('gitops-gen render with a bad scrape job', () => {
  it('exits non-zero with file:line and a hint, and writes nothing', async () => {
    const root = await tempDir();
    await writeFiles(root, {
      'environments/team.yaml': withJob('bearer_token: abc', 'scrape_interval: 30 seconds'),
    });
    const result = await runCli(['render'], root);
    expect(result.code).toBe(ExitCode.input);
    expect(result.stderr).toMatch(/team\.yaml:4:\d+/);
    expect(result.stderr).toMatch(/team\.yaml:5:\d+/);
    expect(result.stderr).toMatch(/credentials_file/);
    expect(await readdir(root)).toEqual(['environments']);
  });

  it('renders and warns about the alerts it leaves out', async () => {
    const root = await tempDir();
    await writeFiles(root, {
      'environments/team.yaml': yaml('kubeStateMetrics: { enabled: false }'),
    });
    const result = await runCli(['render'], root);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/PodCrashLooping/);
  });
});

describe('the init scaffold', () => {
  it('resolves with the scrape examples uncommented', () => {
    const text = (scaffoldEnvironments(['prod']).get('prod.yaml') ?? '')
      .replace(/^ {2}# (additionalScrapeConfigs|secretMounts):/gm, '  $1:')
      .replace(/^# (nodeExporter|kubeStateMetrics|grafana: \{ enabled)/gm, '$1');
    expect(text).toMatch(/^grafana: \{ enabled: false \}/m);
    const [environment] = resolveEnvironmentSources([
      { file: 'environments/prod.yaml', name: 'prod', text },
    ]);
    expect(environment?.prometheus.additionalScrapeConfigs.map((job) => job.job_name)).toEqual([
      'team-api',
    ]);
    expect(environment?.prometheus.secretMounts).toEqual(['team-scrape']);
    expect(environment?.nodeExporter.job).toMatchObject({ kind: 'service', port: 9100 });
    expect(environment?.kubeStateMetrics.job).toMatchObject({ kind: 'service', port: 8080 });
    expect(environment?.grafana.enabled).toBe(false);
  });
});

describe('grafana.enabled: false in the delivery manifests', () => {
  it('leaves Grafana out of the Flux health checks (Flux would wait for it forever)', () => {
    const environments = resolveEnvironmentSources([
      source(yaml('grafana: { enabled: false }', 'delivery: { controller: flux }')),
    ]);
    const tree = renderTree(environments);
    const fluxFiles = [...tree].filter(([path]) => path.startsWith('clusters/'));
    const text = fluxFiles.map(([, content]) => content).join('\n');
    expect(text).toContain('healthChecks');
    expect(text).toContain('name: prometheus');
    expect(text).not.toMatch(/kind: Deployment\n\s+name: grafana/);
  });
});
