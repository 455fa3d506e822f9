/**
 * Fake metrics endpoints for the end-to-end test: an MLflow tracking server and a model server,
 * each a node:http server on 127.0.0.1 serving `GET /metrics` from its own prom-client
 * `Registry` (never the global one, so servers and test files cannot see each other's series).
 *
 * Two profiles, the metric names the rendered rules may be written against:
 * - `spec`: the names the project spec describes (`http_requests_total`, `mlflow_runs_*`,
 *   `mlflow_model_request_duration_seconds`, `mlflow_predictions_total`).
 * - `mlflow-native`: what stock deployments expose: MLflow's `--expose-prometheus`
 *   (prometheus-flask-exporter with prefix `mlflow`, grouped by `mlflow_version`, so no `path`
 *   label and no run metrics) and MLServer's metrics port (`model_infer_*`, starlette-exporter's
 *   `rest_server_*`).
 *
 * The traffic API (`mlflow.request`, `mlflow.runFinished`, `model.predict`) is the same for both
 * profiles, so a test drives either one identically. The label sets the traffic API uses start at
 * 0 (where prom-client allows it: not the Summary), so the first traffic is an increase that
 * `rate()`/`increase()` can see rather than a series appearing out of nowhere.
 *
 * Servers can be stopped and started again on the same port: the test stops the MLflow fake to
 * make its "down" alert fire. `fakeExporterMetrics` lists what each fake serves, for
 * cross-checking against the rendered rules.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { track, type Stoppable } from './processes.js';

export type ExporterProfile = 'spec' | 'mlflow-native';
export type FakeServerRole = 'mlflow' | 'model';
export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface FakeMetricFamily {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** prometheus_client's (Python) default buckets: the stock exporters are Python. */
const pythonDefaultBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

const families = {
  spec: {
    mlflow: {
      httpRequests: {
        name: 'http_requests_total',
        kind: 'counter',
        help: 'HTTP requests to the MLflow tracking server.',
        labelNames: ['method', 'path', 'status'],
      },
      httpDuration: {
        name: 'http_request_duration_seconds',
        kind: 'histogram',
        help: 'HTTP request latency of the MLflow tracking server.',
        labelNames: ['method', 'path', 'status'],
      },
      runsCreated: {
        name: 'mlflow_runs_created_total',
        kind: 'counter',
        help: 'Runs created.',
        labelNames: [],
      },
      runsFinished: {
        name: 'mlflow_runs_finished_total',
        kind: 'counter',
        help: 'Runs finished, by final status.',
        labelNames: ['status'],
      },
    },
    model: {
      modelDuration: {
        name: 'mlflow_model_request_duration_seconds',
        kind: 'histogram',
        help: 'Prediction latency of the model server.',
        labelNames: ['model'],
      },
      predictions: {
        name: 'mlflow_predictions_total',
        kind: 'counter',
        help: 'Predictions served.',
        labelNames: ['model'],
      },
      httpRequests: {
        name: 'http_requests_total',
        kind: 'counter',
        help: 'HTTP requests to the model server.',
        labelNames: ['method', 'path', 'status'],
      },
      httpDuration: {
        name: 'http_request_duration_seconds',
        kind: 'histogram',
        help: 'HTTP request latency of the model server.',
        labelNames: ['method', 'path', 'status'],
      },
    },
  },
  'mlflow-native': {
    mlflow: {
      httpDuration: {
        name: 'mlflow_http_request_duration_seconds',
        kind: 'histogram',
        help: 'Flask HTTP request duration in seconds',
        labelNames: ['method', 'status', 'mlflow_version'],
      },
      httpRequests: {
        name: 'mlflow_http_request_total',
        kind: 'counter',
        help: 'Total number of HTTP requests',
        labelNames: ['method', 'status'],
      },
      httpExceptions: {
        name: 'mlflow_http_request_exceptions_total',
        kind: 'counter',
        help: 'Total number of HTTP requests which resulted in an exception',
        labelNames: ['method', 'status'],
      },
      exporterInfo: {
        name: 'mlflow_exporter_info',
        kind: 'gauge',
        help: 'Information about the Prometheus Flask exporter',
        labelNames: ['version'],
      },
    },
    model: {
      inferSuccess: {
        name: 'model_infer_request_success_total',
        kind: 'counter',
        help: 'Model infer request success count',
        labelNames: ['model', 'version'],
      },
      inferFailure: {
        name: 'model_infer_request_failure_total',
        kind: 'counter',
        help: 'Model infer request failure count',
        labelNames: ['model', 'version'],
      },
      inferDuration: {
        name: 'model_infer_request_duration',
        kind: 'summary',
        help: 'Model infer request duration',
        labelNames: ['model', 'version'],
      },
      restRequests: {
        name: 'rest_server_requests_total',
        kind: 'counter',
        help: 'Total HTTP requests',
        labelNames: ['app_name', 'method', 'path', 'status_code'],
      },
      restDuration: {
        name: 'rest_server_request_duration_seconds',
        kind: 'histogram',
        help: 'HTTP request duration, in seconds',
        labelNames: ['app_name', 'method', 'path', 'status_code'],
      },
      restInProgress: {
        name: 'rest_server_requests_in_progress',
        kind: 'gauge',
        help: 'Total HTTP requests currently in progress',
        labelNames: ['app_name', 'method', 'path'],
      },
    },
  },
} as const satisfies Record<
  ExporterProfile,
  Record<FakeServerRole, Record<string, FakeMetricFamily>>
