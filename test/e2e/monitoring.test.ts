/**
 * End to end, for both metrics profiles: what `render` writes, built by `kubectl kustomize`,
 * runs in the real `prometheus` and `prometheus-alertmanager` binaries on 127.0.0.1 against
 * fake exporters that serve the profile's metrics, and a firing alert reaches a webhook.
 *
 * What the test changes in the rendered files, and why:
 * - discovery becomes static targets at the fakes (Debian's Prometheus has no Kubernetes
 *   discovery, and there is no cluster), with the labels relabeling would have set, over
 *   plain HTTP;
 * - scrape and evaluation intervals become 1s, and `for` durations shrink (1m -> 3s,
 *   5m -> 5s), so an alert fires in seconds; expressions and windows stay as rendered;
 * - Alertmanager groups after 1s instead of 30s, and reads its Secret's files from a temp dir.
 * Everything else (rules, routes, receivers, relabeling of alerts) is the rendered text.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleQueries, metricsProfiles } from '../../src/stack/index.js';
import { startFakeCluster, type FakeCluster } from '../helpers/fake-cluster.js';
import { startFakeExporters, type FakeExporters } from '../helpers/fake-exporters.js';
import { findObject, kustomizeBuild, type BuiltObject } from '../helpers/kubectl.js';
import {
  freePort,
  startProcess,
  stopAll,
  waitFor,
  type RunningProcess,
} from '../helpers/processes.js';
import {
  alertmanagerTargetsName,
  withStaticTargets,
  type PrometheusFile,
  type StaticConfig,
} from '../helpers/prometheus-files.js';
import { renderEnvironments } from '../helpers/render.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const namespace = 'mlflow-e2e';
const environmentName = 'e2e';
const webhookToken = 'e2e-token-from-the-secret';
const shortFor: Record<string, string> = { '1m': '3s', '5m': '5s' };

/**
 * A team rule file (prometheus.additionalRuleFiles) over a team scrape job
 * (prometheus.additionalScrapeConfigs, which scrapes the model server again under its own job
 * name): one recording and one alerting rule, silent while the model server answers, firing
 * once it stops (the last test).
 */
const teamRules = [
  'groups:',
  '  - name: team.rules',
  '    rules:',
  '      - record: job:up:sum',
  '        expr: sum by (job) (up{job="team-model-server"})',
  '      - alert: TeamModelServerGone',
  '        expr: absent(up{job="team-model-server"} == 1)',
  '        for: 1m',
  '        labels: { severity: warning, team: e2e }',
  '        annotations:',
  '          summary: The team rule sees no model server',
  '          description: No model-server target has answered its last scrape.',
  '',
].join('\n');

type Profile = 'spec' | 'mlflow-native';

interface RuleFile {
  groups: { name: string; rules: { alert: string; for?: string; [key: string]: unknown }[] }[];
}

interface AlertmanagerFile {
  route: { group_wait?: string; group_interval?: string; repeat_interval?: string };
  [key: string]: unknown;
}

interface Dashboard {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
}

interface QueryResult {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

interface PrometheusAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** One running stack: Prometheus, Alertmanager, the fakes and the traffic that feeds them. */
interface Stack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  prometheus: RunningProcess;
  alertmanager: RunningProcess;
  fakes: FakeExporters;
  cluster: FakeCluster;
  webhook: WebhookReceiver;
  dashboard: Dashboard;
  traffic: Traffic;
}

/** What the background traffic does on each tick; tests flip these. */
interface Traffic {
  slowPredictions: boolean;
  serverErrors: boolean;
  stop(): void;
}

function dataOf(objects: BuiltObject[], configMap: string, key: string): string {
  const data = (
    findObject(objects, 'ConfigMap', `${configMap}-`) as { data?: Record<string, string> }
  ).data;
  const text = data?.[key];
  if (text === undefined) throw new Error(`ConfigMap ${configMap} has no ${key}`);
  return text;
}

