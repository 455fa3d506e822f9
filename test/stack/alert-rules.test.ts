/**
 * Unit: the seven alerts of the spec (`alert-rules.yml`), as built by the stack.
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../src/config/index.js';
import {
  buildAlertRules,
  buildAlertRuleTests,
  specAlertNames,
  type AlertingRule,
  type RuleFile,
} from '../../src/stack/alert-rules.js';
import {
  humanizeDuration,
  humanizePercentage,
  renderTemplate,
} from '../../src/stack/rule-tests.js';
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

/** The rules of the spec's group (meta-alerts.test.ts covers the meta-monitoring group). */
function rulesOf(file: RuleFile): AlertingRule[] {
  return file.groups
    .filter((group) => group.name === 'mlflow.rules')
    .flatMap((group) => group.rules);
}

/** Alert names in order, each once (CPU and memory have a node and a container rule). */
function alertNames(file: RuleFile): string[] {
  return [...new Set(rulesOf(file).map((candidate) => candidate.alert))];
}

/** The first rule of that name: the node-level one for CPU and memory. */
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

    it('has a group mlflow.rules with the seven alerts in the order of the spec', () => {
      expect(file.groups.map((group) => group.name)).toEqual([
        'mlflow.rules',
        'meta-monitoring.rules',
      ]);
      expect(alertNames(file)).toEqual(expectedNames);
      expect([...specAlertNames]).toEqual(expectedNames);
    });

    it('watches CPU and memory of nodes and of containers, told apart by a scope label', () => {
      for (const name of ['HighCPUUsage', 'HighMemoryUsage']) {
        const found = rulesOf(file).filter((candidate) => candidate.alert === name);
        expect(found.map((candidate) => candidate.labels.scope)).toEqual(['node', 'container']);
      }
      const keys = rulesOf(file).map((candidate) =>
        JSON.stringify([candidate.alert, candidate.labels]),
      );
      expect(new Set(keys).size, 'no two rules with the same name and labels').toBe(keys.length);
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
        /^histogram_quantile\(0\.95, sum by \(job, le\) \(rate\(\w+_bucket\{job="model-server"\}\[5m\]\)\)\) > /,
      );
    });

    it('detects crash loops with kube-state-metrics in the watched namespace', () => {
      const { expr } = rule(file, 'PodCrashLooping');
      expect(expr).toContain('kube_pod_container_status_waiting_reason');
      expect(expr).toContain('reason="CrashLoopBackOff"');
      expect(expr).toContain(`namespace="${environment.namespace}"`);
      expect(expr).toMatch(/\[5m\]\) >= 1$/);
    });

    it('compares container CPU and working-set memory with the limits, leaving pod cgroups out', () => {
      const [cpu, memory] = ['HighCPUUsage', 'HighMemoryUsage'].map(
        (name) =>
          rulesOf(file).find(
            (candidate) => candidate.alert === name && candidate.labels.scope === 'container',
          )?.expr ?? '',
      );
      const filter = `job="kubernetes-cadvisor", namespace="${environment.namespace}", container!="", image!=""`;
      expect(cpu).toContain(`rate(container_cpu_usage_seconds_total{${filter}}[5m])`);
      expect(cpu).toContain('resource="cpu"');
      expect(memory).toContain(`container_memory_working_set_bytes{${filter}}`);
      expect(memory).toContain('resource="memory"');
      expect(memory).not.toContain('container_memory_usage_bytes');
    });

    it('uses node-exporter for CPU and memory (MemAvailable over MemTotal)', () => {
      expect(rule(file, 'HighCPUUsage').expr).toContain(
        'sum by (instance) (rate(node_cpu_seconds_total{job="node-exporter", mode="idle"}[5m])) / sum by (instance) (rate(node_cpu_seconds_total{job="node-exporter"}[5m]))',
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
    expect(alertNames(file)).toEqual(expectedNames);
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

describe('metrics profiles', () => {
  const native = buildAlertRules(
    environmentFromFile('native', 'metrics: { profile: mlflow-native }\n'),
  );
  const spec = buildAlertRules(environmentFromFile('spec', 'metrics: { profile: spec }\n'));
  const text = (file: RuleFile): string =>
    rulesOf(file)
      .map((candidate) => candidate.expr)
      .join('\n');

  it("mlflow-native times inference with MLServer's REST histogram, inference routes only", () => {
    expect(rule(native, 'HighModelLatency').expr).toBe(
      'histogram_quantile(0.95, sum by (job, le) (rate(rest_server_request_duration_seconds_bucket{job="model-server", path=~".*/infer|/invocations"}[5m]))) > 1',
    );
  });

  it('mlflow-native alerts on the 5xx share of tracking requests instead of run counters', () => {
    const failure = rule(native, 'MLflowExperimentFailure');
    expect(failure.expr).toBe(
      'sum(rate(mlflow_http_request_total{job="mlflow-server", status=~"5.."}[5m])) / sum(rate(mlflow_http_request_total{job="mlflow-server"}[5m])) > 0.05',
    );
    expect(failure.for).toBe('5m');
    expect(text(native)).not.toMatch(/mlflow_runs_|http_requests_total|mlflow_model_request/);
  });

  it('spec keeps the names of the spec', () => {
    expect(text(spec)).toContain(
      'mlflow_model_request_duration_seconds_bucket{job="model-server"}',
    );
    expect(rule(spec, 'MLflowExperimentFailure').expr).toBe(
      'sum(increase(mlflow_runs_finished_total{job="mlflow-server", status="FAILED"}[15m])) > 0',
    );
    expect(text(spec)).not.toMatch(/rest_server_|mlflow_http_request/);
  });

  it('counts failed runs from a run exporter when one is configured, whatever the profile', () => {
    const environment = environmentFromFile(
      'exporter',
      'metrics: { profile: mlflow-native, runExporter: { port: 9100 } }\n',
    );
    const failure = rule(buildAlertRules(environment), 'MLflowExperimentFailure');
    expect(failure.expr).toBe(
      'sum(increase(mlflow_runs_finished_total{job="mlflow-run-exporter", status="FAILED"}[15m])) > 0',
    );
    const scrape = buildPrometheusConfig(environment).scrape_configs.find(
      (job) => job.job_name === 'mlflow-run-exporter',
    );
    expect(scrape?.scrape_interval).toBe('30s');
    expect(scrape?.relabel_configs?.find((relabel) => relabel.action === 'keep')?.regex).toBe(
      'mlflow-run-exporter',
    );
    expect(environment.metrics.runExporter).toEqual({
      serviceName: 'mlflow-run-exporter',
      namespace: 'mlflow-exporter',
      port: 9100,
      metricsPath: '/metrics',
      scrapeInterval: '30s',
    });
  });

  it('takes serverErrorRatio from the environment', () => {
    const strict = buildAlertRules(
      environmentFromFile(
        'strict-native',
        'metrics: { profile: mlflow-native }\nalerts: { serverErrorRatio: 0.2 }\n',
      ),
    );
    expect(rule(strict, 'MLflowExperimentFailure').expr).toMatch(/ > 0\.2$/);
    expect(rule(strict, 'MLflowExperimentFailure').annotations.description).toContain('20%');
  });
});

describe('buildAlertRuleTests', () => {
  for (const [name, source] of [
    ['spec', ''],
    ['native', 'metrics: { profile: mlflow-native }\n'],
  ] as const) {
    const environment = environmentFromFile(name, source);
    const tests = buildAlertRuleTests(environment, 'alert-rules.yml');

    it(`${name}: reads the rules beside it and proves every alert both ways`, () => {
      expect(tests.rule_files).toEqual(['alert-rules.yml']);
      for (const alert of expectedNames) {
        const cases = tests.tests.filter((test) => test.name.startsWith(`${alert}: `));
        const checks = cases.flatMap((test) => test.alert_rule_test);
        expect(
          checks.every((check) => check.alertname === alert),
          alert,
        ).toBe(true);
        expect(
          checks.some((check) => check.exp_alerts.length > 0),
          `${alert} fires`,
        ).toBe(true);
        expect(
          cases.some((test) =>
            test.alert_rule_test.every((check) => check.exp_alerts.length === 0),
          ),
          `${alert} stays quiet`,
        ).toBe(true);
      }
    });

    it(`${name}: expects each firing alert with its rendered annotations, no template left`, () => {
      const expected = tests.tests.flatMap((test) =>
        test.alert_rule_test.flatMap((check) => check.exp_alerts),
      );
      expect(expected.length).toBeGreaterThan(8);
      for (const alert of expected) {
        for (const annotation of Object.values(alert.exp_annotations)) {
          expect(annotation).not.toContain('{{');
        }
      }
    });
  }
});

describe('template rendering of the generated tests', () => {
  it("formats like Prometheus' template functions", () => {
    expect(humanizeDuration(1.95)).toBe('1.95s');
    expect(humanizeDuration(0.585)).toBe('585ms');
    expect(humanizeDuration(234)).toBe('3m 54s');
    expect(humanizeDuration(0)).toBe('0s');
    expect(humanizeDuration(90061)).toBe('1d 1h 1m 1s');
    expect(humanizePercentage(0.525)).toBe('52.5%');
    expect(humanizePercentage(0.12345678)).toBe('12.35%');
    expect(
      renderTemplate('{{ $labels.pod }} at {{ printf "%.1f" $value }}%', { pod: 'a' }, 90),
    ).toBe('a at 90.0%');
  });

  it('refuses a template action it cannot render', () => {
    expect(() => renderTemplate('{{ $value | humanize }}', {}, 1)).toThrow(/not supported/);
  });
});
