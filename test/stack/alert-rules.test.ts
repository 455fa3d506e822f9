/**
 * Unit: the seven alerts of the spec (`alert-rules.yml`), as built by the stack.
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../src/config/index.js';
import {
  buildAlertRules,
  specAlertNames,
  type AlertingRule,
  type RuleFile,
} from '../../src/stack/alert-rules.js';
import { buildPrometheusConfig } from '../../src/stack/prometheus-config.js';
import { builtIn, environmentFromFile } from './environment.js';

const expectedNames = [
  'MLflowServerDown',
  'ModelServerDown',
  'PodCrashLooping',
  'HighCPUUsage',
  'HighMemoryUsage',
  'HighModelLatency',
  'MLflowExperimentFailure',
];

const severities: Record<string, string> = {
  MLflowServerDown: 'critical',
  ModelServerDown: 'critical',
  PodCrashLooping: 'critical',
  HighCPUUsage: 'warning',
  HighMemoryUsage: 'warning',
  HighModelLatency: 'warning',
  MLflowExperimentFailure: 'warning',
};

const durations: Record<string, string> = {
  MLflowServerDown: '1m',
  ModelServerDown: '1m',
  PodCrashLooping: '5m',
  HighCPUUsage: '5m',
  HighMemoryUsage: '5m',
  HighModelLatency: '5m',
};

function rulesOf(file: RuleFile): AlertingRule[] {
  return file.groups.flatMap((group) => group.rules);
}

function rule(file: RuleFile, name: string): AlertingRule {
  const found = rulesOf(file).find((candidate) => candidate.alert === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
}

/** Every `job="..."` an expression selects. */
function jobsIn(expr: string): string[] {
  return [...expr.matchAll(/\bjob="([^"]+)"/g)].map((match) => match[1] ?? '');
}

describe.each(builtIn.map((environment) => [environment.name, environment] as const))(
  'buildAlertRules(%s)',
  (_name, environment: EnvironmentConfig) => {
    const file = buildAlertRules(environment);

    it('has one group mlflow.rules with the seven alerts in the order of the spec', () => {
      expect(file.groups.map((group) => group.name)).toEqual(['mlflow.rules']);
      expect(rulesOf(file).map((candidate) => candidate.alert)).toEqual(expectedNames);
      expect([...specAlertNames]).toEqual(expectedNames);
    });

    it.each(expectedNames)('gives %s the severity of the spec', (name) => {
      expect(rule(file, name).labels.severity).toBe(severities[name]);
    });

    it.each(Object.entries(durations))('%s waits %s', (name, duration) => {
      expect(rule(file, name).for).toBe(duration);
    });

    it('uses the default thresholds: CPU 80 %, memory 85 %, p95 1 s', () => {
      expect(rule(file, 'HighCPUUsage').expr).toMatch(/ > 80$/);
      expect(rule(file, 'HighMemoryUsage').expr).toMatch(/ > 85$/);
      expect(rule(file, 'HighModelLatency').expr).toMatch(/ > 1$/);
    });

    it('fires the down alerts also when the target disappears from discovery', () => {
      for (const [name, job] of [
        ['MLflowServerDown', 'mlflow-server'],
        ['ModelServerDown', 'model-server'],
      ] as const) {
        const { expr } = rule(file, name);
        expect(expr).toContain(`absent(up{job="${job}"})`);
        expect(expr).toMatch(new RegExp(`up\\{job="${job}"\\}\\)? == 0`));
      }
    });

    it('computes p95 latency from histogram bucket rates, keeping le', () => {
      expect(rule(file, 'HighModelLatency').expr).toMatch(
        /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(\w+_bucket\{job="model-server"\}\[5m\]\)\)\) > /,
      );
    });

    it('detects crash loops with kube-state-metrics in the watched namespace', () => {
      const { expr } = rule(file, 'PodCrashLooping');
      expect(expr).toContain('kube_pod_container_status_waiting_reason');
      expect(expr).toContain('reason="CrashLoopBackOff"');
      expect(expr).toContain(`namespace="${environment.namespace}"`);
      expect(expr).toMatch(/\[5m\]\) >= 1$/);
    });

    it('uses node-exporter for CPU and memory (MemAvailable over MemTotal)', () => {
      expect(rule(file, 'HighCPUUsage').expr).toContain(
        'node_cpu_seconds_total{job="node-exporter", mode="idle"}',
      );
      const memory = rule(file, 'HighMemoryUsage').expr;
      expect(memory).toContain('node_memory_MemAvailable_bytes{job="node-exporter"}');
      expect(memory).toContain('node_memory_MemTotal_bytes{job="node-exporter"}');
    });

    it('alerts on failed MLflow runs', () => {
      expect(rule(file, 'MLflowExperimentFailure').expr).toMatch(
        /mlflow_runs_finished_total\{job="mlflow-server", status="FAILED"\}\[15m\]\)\) > 0$/,
      );
    });

    it('gives every rule a summary and a description', () => {
      for (const candidate of rulesOf(file)) {
        expect(candidate.annotations.summary.trim(), candidate.alert).not.toBe('');
        expect(candidate.annotations.description.trim(), candidate.alert).not.toBe('');
        for (const text of Object.values(candidate.annotations)) {
          // Go templates: every action opened is closed.
          expect(text.split('{{').length, candidate.alert).toBe(text.split('}}').length);
        }
      }
    });

    it('only selects jobs that prometheus.yml scrapes', () => {
      const jobs = buildPrometheusConfig(environment).scrape_configs.map((job) => job.job_name);
      for (const candidate of rulesOf(file)) {
        const selected = jobsIn(candidate.expr);
        expect(selected.length, candidate.alert).toBeGreaterThan(0);
        for (const job of selected) expect(jobs, candidate.alert).toContain(job);
      }
    });
  },
);

describe('buildAlertRules with environment files', () => {
  const environment = environmentFromFile(
    'strict',
    'alerts: { cpuUsagePercent: 90, memoryUsagePercent: 70, modelLatencyP95Seconds: 0.5 }\n',
  );
  const file = buildAlertRules(environment);

  it('puts cpuUsagePercent 90 into HighCPUUsage and its annotations', () => {
    const cpu = rule(file, 'HighCPUUsage');
    expect(cpu.expr).toMatch(/ > 90$/);
    expect(cpu.expr).not.toContain('80');
    expect(cpu.annotations.summary).toContain('90%');
    expect(cpu.annotations.description).toContain('90%');
  });

  it('puts memoryUsagePercent and modelLatencyP95Seconds into their alerts', () => {
    const memory = rule(file, 'HighMemoryUsage');
    expect(memory.expr).toMatch(/ > 70$/);
    expect(memory.annotations.summary).toContain('70%');
    const latency = rule(file, 'HighModelLatency');
    expect(latency.expr).toMatch(/ > 0\.5$/);
    expect(latency.annotations.summary).toContain('0.5s');
  });

  it('keeps names, severities and durations', () => {
    expect(rulesOf(file).map((candidate) => candidate.alert)).toEqual(expectedNames);
    for (const [name, duration] of Object.entries(durations)) {
      expect(rule(file, name).for).toBe(duration);
    }
  });

  it('watches a custom MLflow namespace as well as the environment namespace', () => {
    const custom = buildAlertRules(
      environmentFromFile('team-b', 'mlflow: { namespace: team-b-tracking }\n'),
    );
    expect(rule(custom, 'PodCrashLooping').expr).toContain(
      'namespace=~"mlflow-team-b|team-b-tracking"',
    );
    expect(rule(custom, 'MLflowServerDown').annotations.description).toContain('team-b-tracking');
  });
});