/** Renders the environment and reads what the cluster would get, through kubectl kustomize. */
async function renderedFiles(profile: Profile, webhookUrl: string) {
  const root = await renderEnvironments(
    {
      [environmentName]: [
        // prod: two Prometheus replicas, so alerts carry a `replica` label that must not leak.
        'tier: prod',
        `namespace: ${namespace}`,
        `metrics: { profile: ${profile} }`,
        'prometheus:',
        '  additionalRuleFiles: [rules/team.yaml]',
        '  additionalScrapeConfigs:',
        '    - job_name: team-model-server',
        `      kubernetes_sd_configs: [{ role: endpoints, namespaces: { names: [${namespace}] } }]`,
        '      relabel_configs:',
        '        - { source_labels: [__meta_kubernetes_service_name], regex: model-server, action: keep }',
        'alertmanager:',
        '  receivers:',
        `    - { name: e2e, type: webhook, url: "${webhookUrl}", bearerTokenKey: webhook-token }`,
        '',
      ].join('\n'),
      // Written as environments/rules/team.yaml: below the folder, never read as an environment.
      'rules/team': teamRules,
    },
    'gitops-gen-e2e-',
  );
  const objects = await kustomizeBuild(join(root, 'overlays', environmentName));
  return {
    root,
    prometheusYaml: dataOf(objects, 'prometheus-config', 'prometheus.yml'),
    rulesYaml: dataOf(objects, 'prometheus-config', 'alert-rules.yml'),
    teamRulesYaml: dataOf(objects, 'prometheus-config', 'user-rules-team.yaml'),
    alertmanagerYaml: dataOf(objects, 'alertmanager-config', 'alertmanager.yml'),
    dashboard: JSON.parse(
      dataOf(objects, 'grafana-dashboards', 'mlflow-monitoring-dashboard.json'),
    ) as Dashboard,
  };
}

async function startStack(profile: Profile): Promise<Stack> {
  const webhook = await startWebhookReceiver();
  const rendered = await renderedFiles(profile, webhook.url);
  const work = join(rendered.root, 'run');
  await mkdir(join(work, 'secrets'), { recursive: true });
  await writeFile(join(work, 'secrets', 'webhook-token'), webhookToken, 'utf8');

  const fakes = await startFakeExporters(profile);
  const cluster = await startFakeCluster(namespace);
  const prometheusPort = await freePort();
  const alertmanagerPort = await freePort();
  const alertmanagerTarget = `127.0.0.1:${alertmanagerPort}`;

  const targets: Record<string, StaticConfig> = {
    'mlflow-server': {
      targets: [fakes.mlflow.target],
      labels: { namespace, pod: 'mlflow-server-0', service: 'mlflow-service' },
    },
    'model-server': {
      targets: [fakes.model.target],
      labels: { namespace, pod: 'model-server-0', service: 'model-server' },
    },
    // The team's job (additionalScrapeConfigs) scrapes the same model server.
    'team-model-server': { targets: [fakes.model.target], labels: { namespace } },
    'node-exporter': { targets: [cluster.nodeExporter.target], labels: { instance: 'node-1' } },
    'kubernetes-cadvisor': { targets: [cluster.cadvisor.target] },
    'kube-state-metrics': { targets: [cluster.kubeStateMetrics.target] },
    alertmanager: { targets: [alertmanagerTarget] },
    [alertmanagerTargetsName]: { targets: [alertmanagerTarget] },
  };
  const { config } = withStaticTargets(parse(rendered.prometheusYaml) as PrometheusFile, {
    targetsOf: (name) => targets[name] ?? { targets: [cluster.empty.target] },
    dropRelabeling: true,
  });
  const rulesFile = join(work, 'alert-rules.yml');
  const teamRulesFile = join(work, 'user-rules-team.yaml');
  const prometheusConfig: PrometheusFile = {
    ...config,
    global: {
      ...config.global,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      evaluation_interval: '1s',
    },
    rule_files: [rulesFile, teamRulesFile],
    scrape_configs: config.scrape_configs.map((job) => {
      const fast = { ...job, scrape_interval: '1s', scrape_timeout: '1s' };
      // The fakes speak plain HTTP: no kubelet TLS, no service-account token.
      delete fast.scheme;
      delete fast.tls_config;
      delete fast.authorization;
      return job.job_name === 'prometheus'
        ? { ...fast, static_configs: [{ targets: [`127.0.0.1:${prometheusPort}`] }] }
        : fast;
    }),
  };
  const rules = parse(rendered.rulesYaml) as RuleFile;
  const teamRuleFile = parse(rendered.teamRulesYaml) as RuleFile;
  for (const group of [...rules.groups, ...teamRuleFile.groups]) {
    for (const rule of group.rules) {
      if (rule.for !== undefined) rule.for = shortFor[rule.for] ?? rule.for;
    }
  }
  const alertmanagerConfig = parse(
    rendered.alertmanagerYaml.replaceAll('/etc/alertmanager/secrets/', `${work}/secrets/`),
  ) as AlertmanagerFile;
  alertmanagerConfig.route = {
    ...alertmanagerConfig.route,
    group_wait: '1s',
    group_interval: '1s',
    repeat_interval: '1m',
  };
  await writeFile(join(work, 'prometheus.yml'), stringify(prometheusConfig), 'utf8');
  await writeFile(rulesFile, stringify(rules), 'utf8');
  await writeFile(teamRulesFile, stringify(teamRuleFile), 'utf8');
  await writeFile(join(work, 'alertmanager.yml'), stringify(alertmanagerConfig), 'utf8');

  const alertmanager = await startProcess({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${join(work, 'alertmanager.yml')}`,
      `--storage.path=${join(work, 'alertmanager-data')}`,
      `--web.listen-address=${alertmanagerTarget}`,
      '--cluster.listen-address=',
    ],
    cwd: work,
    readyUrl: `http://${alertmanagerTarget}/-/ready`,
  });
  const prometheus = await startProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(work, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      // Prometheus 2 expands ${POD_NAME} in external labels only with this flag; 3 always does.
      '--enable-feature=expand-external-labels',
    ],
    env: { POD_NAME: 'prometheus-0' },
    cwd: work,
    readyUrl: `http://127.0.0.1:${prometheusPort}/-/ready`,
  });
  return {
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    alertmanagerUrl: `http://${alertmanagerTarget}`,
    prometheus,
    alertmanager,
    fakes,
    cluster,
    webhook,
    dashboard: rendered.dashboard,
    traffic: startTraffic(fakes),
  };
}

