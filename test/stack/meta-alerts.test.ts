/**
 * Meta-monitoring alerts (`alerts.metaMonitoring`) and `runbook_url` (`alerts.runbookBaseUrl`):
 * the rules as built, their generated tests run by the real promtool, Watchdog firing, the
 * switch, and the runbook link on every alert.
 */
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { buildAlertRules, buildAlertRuleTests } from '../../src/stack/alert-rules.js';
import { metaAlertNames, metaGroupName } from '../../src/stack/meta-alerts.js';
import { buildPrometheusConfig } from '../../src/stack/prometheus-config.js';
import { jobNames } from '../../src/stack/components.js';
import type { EnvironmentConfig } from '../../src/config/environment.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { missingToolMessage, runTool } from '../helpers/tools.js';
import { builtIn, environmentFromFile } from './environment.js';

beforeAll(async () => {
  const version = await runTool('promtool', ['--version'], process.cwd());
  if (version.code !== 0) throw new Error(missingToolMessage('promtool'));
});

function byName(name: string): EnvironmentConfig {
  const environment = builtIn.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`no built-in ${name}`);
  return environment;
}

/** prod with three Alertmanager replicas: every meta alert applies. */
function highlyAvailable(): EnvironmentConfig {
  return environmentFromFile('ha', 'tier: prod\nalertmanager: { replicas: 3 }\n');
}

function metaRules(environment: EnvironmentConfig) {
  return buildAlertRules(environment).groups.find((group) => group.name === metaGroupName)?.rules;
}

/** Writes the rules and their tests where promtool reads them, and runs check and test. */
async function promtoolOn(
  environment: EnvironmentConfig,
): Promise<{ check: string; test: string }> {
  const folder = await tempDir('gitops-gen-meta-');
  await writeFiles(folder, {
    'alert-rules.yml': stringify(buildAlertRules(environment)),
    'alert-rules.test.yml': stringify(buildAlertRuleTests(environment, 'alert-rules.yml')),
  });
  const check = await runTool('promtool', ['check', 'rules', 'alert-rules.yml'], folder);
  expect(check.code, check.output).toBe(0);
  const test = await runTool('promtool', ['test', 'rules', 'alert-rules.test.yml'], folder);
  expect(test.code, test.output).toBe(0);
  return { check: check.output, test: test.output };
}