>;

/** The metric families each fake serves, per profile. */
export const fakeExporterMetrics: Readonly<
  Record<ExporterProfile, Readonly<Record<FakeServerRole, readonly FakeMetricFamily[]>>>
> = {
  spec: {
    mlflow: Object.values(families.spec.mlflow),
    model: Object.values(families.spec.model),
  },
  'mlflow-native': {
    mlflow: Object.values(families['mlflow-native'].mlflow),
    model: Object.values(families['mlflow-native'].model),
  },
};

/** The sample names a family puts in the exposition (`_bucket`/`_sum`/`_count` and so on). */
export function sampleNames(family: FakeMetricFamily): string[] {
  switch (family.kind) {
    case 'counter':
    case 'gauge':
      return [family.name];
    case 'histogram':
      return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
    case 'summary':
      // `percentiles: []`: no quantile samples, like prometheus_client's Summary.
      return [`${family.name}_sum`, `${family.name}_count`];
  }
}

/** Every sample name a profile's fake(s) serve, sorted; `role` narrows to one server. */
export function fakeExporterSampleNames(profile: ExporterProfile, role?: FakeServerRole): string[] {
  const roles: FakeServerRole[] = role ? [role] : ['mlflow', 'model'];
  const names = roles.flatMap((each) => fakeExporterMetrics[profile][each].flatMap(sampleNames));
  return [...new Set(names)].sort();
}

// --- servers ----------------------------------------------------------------------------

export interface FakeServer extends Stoppable {
  readonly name: string;
  readonly registry: Registry;
  /** Fixed after the first start, so a restart comes back on the same port. */
  readonly port: number;
  /** `http://127.0.0.1:<port>/metrics` */
  readonly url: string;
  /** `127.0.0.1:<port>`, for a scrape config. */
  readonly target: string;
  readonly path: string;
  readonly isRunning: boolean;
  /** Listens again on `port`; no-op while running. */
  start(): Promise<void>;
  /** Closes the server and destroys open (keep-alive) sockets; no-op while stopped. */
  stop(): Promise<void>;
}

export interface FakeServerOptions {
  name: string;
  registry: Registry;
  /** 0 (default) picks a free port on the first start. */
  port?: number;
  /** Default `/metrics`. */
  path?: string;
}

