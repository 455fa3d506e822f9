/**
 * Fake cluster exporters for the end-to-end test: node-exporter, the kubelet's cAdvisor and
 * kube-state-metrics, each on its own 127.0.0.1 port with its own prom-client Registry, serving
 * a steady, healthy cluster (every usage well under the alert thresholds, no crash loops), so
 * that the dashboard's Kubernetes panels have data and no system alert fires. Counters grow
 * with wall-clock time, so rates exist. Plus an empty endpoint for the jobs that only a real
 * cluster could feed (API servers, kubelets, annotated pods): they are up with no series.
 */
import { Gauge, Registry } from 'prom-client';
import { startFakeServer, type FakeServer } from './fake-exporters.js';
import { track, type Stoppable } from './processes.js';

export interface FakeCluster extends Stoppable {
  readonly nodeExporter: FakeServer;
  readonly cadvisor: FakeServer;
  readonly kubeStateMetrics: FakeServer;
  readonly empty: FakeServer;
  /** Puts the MLflow server's container into CrashLoopBackOff (kube-state-metrics' view). */
  crashLoop(on: boolean): void;
}

/** A gauge whose value grows at `perSecond` from its creation: a counter for `rate()`. */
function growing(
  registry: Registry,
  name: string,
  labelSets: { labels: Record<string, string>; perSecond: number }[],
): void {
  const started = Date.now();
  const labelNames = [...new Set(labelSets.flatMap((set) => Object.keys(set.labels)))];
  new Gauge({
    name,
    help: `${name} (fake, growing)`,
    labelNames,
    registers: [registry],
    collect() {
      const elapsed = (Date.now() - started) / 1000;
      for (const { labels, perSecond } of labelSets) this.set(labels, 1000 + elapsed * perSecond);
    },
  });
}

function constant(
  registry: Registry,
  name: string,
  values: { labels: Record<string, string>; value: number }[],
): Gauge {
  const labelNames = [...new Set(values.flatMap((entry) => Object.keys(entry.labels)))];
  const gauge = new Gauge({
    name,
    help: `${name} (fake)`,
    labelNames,
    registers: [registry],
  });
  for (const { labels, value } of values) gauge.set(labels, value);
  return gauge;
}

const gibibyte = 1024 ** 3;

export async function startFakeCluster(namespace: string): Promise<FakeCluster> {
  const pods = [
    { pod: 'mlflow-server-0', container: 'mlflow' },
    { pod: 'model-server-0', container: 'mlserver' },
  ];

  const node = new Registry();
  // One node with two CPUs, 30 % busy; 40 % of its memory in use.
  growing(
    node,
    'node_cpu_seconds_total',
    ['0', '1'].flatMap((cpu) => [
      { labels: { cpu, mode: 'idle' }, perSecond: 0.7 },
      { labels: { cpu, mode: 'user' }, perSecond: 0.3 },
    ]),
  );
  constant(node, 'node_memory_MemTotal_bytes', [{ labels: {}, value: 16 * gibibyte }]);
  constant(node, 'node_memory_MemAvailable_bytes', [{ labels: {}, value: 9.6 * gibibyte }]);

  const cadvisor = new Registry();
  const containerLabels = pods.map(({ pod, container }) => ({
    namespace,
    pod,
    container,
    image: `example.com/${container}:1`,
  }));
  // Each container at 10 % of a one-core limit; the pod cgroup (container="") must be ignored.
  growing(cadvisor, 'container_cpu_usage_seconds_total', [
    ...containerLabels.map((labels) => ({ labels, perSecond: 0.1 })),
    ...containerLabels.map((labels) => ({
      labels: { ...labels, container: '', image: '' },
      perSecond: 0.1,
    })),
  ]);
  for (const name of ['container_memory_working_set_bytes', 'container_memory_usage_bytes']) {
    constant(
      cadvisor,
      name,
      containerLabels.map((labels) => ({ labels, value: 0.2 * gibibyte })),
    );
  }

  const kubeState = new Registry();
  const podLabels = pods.map(({ pod, container }) => ({ namespace, pod, container }));
  const waiting = constant(
    kubeState,
    'kube_pod_container_status_waiting_reason',
    podLabels.map((labels) => ({ labels: { ...labels, reason: 'CrashLoopBackOff' }, value: 0 })),
  );
  constant(
    kubeState,
    'kube_pod_container_status_restarts_total',
    podLabels.map((labels) => ({ labels, value: 0 })),
  );
  constant(kubeState, 'kube_pod_container_resource_limits', [
    ...podLabels.map((labels) => ({
      labels: { ...labels, resource: 'cpu', unit: 'core' },
      value: 1,
    })),
    ...podLabels.map((labels) => ({
      labels: { ...labels, resource: 'memory', unit: 'byte' },
      value: gibibyte,
    })),
  ]);

  const servers = {
    nodeExporter: await startFakeServer({ name: 'fake node-exporter', registry: node }),
    // Where the kubelet serves it, as the rendered job asks.
    cadvisor: await startFakeServer({
      name: 'fake cAdvisor',
      registry: cadvisor,
      path: '/metrics/cadvisor',
    }),
    kubeStateMetrics: await startFakeServer({
      name: 'fake kube-state-metrics',
      registry: kubeState,
    }),
    empty: await startFakeServer({ name: 'fake empty endpoint', registry: new Registry() }),
  };
  return track({
    name: 'fake cluster',
    ...servers,
    crashLoop(on: boolean) {
      const [mlflow] = podLabels;
      if (mlflow) waiting.set({ ...mlflow, reason: 'CrashLoopBackOff' }, on ? 1 : 0);
    },
    async stop() {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
    },
  });
}
