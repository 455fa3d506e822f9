/**
 * Unit: the MLflow monitoring dashboard, read as the JSON Grafana receives.
 */
import { describe, expect, it } from 'vitest';
import { metricsProfiles } from '../../src/stack/metrics-profile.js';
import { buildDashboard } from '../../src/stack/dashboard.js';
import { buildPrometheusConfig } from '../../src/stack/prometheus-config.js';
import { builtIn } from './environment.js';

interface DatasourceRef {
  type?: string;
  uid?: string;
}

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: DatasourceRef;
}

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: PanelJson[];
  fieldConfig?: {
    defaults: { mappings?: { type: string; options: Record<string, { text: string }> }[] };
  };
}

interface DashboardJson {
  id: number | null;
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: { name: string; datasource?: DatasourceRef; query: unknown }[] };
}

const dashboard = JSON.parse(JSON.stringify(buildDashboard(metricsProfiles.spec))) as DashboardJson;
/** Every panel, rows' nested panels included. */
const allPanels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queryPanels = allPanels.filter((panel) => panel.type !== 'row');
const targets = queryPanels.flatMap((panel) => panel.targets ?? []);
/** PromQL with whitespace collapsed, so that line breaks do not matter. */
const normalize = (expr: string): string => expr.replace(/\s+/g, ' ').trim();
const queries = targets.map((target) => normalize(target.expr));

function panel(title: RegExp): PanelJson {
  const found = queryPanels.filter((candidate) => title.test(candidate.title));
  expect(
    found.map((candidate) => candidate.title),
    String(title),
  ).toHaveLength(1);
  const [first] = found;
  if (!first) throw new Error(`no panel ${String(title)}`);
  return first;
}

const exprs = (found: PanelJson): string[] =>
  (found.targets ?? []).map((target) => normalize(target.expr));