/** Serves `registry` at `GET <path>` on 127.0.0.1; 404 for anything else. Started. */
export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const { name, registry } = options;
  const path = options.path ?? '/metrics';
  let port = options.port ?? 0;
  let server: Server | undefined;
  const sockets = new Set<Socket>();

  const listen = async (): Promise<void> => {
    const created = createServer((request, response) => {
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if ((request.method !== 'GET' && request.method !== 'HEAD') || pathname !== path) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('not found\n');
        return;
      }
      registry.metrics().then(
        (text) => {
          response.writeHead(200, {
            'content-type': registry.contentType,
            'content-length': String(Buffer.byteLength(text)),
          });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          response.end(`${String(error)}\n`);
        },
      );
    });
    created.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        created.off('error', reject);
        resolve();
      });
    });
    port = (created.address() as AddressInfo).port;
    server = created;
  };

  const fake: FakeServer = {
    name,
    registry,
    path,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}${path}`;
    },
    get target() {
      return `127.0.0.1:${port}`;
    },
    get isRunning() {
      return server !== undefined;
    },
    async start() {
      if (server) return;
      try {
        await listen();
      } catch (error) {
        throw new Error(`${name}: cannot listen on 127.0.0.1:${port}: ${String(error)}`, {
          cause: error,
        });
      }
      // Again after a restart: `stopAll` forgets what it stopped.
      track(fake);
    },
    async stop() {
      const closing = server;
      if (!closing) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => {
        closing.close(() => {
          resolve();
        });
      });
      // Prometheus keeps its scrape connection alive; without this `close` would wait for it.
      for (const socket of sockets) socket.destroy();
      closing.closeAllConnections();
      await closed;
    },
  };
  await fake.start();
  return fake;
}

// --- traffic ----------------------------------------------------------------------------

export interface MlflowRequestOptions {
  /** HTTP status, default 200; recorded as a string label ("200"). */
  status?: number;
  /** Observed latency, default 0.05 s. */
  seconds?: number;
  /** Default POST (`/api/2.0/mlflow/runs/create`); GET is `/api/2.0/mlflow/runs/get`. */
  method?: 'GET' | 'POST';
}

export interface PredictOptions {
  /** Observed latency, default 0.05 s. */
  seconds?: number;
  /** Answer 500 and count a failure. */
  failed?: boolean;
}

export interface MlflowTraffic {
  /** Records `count` tracking-server API requests. */
  request(count: number, options?: MlflowRequestOptions): void;
  /**
   * Records `count` finished runs. `spec`: the run counters. `mlflow-native` has no run metrics,
   * so (the documented fallback) a FAILED run is a request answered 500, FINISHED one with 200.
   */
  runFinished(count: number, status: 'FINISHED' | 'FAILED'): void;
}

export interface ModelTraffic {
  /** Records `count` predictions (all with the same latency and outcome). */
  predict(count: number, options?: PredictOptions): void;
}

export type FakeMlflowServer = FakeServer & MlflowTraffic;
export type FakeModelServer = FakeServer & ModelTraffic;

export interface FakeExporters extends Stoppable {
  readonly profile: ExporterProfile;
  readonly mlflow: FakeMlflowServer;
  readonly model: FakeModelServer;
  /** Stops both servers. */
  stop(): Promise<void>;
}

export interface FakeExportersOptions {
  /** 0 (default): a free port. */
  mlflowPort?: number;
  modelPort?: number;
  /** The `model` label; default `demo-model`. */
  model?: string;
  /** MLServer's `version` label (mlflow-native); default `1`. */
  modelVersion?: string;
}

/** The `mlflow_version` label (mlflow-native) and the exporter version in `mlflow_exporter_info`. */
export const fakeMlflowVersion = '2.14.1';
export const fakeFlaskExporterVersion = '0.23.1';

const runsCreatePath = '/api/2.0/mlflow/runs/create';
const runsGetPath = '/api/2.0/mlflow/runs/get';
const invocationsPath = '/invocations';
const mlserverInferPath = '/v2/models/{model_name}/infer';
/** A sanity cap: traffic loops run `count` times. */
const maxCount = 100_000;

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > maxCount) {
    throw new Error(`count must be an integer in 0..${maxCount}, got ${count}`);
  }
}

function counter<L extends string>(
  registry: Registry,
  family: { name: string; help: string; labelNames: readonly L[] },
): Counter<L> {
  return new Counter({ ...family, registers: [registry] });
}

function gauge<L extends string>(
  registry: Registry,
  family: { name: string; help: string; labelNames: readonly L[] },
): Gauge<L> {
  return new Gauge({ ...family, registers: [registry] });
}

function histogram<L extends string>(
  registry: Registry,
  family: { name: string; help: string; labelNames: readonly L[] },
  buckets?: number[],
): Histogram<L> {
  return new Histogram({ ...family, ...(buckets ? { buckets } : {}), registers: [registry] });
}

function observe<L extends string>(
  metric: Histogram<L> | Summary<L>,
  labels: Partial<Record<L, string>>,
  seconds: number,
  count: number,
): void {
  for (let index = 0; index < count; index++) metric.observe(labels, seconds);
}

interface Traffic {
  mlflow: MlflowTraffic;
  model: ModelTraffic;
}

// Label objects are written in `labelNames` order: prom-client prints labels in key order.

function specTraffic(mlflowRegistry: Registry, modelRegistry: Registry, model: string): Traffic {
  const m = families.spec.mlflow;
  const requests = counter(mlflowRegistry, m.httpRequests);
  const duration = histogram(mlflowRegistry, m.httpDuration);
  const runsCreated = counter(mlflowRegistry, m.runsCreated);
  const runsFinished = counter(mlflowRegistry, m.runsFinished);

  const s = families.spec.model;
  const modelDuration = histogram(modelRegistry, s.modelDuration);
  const predictions = counter(modelRegistry, s.predictions);
  const modelRequests = counter(modelRegistry, s.httpRequests);
  const modelHttpDuration = histogram(modelRegistry, s.httpDuration);

  for (const [method, path] of [
    ['POST', runsCreatePath],
    ['GET', runsGetPath],
  ] as const) {
    for (const status of ['200', '500']) {
      requests.inc({ method, path, status }, 0);
      duration.zero({ method, path, status });
    }
  }
  for (const status of ['FINISHED', 'FAILED', 'KILLED']) runsFinished.inc({ status }, 0);
  runsCreated.inc(0);
  modelDuration.zero({ model });
  predictions.inc({ model }, 0);
  for (const status of ['200', '500']) {
    modelRequests.inc({ method: 'POST', path: invocationsPath, status }, 0);
    modelHttpDuration.zero({ method: 'POST', path: invocationsPath, status });
  }

  return {
    mlflow: {
      request(count, options = {}) {
        checkCount(count);
        const method = options.method ?? 'POST';
        const labels = {
          method,
          path: method === 'POST' ? runsCreatePath : runsGetPath,
          status: String(options.status ?? 200),
        };
        requests.inc(labels, count);
        observe(duration, labels, options.seconds ?? 0.05, count);
      },
      runFinished(count, status) {
        checkCount(count);
        runsCreated.inc(count);
        runsFinished.inc({ status }, count);
      },
    },
    model: {
      predict(count, options = {}) {
        checkCount(count);
        const seconds = options.seconds ?? 0.05;
        const http = {
          method: 'POST',
          path: invocationsPath,
          status: options.failed ? '500' : '200',
        };
        observe(modelDuration, { model }, seconds, count);
        predictions.inc({ model }, count);
        modelRequests.inc(http, count);
        observe(modelHttpDuration, http, seconds, count);
      },
    },
  };
}

function nativeTraffic(
  mlflowRegistry: Registry,
  modelRegistry: Registry,
  model: string,
  version: string,
): Traffic {
  const m = families['mlflow-native'].mlflow;
  const duration = histogram(mlflowRegistry, m.httpDuration, pythonDefaultBuckets);
  const requests = counter(mlflowRegistry, m.httpRequests);
  const exceptions = counter(mlflowRegistry, m.httpExceptions);
  const info = gauge(mlflowRegistry, m.exporterInfo);

  const s = families['mlflow-native'].model;
  const success = counter(modelRegistry, s.inferSuccess);
  const failure = counter(modelRegistry, s.inferFailure);
  const inferDuration = new Summary({
    ...s.inferDuration,
    percentiles: [],
    registers: [modelRegistry],
  });
  const restRequests = counter(modelRegistry, s.restRequests);
  const restDuration = histogram(modelRegistry, s.restDuration, pythonDefaultBuckets);
  const inProgress = gauge(modelRegistry, s.restInProgress);

  info.set({ version: fakeFlaskExporterVersion }, 1);
  for (const method of ['POST', 'GET']) {
    for (const status of ['200', '500']) {
      requests.inc({ method, status }, 0);
      duration.zero({ method, status, mlflow_version: fakeMlflowVersion });
    }
    exceptions.inc({ method, status: '500' }, 0);
  }
  success.inc({ model, version }, 0);
  failure.inc({ model, version }, 0);
  const rest = { app_name: 'mlserver', method: 'POST', path: mlserverInferPath };
  for (const status_code of ['200', '500']) {
    restRequests.inc({ ...rest, status_code }, 0);
    restDuration.zero({ ...rest, status_code });
  }
  inProgress.set(rest, 0);

  const request = (count: number, options: MlflowRequestOptions = {}): void => {
    checkCount(count);
    const method = options.method ?? 'POST';
    const status = options.status ?? 200;
    const labels = { method, status: String(status) };
    requests.inc(labels, count);
    observe(
      duration,
      { ...labels, mlflow_version: fakeMlflowVersion },
      options.seconds ?? 0.05,
      count,
    );
    if (status >= 500) exceptions.inc(labels, count);
  };

  return {
    mlflow: {
      request,
      runFinished(count, status) {
        request(count, { method: 'POST', status: status === 'FAILED' ? 500 : 200 });
      },
    },
    model: {
      predict(count, options = {}) {
        checkCount(count);
        const seconds = options.seconds ?? 0.05;
        const labels = { model, version };
        (options.failed ? failure : success).inc(labels, count);
        observe(inferDuration, labels, seconds, count);
        const http = { ...rest, status_code: options.failed ? '500' : '200' };
        restRequests.inc(http, count);
        observe(restDuration, http, seconds, count);
      },
    },
  };
}

/** Starts the MLflow and model fakes of `profile` on 127.0.0.1. */
export async function startFakeExporters(
  profile: ExporterProfile,
  options: FakeExportersOptions = {},
): Promise<FakeExporters> {
  const mlflowRegistry = new Registry();
  const modelRegistry = new Registry();
  const model = options.model ?? 'demo-model';
  const traffic =
    profile === 'spec'
      ? specTraffic(mlflowRegistry, modelRegistry, model)
      : nativeTraffic(mlflowRegistry, modelRegistry, model, options.modelVersion ?? '1');

  const mlflowServer = await startFakeServer({
    name: `fake MLflow (${profile})`,
    registry: mlflowRegistry,
    port: options.mlflowPort ?? 0,
  });
  let modelServer: FakeServer;
  try {
    modelServer = await startFakeServer({
      name: `fake model server (${profile})`,
      registry: modelRegistry,
      port: options.modelPort ?? 0,
    });
  } catch (error) {
    await mlflowServer.stop();
    throw error;
  }
  // Object.assign keeps the servers' getters (port, isRunning) live; a spread would copy values.
  const mlflow: FakeMlflowServer = Object.assign(mlflowServer, traffic.mlflow);
  const modelFake: FakeModelServer = Object.assign(modelServer, traffic.model);
  return {
    name: `fake exporters (${profile})`,
    profile,
    mlflow,
    model: modelFake,
    async stop() {
      await Promise.all([mlflow.stop(), modelFake.stop()]);
    },
  };
}
