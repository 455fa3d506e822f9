/**
 * The MLflow monitoring dashboard (`mlflow-monitoring-dashboard.json`): the spec's example
 * queries plus latency percentiles, errors, runs, predictions, pod CPU and memory, restarts and
 * target health. It names no namespace (a variable picks it), so one copy serves every
 * environment. Typed with Grafana's own schema package. Pure.
 */
import {
  DashboardCursorSync,
  MappingType,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type ValueMapping,
} from '@grafana/schema';
import { grafanaComponent, jobNames } from './components.js';

const datasource = { type: 'prometheus', uid: grafanaComponent.datasourceUid };

interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  description: string;
  type: 'timeseries' | 'stat';
  unit: string;
  queries: Query[];
  width?: number;
  /** Threshold line or colour step, such as an alert threshold. */
  threshold?: number;
  mappings?: ValueMapping[];
}

interface Row {
  title: string;
  panels: PanelSpec[];
}

const mlflow = `job="${jobNames.mlflow}"`;
const model = `job="${jobNames.modelServer}"`;
const podFilter = 'namespace="$namespace", container!="", image!=""';

const percentiles = (metric: string, selector: string): Query[] =>
  [0.5, 0.95, 0.99].map((quantile) => ({
    expr: `histogram_quantile(${quantile}, sum by (le) (rate(${metric}{${selector}}[5m])))`,
    legend: `p${String(quantile * 100)}`,
  }));