describe('buildDashboard', () => {
  it('is the provisioned dashboard mlflow-monitoring with no fixed id', () => {
    expect(dashboard.uid).toBe('mlflow-monitoring');
    expect(dashboard.id).toBeNull();
    expect(dashboard.title).not.toBe('');
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildDashboard(metricsProfiles.spec))).toBe(
      JSON.stringify(buildDashboard(metricsProfiles.spec)),
    );
  });

  it('queries the datasource with uid prometheus in every panel, target and variable', () => {
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const found of queryPanels) {
      expect(found.datasource, found.title).toEqual({ type: 'prometheus', uid: 'prometheus' });
      expect(found.targets?.length, found.title).toBeGreaterThan(0);
      for (const target of found.targets ?? []) {
        expect(target.datasource?.uid, found.title).toBe('prometheus');
        expect(target.expr.trim(), found.title).not.toBe('');
      }
      const refIds = (found.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, found.title).toBe(refIds.length);
    }
    for (const variable of dashboard.templating.list) {
      expect(variable.datasource?.uid, variable.name).toBe('prometheus');
    }
  });

  it('gives every panel a unique id', () => {
    const ids = allPanels.map((found) => found.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Number.isInteger(id) && id > 0).toBe(true);
  });

  it('lays panels out inside 24 columns without overlaps', () => {
    for (const found of allPanels) {
      const { h, w, x, y } = found.gridPos;
      expect(x, found.title).toBeGreaterThanOrEqual(0);
      expect(y, found.title).toBeGreaterThanOrEqual(0);
      expect(w, found.title).toBeGreaterThan(0);
      expect(h, found.title).toBeGreaterThan(0);
      expect(x + w, found.title).toBeLessThanOrEqual(24);
    }
    for (const [index, a] of allPanels.entries()) {
      for (const b of allPanels.slice(index + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `${a.title} / ${b.title}`).toBe(false);
      }
    }
  });

  it('has the spec example "MLflow Request Success Rate"', () => {
    expect(queries).toContain(
      normalize(`sum(rate(http_requests_total{job="mlflow-server", status="200"}[5m])) /
sum(rate(http_requests_total{job="mlflow-server"}[5m])) * 100`),
    );
  });

  it('has the spec example "Model Inference Throughput"', () => {
    expect(queries).toContain(
      'sum(rate(http_requests_total{job="model-server", path="/invocations"}[5m])) by (status)',
    );
  });

  it('has the spec example "Memory Usage by Pod", with the namespace variable', () => {
    expect(
      queries.some((query) =>
        /^sum\(container_memory_usage_bytes\{namespace="\$namespace"[^}]*\}\) by \(pod\)$/.test(
          query,
        ),
      ),
    ).toBe(true);
  });

  it('has the spec example "Experiment Success Rate"', () => {
    expect(queries).toContain(
      normalize(`sum(increase(mlflow_runs_finished_total{status="FINISHED"}[1h])) /
(sum(increase(mlflow_runs_finished_total[1h]))) * 100`),
    );
  });

  it.each([
    [/^MLflow request latency$/, 'http_request_duration_seconds_bucket', 'mlflow-server'],
    [/^Model latency$/, 'mlflow_model_request_duration_seconds_bucket', 'model-server'],
  ])('shows p50, p95 and p99 in %s', (title, bucket, job) => {
    const found = panel(title);
    expect(exprs(found)).toEqual(
      ['0.5', '0.95', '0.99'].map(
        (quantile) =>
          `histogram_quantile(${quantile}, sum by (le) (rate(${bucket}{job="${job}"}[5m])))`,
      ),
    );
    expect(found.targets?.map((target) => target.legendFormat)).toEqual(['p50', 'p95', 'p99']);
  });

  it.each([
    [/^MLflow 4xx \/ 5xx errors$/, 'mlflow-server'],
    [/^Model server 4xx \/ 5xx errors$/, 'model-server'],
  ])('shows 4xx and 5xx errors in %s', (title, job) => {
    expect(exprs(panel(title))).toEqual([
      `sum by (status) (rate(http_requests_total{job="${job}", status=~"4..|5.."}[5m]))`,
    ]);
  });

  it('shows runs created, finished and failed', () => {
    const found = exprs(panel(/^Runs created \/ finished \/ failed$/));
    expect(found).toHaveLength(3);
    expect(found[0]).toContain('mlflow_runs_created_total');
    expect(found[1]).toContain(
      'mlflow_runs_finished_total{job="mlflow-server", status="FINISHED"}',
    );
    expect(found[2]).toContain('mlflow_runs_finished_total{job="mlflow-server", status="FAILED"}');
  });

  it('shows predictions', () => {
    expect(exprs(panel(/^Predictions$/))).toEqual([
      'sum(rate(mlflow_predictions_total{job="model-server"}[5m]))',
    ]);
  });

  it('shows CPU by pod in the selected namespace', () => {
    const [cpu] = exprs(panel(/^CPU usage by pod$/));
    expect(cpu).toMatch(
      /^sum\(rate\(container_cpu_usage_seconds_total\{namespace="\$namespace"[^}]*\}\[5m\]\)\) by \(pod\)$/,
    );
  });

  it('shows targets up and down', () => {
    const found = panel(/^Targets up \/ down$/);
    expect(exprs(found)).toEqual(['up']);
    const mapping = found.fieldConfig?.defaults.mappings?.[0];
    expect(mapping?.options['0']?.text).toBe('DOWN');
    expect(mapping?.options['1']?.text).toBe('UP');
  });

  it('hard-codes no namespace: queries use the $namespace variable', () => {
    expect(dashboard.templating.list.map((variable) => variable.name)).toContain('namespace');
    for (const query of queries) {
      for (const match of query.matchAll(/\bnamespace\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
        expect(match[2], query).toBe('$namespace');
      }
    }
    const text = JSON.stringify(dashboard);
    for (const environment of builtIn) expect(text).not.toContain(environment.namespace);
    expect(queries.filter((query) => query.includes('$namespace')).length).toBeGreaterThan(0);
  });

  it('only selects jobs that prometheus.yml scrapes', () => {
    for (const environment of builtIn) {
      const jobs = buildPrometheusConfig(environment).scrape_configs.map((job) => job.job_name);
      for (const query of queries) {
        for (const match of query.matchAll(/\bjob="([^"]+)"/g)) {
          expect(jobs, query).toContain(match[1]);
        }
      }
    }
  });
});