/** Requests every 250 ms, healthy unless a test turns on slowness or errors. Bounded by stop(). */
function startTraffic(fakes: FakeExporters): Traffic {
  const state = { slowPredictions: false, serverErrors: false };
  const tick = (): void => {
    fakes.mlflow.request(8, { status: 200 });
    fakes.mlflow.request(1, { status: 404, method: 'GET' });
    fakes.mlflow.runFinished(1, 'FINISHED');
    fakes.model.predict(8, { seconds: 0.04 });
    fakes.model.predict(1, { seconds: 0.04, failed: true });
    if (state.slowPredictions) fakes.model.predict(8, { seconds: 2.4 });
    if (state.serverErrors) {
      // Spec: failed runs. Native (no run counters): runFinished FAILED is a 500 as well.
      fakes.mlflow.runFinished(2, 'FAILED');
      fakes.mlflow.request(8, { status: 500 });
    }
  };
  tick();
  const timer = setInterval(tick, 250);
  return {
    get slowPredictions() {
      return state.slowPredictions;
    },
    set slowPredictions(value: boolean) {
      state.slowPredictions = value;
    },
    get serverErrors() {
      return state.serverErrors;
    },
    set serverErrors(value: boolean) {
      state.serverErrors = value;
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as T;
}

async function query(stack: Stack, expr: string): Promise<QueryResult> {
  return getJson<QueryResult>(
    `${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
}

async function alerts(stack: Stack): Promise<PrometheusAlert[]> {
  const body = await getJson<{ data: { alerts: PrometheusAlert[] } }>(
    `${stack.prometheusUrl}/api/v1/alerts`,
  );
  return body.data.alerts;
}

/** Waits until the alert is firing in Prometheus; returns every state seen on the way. */
async function untilFiring(stack: Stack, alertname: string, timeoutMs = 45_000): Promise<string[]> {
  const seen: string[] = [];
  await waitFor(
    `${alertname} firing`,
    async () => {
      const found = (await alerts(stack)).filter((alert) => alert.labels.alertname === alertname);
      const states = [...new Set(found.map((alert) => alert.state))];
      for (const state of states) if (seen.at(-1) !== state) seen.push(state);
      return states.includes('firing') ? true : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
  return seen;
}

function dashboardQueries(dashboard: Dashboard): { title: string; expr: string }[] {
  return dashboard.panels
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        title: panel.title,
        // What Grafana does with the dashboard's variable.
        expr: target.expr.replaceAll('$namespace', namespace),
      })),
    );
}

describe.each(['spec', 'mlflow-native'] as const)(
  'monitoring end to end: %s profile',
  (profile) => {
    let stack: Stack;
    /** Set once the stack runs: beforeAll may fail half-way. */
    let stopTraffic: (() => void) | undefined;

    beforeAll(async () => {
      stack = await startStack(profile);
      const { traffic } = stack;
      stopTraffic = () => {
        traffic.stop();
      };
    }, 90_000);

    afterAll(async () => {
      stopTraffic?.();
      await stopAll();
    }, 30_000);

    it('scrapes every rendered job, all targets up', async () => {
      const jobs = await waitFor(
        'every target up',
        async () => {
          const body = await getJson<{
            data: {
              activeTargets: { labels: { job: string }; health: string; lastError: string }[];
            };
          }>(`${stack.prometheusUrl}/api/v1/targets`);
          const targets = body.data.activeTargets;
          const down = targets.filter((target) => target.health !== 'up');
          // Thrown, so that a timeout says which targets were down and why.
          if (targets.length === 0 || down.length > 0) {
            const reasons = down.map((target) => `${target.labels.job}: ${target.lastError}`);
            throw new Error(reasons.join('; ') || 'no targets');
          }
          return targets.map((target) => target.labels.job);
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect([...new Set(jobs)].sort()).toEqual([
        'alertmanager',
        'kube-state-metrics',
        'kubernetes-apiservers',
        'kubernetes-cadvisor',
        'kubernetes-nodes',
        'kubernetes-pods',
        'mlflow-server',
        'model-server',
        'node-exporter',
        'prometheus',
        'team-model-server',
      ]);
      const rules = await getJson<{ data: { groups: { rules: unknown[] }[] } }>(
        `${stack.prometheusUrl}/api/v1/rules`,
      );
      // The spec's nine rules, eight meta-monitoring ones (one Alertmanager: no peer alert) and
      // the team's two.
      expect(rules.data.groups.flatMap((group) => group.rules)).toHaveLength(19);
    }, 60_000);

    it('answers every example query of the spec and every dashboard panel query with data', async () => {
      const queries = [
        ...exampleQueries(metricsProfiles[profile], namespace).map((example) => ({
          title: `example: ${example.title}`,
          expr: example.expr,
        })),
        ...dashboardQueries(stack.dashboard),
      ];
      expect(queries.length).toBeGreaterThan(20);
      const empty = await waitFor(
        'data for every query',
        async () => {
          const missing: string[] = [];
          for (const { title, expr } of queries) {
            const result = await query(stack, expr);
            expect(result.status, `${title}: ${expr}: ${result.error ?? ''}`).toBe('success');
            if ((result.data?.result.length ?? 0) === 0) missing.push(`${title}: ${expr}`);
          }
          if (missing.length > 0) throw new Error(`no data: ${missing.join(' | ')}`);
          return missing;
        },
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(empty).toEqual([]);
    }, 60_000);

    it("scrapes the team's own job (prometheus.additionalScrapeConfigs)", async () => {
      const result = await waitFor('the team job scraped and recorded', async () => {
        const answer = await query(stack, 'job:up:sum{job="team-model-server"}');
        return answer.data?.result[0]?.value[1] === '1' ? answer : undefined;
      });
      expect(result.data?.result[0]?.metric).toEqual({
        __name__: 'job:up:sum',
        job: 'team-model-server',
      });
    }, 60_000);

    it('fires nothing but Watchdog (the dead man switch) while everything is healthy', async () => {
      expect((await alerts(stack)).map((alert) => alert.labels)).toEqual([
        expect.objectContaining({ alertname: 'Watchdog', severity: 'none' }),
      ]);
    });

    it('slow predictions make HighModelLatency fire', async () => {
      stack.traffic.slowPredictions = true;
      const states = await untilFiring(stack, 'HighModelLatency');
      expect(states).toContain('firing');
      const [latency] =
        (await query(stack, 'ALERTS{alertname="HighModelLatency"}')).data?.result ?? [];
      expect(latency?.metric.severity).toBe('warning');
      stack.traffic.slowPredictions = false;
    }, 60_000);

    it(`${profile === 'spec' ? 'failed runs' : 'server errors'} make MLflowExperimentFailure fire`, async () => {
      stack.traffic.serverErrors = true;
      expect(await untilFiring(stack, 'MLflowExperimentFailure')).toContain('firing');
    }, 60_000);

    it('stopping MLflow makes MLflowServerDown pending, then firing, and the webhook gets it', async () => {
      const since = stack.webhook.received().length;
      await stack.fakes.mlflow.stop();
      const states = await untilFiring(stack, 'MLflowServerDown');
      expect(states).toEqual(['pending', 'firing']);
      const alert = await stack.webhook.waitForAlert('MLflowServerDown', 'firing', 30_000, {
        since,
      });
      expect(alert.labels).toMatchObject({
        alertname: 'MLflowServerDown',
        severity: 'critical',
        environment: environmentName,
      });
      // Two Prometheus replicas must look like one to Alertmanager.
      expect(alert.labels).not.toHaveProperty('replica');
      expect(alert.annotations.summary).toBe('MLflow server is unreachable');
      // The receiver's credential came from the Secret's file.
      expect(stack.webhook.authorizations().slice(since)).toContain(`Bearer ${webhookToken}`);
    }, 60_000);

    it('Alertmanager inhibits the experiment failure while MLflow is down', async () => {
      const inhibited = await waitFor(
        'MLflowExperimentFailure inhibited',
        async () => {
          const found = await getJson<
            { labels: Record<string, string>; status: { inhibitedBy: string[] } }[]
          >(
            `${stack.alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent('alertname="MLflowExperimentFailure"')}`,
          );
          return found.some((alert) => alert.status.inhibitedBy.length > 0) ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(inhibited.length).toBeGreaterThan(0);
    }, 60_000);

    it('a container in CrashLoopBackOff makes PodCrashLooping fire', async () => {
      stack.cluster.crashLoop(true);
      expect(await untilFiring(stack, 'PodCrashLooping')).toEqual(['pending', 'firing']);
      const [firing] =
        (await query(stack, 'ALERTS{alertname="PodCrashLooping"}')).data?.result ?? [];
      expect(firing?.metric).toMatchObject({
        namespace,
        pod: 'mlflow-server-0',
        container: 'mlflow',
      });
    }, 60_000);

    it('stopping the model server makes ModelServerDown fire and reach the webhook', async () => {
      const since = stack.webhook.received().length;
      await stack.fakes.model.stop();
      expect(await untilFiring(stack, 'ModelServerDown')).toContain('firing');
      const alert = await stack.webhook.waitForAlert('ModelServerDown', 'firing', 30_000, {
        since,
      });
      expect(alert.labels).toMatchObject({ severity: 'critical', environment: environmentName });
    }, 60_000);

    it('the team rule (prometheus.additionalRuleFiles) fires too and reaches the webhook', async () => {
      // The model server stopped in the previous test.
      expect(await untilFiring(stack, 'TeamModelServerGone')).toContain('firing');
      const alert = await stack.webhook.waitForAlert('TeamModelServerGone', 'firing', 30_000);
      expect(alert.labels).toMatchObject({
        severity: 'warning',
        team: 'e2e',
        environment: environmentName,
      });
      expect(alert.annotations.summary).toBe('The team rule sees no model server');
    }, 60_000);
  },
);