const rows: Row[] = [
  {
    title: 'MLflow tracking server',
    panels: [
      {
        title: 'MLflow request success rate',
        description: 'Share of MLflow requests answered with status 200 (spec example query).',
        type: 'stat',
        unit: 'percent',
        width: 6,
        queries: [
          {
            expr: `sum(rate(http_requests_total{${mlflow}, status="200"}[5m])) /\nsum(rate(http_requests_total{${mlflow}}[5m])) * 100`,
            legend: 'success rate',
          },
        ],
      },
      {
        title: 'Experiment success rate',
        description:
          'Runs finished successfully over all finished runs in the last hour (spec example query).',
        type: 'stat',
        unit: 'percent',
        width: 6,
        queries: [
          {
            expr: `sum(increase(mlflow_runs_finished_total{status="FINISHED"}[1h])) /\n(sum(increase(mlflow_runs_finished_total[1h]))) * 100`,
            legend: 'success rate',
          },
        ],
      },
      {
        title: 'MLflow request latency',
        description: 'p50, p95 and p99 of MLflow server request duration.',
        type: 'timeseries',
        unit: 's',
        width: 12,
        queries: percentiles('http_request_duration_seconds_bucket', mlflow),
      },
      {
        title: 'MLflow 4xx / 5xx errors',
        description: 'Error responses per second by status code.',
        type: 'timeseries',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (status) (rate(http_requests_total{${mlflow}, status=~"4..|5.."}[5m]))`,
            legend: '{{status}}',
          },
        ],
      },
      {
        title: 'Runs created / finished / failed',
        description: 'MLflow runs per hour.',
        type: 'timeseries',
        unit: 'short',
        queries: [
          { expr: `sum(increase(mlflow_runs_created_total{${mlflow}}[1h]))`, legend: 'created' },
          {
            expr: `sum(increase(mlflow_runs_finished_total{${mlflow}, status="FINISHED"}[1h]))`,
            legend: 'finished',
          },
          {
            expr: `sum(increase(mlflow_runs_finished_total{${mlflow}, status="FAILED"}[1h]))`,
            legend: 'failed',
          },
        ],
      },
    ],
  },
  {
    title: 'Model server',
    panels: [
      {
        title: 'Model inference throughput',
        description: 'Requests per second to /invocations by status (spec example query).',
        type: 'timeseries',
        unit: 'reqps',
        queries: [
          {
            expr: `sum(rate(http_requests_total{${model}, path="/invocations"}[5m])) by (status)`,
            legend: '{{status}}',
          },
        ],
      },
      {
        title: 'Predictions',
        description: 'Predictions served per second.',
        type: 'timeseries',
        unit: 'ops',
        queries: [
          { expr: `sum(rate(mlflow_predictions_total{${model}}[5m]))`, legend: 'predictions' },
        ],
      },
      {
        title: 'Model latency',
        description: 'p50, p95 and p99 of inference latency; HighModelLatency watches p95.',
        type: 'timeseries',
        unit: 's',
        queries: percentiles('mlflow_model_request_duration_seconds_bucket', model),
      },
      {
        title: 'Model server 4xx / 5xx errors',
        description: 'Error responses per second by status code.',
        type: 'timeseries',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (status) (rate(http_requests_total{${model}, status=~"4..|5.."}[5m]))`,
            legend: '{{status}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Kubernetes',
    panels: [
      {
        title: 'Memory usage by pod',
        description:
          'Working set (what the OOM killer and kubernetes-mixin use) and total usage including page cache (the spec query).',
        type: 'timeseries',
        unit: 'bytes',
        queries: [
          {
            expr: `sum(container_memory_working_set_bytes{${podFilter}}) by (pod)`,
            legend: '{{pod}}',
          },
          {
            expr: `sum(container_memory_usage_bytes{${podFilter}}) by (pod)`,
            legend: '{{pod}} (incl. cache)',
          },
        ],
      },
      {
        title: 'CPU usage by pod',
        description: 'CPU cores used per pod.',
        type: 'timeseries',
        unit: 'short',
        queries: [
          {
            expr: `sum(rate(container_cpu_usage_seconds_total{${podFilter}}[5m])) by (pod)`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Container restarts',
        description: 'Restarts per pod in the last hour (kube-state-metrics).',
        type: 'timeseries',
        unit: 'short',
        queries: [
          {
            expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{namespace="$namespace"}[1h]))`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Targets up / down',
        description: 'Scrape health of every target: 1 is up, 0 is down.',
        type: 'stat',
        unit: 'none',
        queries: [{ expr: 'up', legend: '{{job}} {{instance}}' }],
        mappings: [
          {
            type: MappingType.ValueToText,
            options: {
              '0': { text: 'DOWN', color: 'red', index: 0 },
              '1': { text: 'UP', color: 'green', index: 1 },
            },
          },
        ],
      },
      {
        title: 'Node CPU usage',
        description: 'What HighCPUUsage watches.',
        type: 'timeseries',
        unit: 'percent',
        threshold: 80,
        queries: [
          {
            expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job="${jobNames.nodeExporter}", mode="idle"}[5m])))`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        title: 'Node memory usage',
        description: 'What HighMemoryUsage watches.',
        type: 'timeseries',
        unit: 'percent',
        threshold: 85,
        queries: [
          {
            expr: `100 * (1 - node_memory_MemAvailable_bytes{job="${jobNames.nodeExporter}"} / node_memory_MemTotal_bytes{job="${jobNames.nodeExporter}"})`,
            legend: '{{instance}}',
          },
        ],
      },
    ],
  },
];

const gridColumns = 24;
const panelHeight = 8;

function buildPanel(spec: PanelSpec, id: number, gridPos: Panel['gridPos']): Panel {
  const steps: { value: number | null; color: string }[] = [{ value: null, color: 'green' }];
  if (spec.threshold !== undefined) steps.push({ value: spec.threshold, color: 'red' });
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource,
    gridPos,
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource,
      expr: query.expr,
      legendFormat: query.legend,
      range: true,
    })),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        thresholds: { mode: ThresholdsMode.Absolute, steps },
        ...(spec.mappings ? { mappings: spec.mappings } : {}),
      },
      overrides: [],
    },
    options: {},
  };
}

export function buildDashboard(): Dashboard {
  const panels: Dashboard['panels'] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: gridColumns, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const spec of row.panels) {
      const width = spec.width ?? gridColumns / 2;
      if (x + width > gridColumns) {
        x = 0;
        y += panelHeight;
      }
      panels.push(buildPanel(spec, id++, { h: panelHeight, w: width, x, y }));
      x += width;
    }
    y += panelHeight;
  }
  return {
    id: null,
    uid: grafanaComponent.dashboardUid,
    title: 'MLflow Monitoring',
    description:
      'MLflow tracking server, model server and Kubernetes health. Generated by gitops-gen.',
    tags: ['mlflow', 'gitops-gen'],
    timezone: 'browser',
    editable: false,
    graphTooltip: DashboardCursorSync.Crosshair,
    schemaVersion: 41,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'namespace',
          label: 'Namespace',
          type: 'query',
          datasource,
          query: {
            query: `label_values(up{job="${jobNames.mlflow}"}, namespace)`,
            refId: 'namespace',
          },
          refresh: VariableRefresh.onTimeRangeChanged,
          includeAll: false,
          multi: false,
          sort: VariableSort.alphabeticalAsc,
        },
      ],
    },
    annotations: { list: [] },
    links: [],
    panels,
  };
}
