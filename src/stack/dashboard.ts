/**
 * The MLflow monitoring dashboard (`mlflow-monitoring-dashboard.json`): the spec's example
 * queries plus latency percentiles, errors, runs, predictions, pod CPU and memory, restarts and
 * target health. It names no namespace (a variable picks it), so one copy serves every
 * environment of a metrics profile. Typed with Grafana's own schema package. Pure.
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
import { nodeCpuUsage } from './alert-rules.js';
import { exampleQueries, selector, type MetricsProfile } from './metrics-profile.js';
import { jobMatcher } from './additional-scrape.js';

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

const mlflowJob = `job="${jobNames.mlflow}"`;
const modelJob = `job="${jobNames.modelServer}"`;
const podFilter = 'namespace="$namespace", container!="", image!=""';

const percentiles = (metric: string, ...matchers: string[]): Query[] =>
  [0.5, 0.95, 0.99].map((quantile) => ({
    expr: `histogram_quantile(${quantile}, sum by (le) (rate(${selector(metric, ...matchers)}[5m])))`,
    legend: `p${String(quantile * 100)}`,
  }));

/** The spec's example query with that title, written for the profile. */
function example(profile: MetricsProfile, title: string): string {
  const found = exampleQueries(profile, '$namespace').find((query) => query.title === title);
  if (!found) throw new Error(`no example query "${title}"`);
  return found.expr;
}

/** The MLflow panels that need run counters, or what stands in for them without. */
function runPanels(profile: MetricsProfile): PanelSpec[] {
  const { mlflow } = profile;
  const runs = mlflow.runs;
  if (runs) {
    const runsJob = `job="${runs.job}"`;
    return [
      {
        title: 'Runs created / finished / failed',
        description: 'MLflow runs per hour.',
        type: 'timeseries',
        unit: 'short',
        queries: [
          { expr: `sum(increase(${selector(runs.created, runsJob)}[1h]))`, legend: 'created' },
          {
            expr: `sum(increase(${selector(runs.finished, runsJob, 'status="FINISHED"')}[1h]))`,
            legend: 'finished',
          },
          {
            expr: `sum(increase(${selector(runs.finished, runsJob, 'status="FAILED"')}[1h]))`,
            legend: 'failed',
          },
        ],
      },
    ];
  }
  return [
    {
      title: 'Tracking server exceptions',
      description:
        'Requests that raised inside the MLflow server, per second. Stock MLflow exports no run counters: failing runs show here and as 5xx.',
      type: 'timeseries',
      unit: 'reqps',
      queries: [
        {
          expr: `sum(rate(${selector(mlflow.exceptions ?? mlflow.requests, mlflowJob)}[5m]))`,
          legend: 'exceptions',
        },
      ],
    },
  ];
}

function rowsFor(profile: MetricsProfile): Row[] {
  const { mlflow, modelServer } = profile;
  const predictions: Query[] = [
    {
      expr: `sum(rate(${selector(modelServer.predictions, modelJob)}[5m]))`,
      legend: 'predictions',
    },
  ];
  if (modelServer.predictionFailures) {
    predictions.push({
      expr: `sum(rate(${selector(modelServer.predictionFailures, modelJob)}[5m]))`,
      legend: 'failed',
    });
  }
  return [
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
            { expr: example(profile, 'MLflow Request Success Rate'), legend: 'success rate' },
          ],
        },
        {
          title: 'Experiment success rate',
          description: mlflow.runs
            ? 'Runs finished successfully over all finished runs in the last hour (spec example query).'
            : 'Without run counters (stock MLflow): the share of tracking requests in the last hour that did not fail with a server error.',
          type: 'stat',
          unit: 'percent',
          width: 6,
          queries: [{ expr: example(profile, 'Experiment Success Rate'), legend: 'success rate' }],
        },
        {
          title: 'MLflow request latency',
          description: 'p50, p95 and p99 of MLflow server request duration.',
          type: 'timeseries',
          unit: 's',
          width: 12,
          queries: percentiles(`${mlflow.requestDuration}_bucket`, mlflowJob),
        },
        {
          title: 'MLflow 4xx / 5xx errors',
          description: 'Error responses per second by status code.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (${mlflow.statusLabel}) (rate(${selector(mlflow.requests, mlflowJob, `${mlflow.statusLabel}=~"4..|5.."`)}[5m]))`,
              legend: `{{${mlflow.statusLabel}}}`,
            },
          ],
        },
        ...runPanels(profile),
      ],
    },
    {
      title: 'Model server',
      panels: [
        {
          title: 'Model inference throughput',
          description: 'Inference requests per second by status (spec example query).',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: example(profile, 'Model Inference Throughput'),
              legend: `{{${modelServer.statusLabel}}}`,
            },
          ],
        },
        {
          title: 'Predictions',
          description: 'Predictions served per second.',
          type: 'timeseries',
          unit: 'ops',
          queries: predictions,
        },
        {
          title: 'Model latency',
          description: 'p50, p95 and p99 of inference latency; HighModelLatency watches p95.',
          type: 'timeseries',
          unit: 's',
          queries: percentiles(
            `${modelServer.requestDuration}_bucket`,
            modelJob,
            modelServer.requestDurationMatchers,
          ),
        },
        {
          title: 'Model server 4xx / 5xx errors',
          description: 'Error responses per second by status code.',
          type: 'timeseries',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (${modelServer.statusLabel}) (rate(${selector(modelServer.requests, modelJob, `${modelServer.statusLabel}=~"4..|5.."`)}[5m]))`,
              legend: `{{${modelServer.statusLabel}}}`,
            },
          ],
        },
      ],
    },
    kubernetesRow(jobMatcher(profile.nodeExporterJob ?? jobNames.nodeExporter)),
  ];
}

/** `nodeJob`: the matcher of node-exporter's job, ours or the cluster's own. */
const kubernetesRow = (nodeJob: string): Row => ({
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
          expr: nodeCpuUsage(nodeJob),
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
          expr: `100 * (1 - node_memory_MemAvailable_bytes{${nodeJob}} / node_memory_MemTotal_bytes{${nodeJob}})`,
          legend: '{{instance}}',
        },
      ],
    },
  ],
});

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

export function buildDashboard(profile: MetricsProfile): Dashboard {
  const panels: Dashboard['panels'] = [];
  let id = 1;
  let y = 0;
  for (const row of rowsFor(profile)) {
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
