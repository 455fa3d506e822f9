/**
 * Metrics profiles: which series the MLflow tracking server and the model server export, so
 * that alerts, dashboard panels and the spec's example queries name metrics that exist.
 * `spec` keeps the spec's names (servers instrumented that way); `mlflow-native` is stock
 * `mlflow server --expose-prometheus` (prometheus-flask-exporter) and MLServer. Pure data.
 */
import type { EnvironmentConfig, MetricsProfileName } from '../config/environment.js';
import { clusterMetricsJobs } from './additional-scrape.js';
import { jobNames } from './components.js';

export interface MetricsProfile {
  name: MetricsProfileName;
  /** Job of the node_* series when not ours: the cluster's own node-exporter (`nodeExporter.job`). */
  nodeExporterJob?: string;
  mlflow: {
    /** Counter of API requests, with the HTTP status in `statusLabel`. */
    requests: string;
    statusLabel: string;
    /** Histogram of API request durations (without `_bucket`). */
    requestDuration: string;
    /** Counters of runs by final status and the job that scrapes them, when exported. */
    runs: { created: string; finished: string; job: string } | undefined;
    /** Counter of requests that raised, when exported. */
    exceptions: string | undefined;
  };
  modelServer: {
    requests: string;
    statusLabel: string;
    /** Matchers that keep only inference requests (not probes or metadata calls). */
    inferenceMatchers: string;
    /** Histogram of inference durations (without `_bucket`); p95 comes from it. */
    requestDuration: string;
    /** Matchers that keep only inference requests in that histogram. */
    requestDurationMatchers: string;
    /** Extra labels the duration histogram carries, for the generated tests. */
    requestDurationLabels: Record<string, string>;
    predictions: string;
    /** Counter of failed predictions, when exported apart from `predictions`. */
    predictionFailures: string | undefined;
  };
}

export const metricsProfiles: Record<MetricsProfileName, MetricsProfile> = {
  spec: {
    name: 'spec',
    mlflow: {
      requests: 'http_requests_total',
      statusLabel: 'status',
      requestDuration: 'http_request_duration_seconds',
      runs: {
        created: 'mlflow_runs_created_total',
        finished: 'mlflow_runs_finished_total',
        job: jobNames.mlflow,
      },
      exceptions: undefined,
    },
    modelServer: {
      requests: 'http_requests_total',
      statusLabel: 'status',
      inferenceMatchers: 'path="/invocations"',
      // Times inference only, so it needs no route filter.
      requestDuration: 'mlflow_model_request_duration_seconds',
      requestDurationMatchers: '',
      requestDurationLabels: {},
      predictions: 'mlflow_predictions_total',
      predictionFailures: undefined,
    },
  },
  'mlflow-native': {
    name: 'mlflow-native',
    mlflow: {
      // prometheus-flask-exporter with defaults_prefix="mlflow": no `path` label.
      requests: 'mlflow_http_request_total',
      statusLabel: 'status',
      requestDuration: 'mlflow_http_request_duration_seconds',
      runs: undefined,
      exceptions: 'mlflow_http_request_exceptions_total',
    },
    modelServer: {
      // MLServer's REST metrics carry the route template in `path`.
      requests: 'rest_server_requests_total',
      statusLabel: 'status_code',
      inferenceMatchers: 'path=~".*/infer|/invocations"',
      // model_infer_request_duration is a Summary without quantiles: no p95 from it.
      requestDuration: 'rest_server_request_duration_seconds',
      requestDurationMatchers: 'path=~".*/infer|/invocations"',
      requestDurationLabels: {
        app_name: 'mlserver',
        method: 'POST',
        path: '/v2/models/{model_name}/infer',
        status_code: '200',
      },
      predictions: 'model_infer_request_success_total',
      predictionFailures: 'model_infer_request_failure_total',
    },
  },
};

/**
 * The environment's profile; a configured run exporter supplies the spec's run counters (its
 * own job), whatever the MLflow server exports.
 */
export function profileOf(environment: EnvironmentConfig): MetricsProfile {
  const profile = withNodeExporterJob(metricsProfiles[environment.metrics.profile], environment);
  if (environment.metrics.runExporter === undefined) return profile;
  const runs = {
    created: 'mlflow_runs_created_total',
    finished: 'mlflow_runs_finished_total',
    job: jobNames.runExporter,
  };
  return { ...profile, mlflow: { ...profile.mlflow, runs } };
}

/** The cluster's own node-exporter, scraped by a team job (`nodeExporter.job`), if so. */
function withNodeExporterJob(
  profile: MetricsProfile,
  environment: EnvironmentConfig,
): MetricsProfile {
  const job = clusterMetricsJobs(environment).nodeExporter;
  return job === undefined || job === jobNames.nodeExporter
    ? profile
    : { ...profile, nodeExporterJob: job };
}

const mlflowJob = `job="${jobNames.mlflow}"`;
const modelJob = `job="${jobNames.modelServer}"`;

/** A selector from matchers, skipping empty ones. */
export function selector(metric: string, ...matchers: string[]): string {
  return `${metric}{${matchers.filter((matcher) => matcher !== '').join(', ')}}`;
}

export interface ExampleQuery {
  title: string;
  expr: string;
}

/**
 * The four queries of the spec's "Example Queries" section, written for the profile. In
 * `mlflow-native` there are no run counters, so the experiment success rate becomes the share
 * of tracking-server requests without a server error (runs are logged through those requests).
 */
export function exampleQueries(profile: MetricsProfile, namespace: string): ExampleQuery[] {
  const { mlflow, modelServer } = profile;
  const experimentSuccess = mlflow.runs
    ? `sum(increase(${selector(mlflow.runs.finished, 'status="FINISHED"')}[1h])) /\n(sum(increase(${mlflow.runs.finished}[1h]))) * 100`
    : // No 5xx series exists before the first server error: count that as none, not as no data.
      `(1 - (sum(increase(${selector(mlflow.requests, mlflowJob, `${mlflow.statusLabel}=~"5.."`)}[1h])) or vector(0)) /\nsum(increase(${selector(mlflow.requests, mlflowJob)}[1h]))) * 100`;
  return [
    {
      title: 'MLflow Request Success Rate',
      expr: `sum(rate(${selector(mlflow.requests, mlflowJob, `${mlflow.statusLabel}="200"`)}[5m])) /\nsum(rate(${selector(mlflow.requests, mlflowJob)}[5m])) * 100`,
    },
    {
      title: 'Model Inference Throughput',
      expr: `sum(rate(${selector(modelServer.requests, modelJob, modelServer.inferenceMatchers)}[5m])) by (${modelServer.statusLabel})`,
    },
    {
      title: 'Memory Usage by Pod',
      expr: `sum(container_memory_usage_bytes{namespace="${namespace}"}) by (pod)`,
    },
    { title: 'Experiment Success Rate', expr: experimentSuccess },
  ];
}