describe('meta-monitoring alerts', () => {
  it('are on by default: every alert with Alertmanager of several replicas', () => {
    expect(metaRules(highlyAvailable())?.map((rule) => rule.alert)).toEqual([...metaAlertNames]);
  });

  it('leave out the Alertmanager alerts without Alertmanager (dev)', () => {
    const names = metaRules(byName('dev'))?.map((rule) => rule.alert) ?? [];
    expect(names).toContain('Watchdog');
    expect(names).not.toContain('PrometheusNotificationErrors');
    expect(names).not.toContain('AlertmanagerFailedToSendAlerts');
    expect(names).not.toContain('AlertmanagerClusterFailedPeers');
  });

  it('leave out failed peers with a single Alertmanager replica', () => {
    const single = environmentFromFile('single', 'tier: prod\nalertmanager: { replicas: 1 }\n');
    const names = metaRules(single)?.map((rule) => rule.alert) ?? [];
    expect(names).toContain('AlertmanagerFailedToSendAlerts');
    expect(names).not.toContain('AlertmanagerClusterFailedPeers');
  });

  it('Watchdog always fires, with severity none', () => {
    const watchdog = metaRules(byName('prod'))?.find((rule) => rule.alert === 'Watchdog');
    expect(watchdog).toMatchObject({ expr: 'vector(1)', labels: { severity: 'none' } });
    expect(watchdog?.for).toBeUndefined();
    const tests = buildAlertRuleTests(byName('prod'), 'alert-rules.yml').tests;
    const fires = tests.find((test) => test.name.startsWith('Watchdog'));
    expect(fires?.alert_rule_test[0]).toMatchObject({
      eval_time: '0m',
      alertname: 'Watchdog',
      exp_alerts: [{ exp_labels: { severity: 'none' } }],
    });
  });

  it('PrometheusTargetDown watches our jobs but not the two the spec alerts cover', () => {
    const prod = byName('prod');
    const rule = metaRules(prod)?.find((candidate) => candidate.alert === 'PrometheusTargetDown');
    const scraped = buildPrometheusConfig(prod).scrape_configs.map((job) => job.job_name);
    for (const job of scraped) {
      const covered = job === jobNames.mlflow || job === jobNames.modelServer;
      expect(rule?.expr.includes(job), job).toBe(!covered);
    }
  });

  it('read metrics of jobs prometheus.yml scrapes: prometheus itself and alertmanager', () => {
    const jobs = buildPrometheusConfig(byName('prod')).scrape_configs.map((job) => job.job_name);
    expect(jobs).toContain(jobNames.prometheus);
    expect(jobs).toContain(jobNames.alertmanager);
  });

  it.each(['dev', 'staging', 'ha'])(
    'pass their generated tests with the real promtool (%s)',
    async (name) => {
      const environment = name === 'ha' ? highlyAvailable() : byName(name);
      const { check, test } = await promtoolOn(environment);
      expect(check).toMatch(/SUCCESS/);
      expect(check).not.toMatch(/lint|duplicate/i);
      expect(test).toMatch(/SUCCESS/);
    },
    60_000,
  );

  it('the generated tests cover every meta alert', () => {
    const tests = buildAlertRuleTests(highlyAvailable(), 'alert-rules.yml').tests;
    for (const name of metaAlertNames) {
      expect(
        tests.some((test) => test.name.startsWith(`${name}: fires`)),
        name,
      ).toBe(true);
    }
  });

  it('the generated tests bite: a Watchdog that never fires fails them', async () => {
    const prod = byName('prod');
    const rules = buildAlertRules(prod);
    for (const group of rules.groups) {
      for (const rule of group.rules) if (rule.alert === 'Watchdog') rule.expr = 'vector(1) == 0';
    }
    const folder = await tempDir('gitops-gen-meta-');
    await writeFiles(folder, {
      'alert-rules.yml': stringify(rules),
      'alert-rules.test.yml': stringify(buildAlertRuleTests(prod, 'alert-rules.yml')),
    });
    const test = await runTool('promtool', ['test', 'rules', 'alert-rules.test.yml'], folder);
    expect(test.code).not.toBe(0);
    expect(test.output).toMatch(/Watchdog/);
  });

  it('alerts.metaMonitoring: false turns them off, and their tests with them', async () => {
    const off = environmentFromFile('off', 'tier: prod\nalerts: { metaMonitoring: false }\n');
    expect(buildAlertRules(off).groups.map((group) => group.name)).toEqual(['mlflow.rules']);
    const tests = buildAlertRuleTests(off, 'alert-rules.yml').tests;
    expect(tests.some((test) => test.name.startsWith('Watchdog'))).toBe(false);
    await promtoolOn(off);
  });
});

describe('runbook_url', () => {
  it('is absent when alerts.runbookBaseUrl is unset', () => {
    for (const group of buildAlertRules(byName('prod')).groups) {
      for (const rule of group.rules) expect(rule.annotations).not.toHaveProperty('runbook_url');
    }
  });

  it('is <base>/<AlertName> on every alert, ours and meta, a trailing slash dropped', async () => {
    const linked = environmentFromFile(
      'linked',
      'tier: prod\nalerts: { runbookBaseUrl: "https://runbooks.example.com/mlflow/" }\n',
    );
    const rules = buildAlertRules(linked).groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(9);
    for (const rule of rules) {
      expect(rule.annotations.runbook_url).toBe(
        `https://runbooks.example.com/mlflow/${rule.alert}`,
      );
    }
    // The expected annotations of the generated tests carry it too, and promtool agrees.
    const { test } = await promtoolOn(linked);
    expect(test).toMatch(/SUCCESS/);
  });

  it('must be an http(s) URL: an error at the environment file line', () => {
    expect(() =>
      resolveEnvironmentSources([
        {
          file: 'environments/bad.yaml',
          name: 'bad',
          text: 'alerts:\n  runbookBaseUrl: runbooks.example.com\n',
        },
      ]),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({
            code: 'config/invalid-http-url',
            file: 'environments/bad.yaml',
            line: 2,
          }),
        ],
      }) as Error,
    );
  });
});
