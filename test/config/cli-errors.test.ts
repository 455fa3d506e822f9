/**
 * Bad environment files through the CLI, in-process: exit code 2, the exact report on stderr
 * (count, file:line:column, key path, message, hint), no stack trace, and nothing written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

/** Lines of text, each ending with a newline. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

/** A stack frame such as `    at foo (file.js:1:2)` or `    at file.js:1:2`. */
const stackFrame = /^\s+at .+:\d+:\d+\)?$/m;

/** Runs `gitops-gen render` in a fresh folder holding `environments/<name>` for each file. */
async function renderFiles(
  files: Record<string, string>,
  extraArgs: string[] = [],
): Promise<{ dir: string; result: CliResult }> {
  const dir = await tempDir();
  await writeFiles(
    dir,
    Object.fromEntries(Object.entries(files).map(([name, text]) => [`environments/${name}`, text])),
  );
  const result = await runCli(['render', ...extraArgs], dir);
  return { dir, result };
}

/** Exit 2, nothing on stdout, no stack trace, and no base/ or overlays/ (nor anything else). */
async function expectRejected(dir: string, result: CliResult): Promise<void> {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(stackFrame);
  expect(result.stderr).not.toContain('internal error');
  expect(await readdir(dir)).toEqual(['environments']);
}

/** Renders the files, expects a rejection, and returns stderr. */
async function rejectedStderr(files: Record<string, string>, extraArgs: string[] = []) {
  const { dir, result } = await renderFiles(files, extraArgs);
  await expectRejected(dir, result);
  return result.stderr;
}

const syntaxHint = '    hint: check indentation and quoting near this position';
const durationHint =
  '    hint: use a Prometheus duration: a number and a unit among ms, s, m, h, d, w, y, such as 30s, 5m, 12h or 30d';
const quantityHint =
  '    hint: use a Kubernetes quantity such as 500m, 2, 512Mi or 2Gi; byte suffixes are Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), never KB/MB/GB';
const nameHint =
  '    hint: rename the file: lowercase letters, digits and "-", at most 63 characters, such as prod-eu.yaml';

describe('gitops-gen render with bad environment files (exit 2, nothing written)', () => {
  it('malformed YAML: an unclosed flow sequence', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines('prometheus:', '  externalLabels: [a, b'),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have an error',
        '  environments/prod.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
        syntaxHint,
      ),
    );
  });

  it('malformed YAML: bad indentation', async () => {
    const stderr = await rejectedStderr({
      'dev.yaml': lines('prometheus:', '    replicas: 1', '  retention: {time: 1d}'),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have an error',
        '  environments/dev.yaml:3:1: All mapping items must start at the same column',
        syntaxHint,
      ),
    );
  });

  it('a duplicate key', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines('prometheus:', '  replicas: 2', '  replicas: 3'),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have an error',
        '  environments/prod.yaml:3:3: prometheus.replicas: duplicate key `replicas`',
        '    hint: each key may appear once per mapping; remove or merge the repeated one',
      ),
    );
  });

  it('unknown keys: the README example, a typo and a bad quantity', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines(
        'tier: prod',
        'prometheus:',
        '  retension: {time: 30d}',
        '  replicas: 2',
        '  resources: {}',
        '  storage:',
        '    size: 2GB',
      ),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 2 errors',
        '  environments/prod.yaml:3:3: prometheus.retension: unknown key `retension`',
        '    hint: did you mean `retention`?',
        '  environments/prod.yaml:7:11: prometheus.storage.size: the string "2GB" is not a valid quantity',
        `${quantityHint} (for example \`2Gi\`)`,
      ),
    );
  });

  it('unknown keys far from any candidate list the allowed keys', async () => {
    const stderr = await rejectedStderr({
      'staging.yaml': lines('grafana:', '  plugins: [piechart]', 'retention: 7d'),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 2 errors',
        '  environments/staging.yaml:2:3: grafana.plugins: unknown key `plugins`',
        '    hint: allowed keys here: replicas, resources, image, enabled, additionalDashboards, dashboardFolder, service, storage, ingress, nodeSelector, tolerations, affinity, topologySpreadConstraints, priorityClassName, imagePullSecrets, podAnnotations, podLabels, adminCredentials',
        '  environments/staging.yaml:3:1: retention: unknown key `retention`',
        '    hint: allowed keys here: tier, namespace, mode, operator, namespaceManagement, prometheus, grafana, mlflow, modelServer, metrics, alertmanager, nodeExporter, kubeStateMetrics, publish, delivery, kustomize, alerts',
      ),
    );
  });

  it('wrong types: a quoted integer, a mapping for a string, yes for an integer', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines(
        'namespace:',
        '  name: mlflow-prod',
        'prometheus:',
        '  replicas: "2"',
        'grafana:',
        '  replicas: yes',
      ),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 3 errors',
        '  environments/prod.yaml:2:3: namespace: must be a string, got a mapping',
        '    hint: write a string here',
        '  environments/prod.yaml:4:13: prometheus.replicas: must be an integer, got the string "2"',
        '    hint: remove the quotes: 2',
        '  environments/prod.yaml:6:13: grafana.replicas: must be an integer, got the string "yes"',
        '    hint: write an integer here',
      ),
    );
  });

  it('bad durations, quantities and retention sizes', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines(
        'prometheus:',
        '  scrapeInterval: 30x',
        '  evaluationInterval: 1h30',
        '  query: {timeout: ""}',
        '  retention: {size: 40Gi}',
        '  resources:',
        '    requests: {cpu: abc}',
      ),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 5 errors',
        '  environments/prod.yaml:2:19: prometheus.scrapeInterval: the string "30x" is not a valid duration',
        durationHint,
        '  environments/prod.yaml:3:23: prometheus.evaluationInterval: the string "1h30" is not a valid duration',
        durationHint,
        '  environments/prod.yaml:4:20: prometheus.query.timeout: the string "" is not a valid duration',
        durationHint,
        '  environments/prod.yaml:5:21: prometheus.retention.size: the string "40Gi" is not a valid retention size',
        '    hint: use an integer and one of B, KB, MB, GB, TB, PB, such as 40GB (for example `40GB`)',
        '  environments/prod.yaml:7:21: prometheus.resources.requests.cpu: the string "abc" is not a valid quantity',
        quantityHint,
      ),
    );
  });

  it('bad enum values get a suggestion', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines(
        'prometheus:',
        '  storage: {type: pv}',
        '  service: {type: Nodeport, nodePort: 30090}',
      ),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 2 errors',
        '  environments/prod.yaml:2:19: prometheus.storage.type: the string "pv" is not one of emptyDir, pvc',
        '    hint: did you mean `pvc`?',
        '  environments/prod.yaml:3:19: prometheus.service.type: the string "Nodeport" is not one of ClusterIP, NodePort, LoadBalancer',
        '    hint: did you mean `NodePort`?',
      ),
    );
  });

  it('out-of-range numbers', async () => {
    const stderr = await rejectedStderr({
      'prod.yaml': lines(
        'prometheus:',
        '  replicas: 0',
        'grafana:',
        '  service: {nodePort: 80}',
        'alerts: {cpuUsagePercent: 150}',
      ),
    });
    expect(stderr).toBe(
      lines(
        'error: the environment files have 3 errors',
        '  environments/prod.yaml:2:13: prometheus.replicas: must be >= 1, got 0',
        '    hint: use a value from 1 to 10',
        '  environments/prod.yaml:4:23: grafana.service.nodePort: must be >= 30000, got 80',
        '    hint: use a value from 30000 to 32767',
        '  environments/prod.yaml:5:27: alerts.cpuUsagePercent: must be < 100, got 150',
        '    hint: use a value < 100',
      ),
    );
  });

  it('bad environment names from the file names', async () => {
    const long = 'a'.repeat(70);
    const stderr = await rejectedStderr({
      'Prod.yaml': '',
      'my_env.yaml': '',
      '-x.yaml': '',
      [`${long}.yaml`]: '',
    });
    // Files are read in name order.
    expect(stderr).toBe(
      lines(
        'error: the environment files have 4 errors',
        '  environments/-x.yaml: environment name "-x" (from the file name) is not a valid name',
        nameHint,
        '  environments/Prod.yaml: environment name "Prod" (from the file name) is not a valid name',
        nameHint,
        `  environments/${long}.yaml: environment name "${long}" (from the file name) is not a valid name`,
        nameHint,
        '  environments/my_env.yaml: environment name "my_env" (from the file name) is not a valid name',
        nameHint,
      ),
    );
  });

  it('--env ../x is an unknown environment, not a path', async () => {
    const { dir, result } = await renderFiles({ 'dev.yaml': '' }, ['--env', '../x']);
    await expectRejected(dir, result);
    expect(result.stderr.split('\n')[0]).toBe('error: unknown environment "../x"');
    expect(result.stderr).toContain('hint: known environments: dev\n');
    // Without an environments folder the built-in names are the known ones.
    const empty = await tempDir();
    const builtIn = await runCli(['render', '--env', '../x'], empty);
    expect(builtIn.code).toBe(2);
    expect(builtIn.stderr).toContain('hint: known environments: dev, staging, prod\n');
    expect(builtIn.stderr).not.toMatch(stackFrame);
    expect(await readdir(empty)).toEqual([]);
  });

  it('two files for one environment: dev.yaml and dev.yml', async () => {
    const stderr = await rejectedStderr({ 'dev.yaml': '', 'dev.yml': 'tier: dev\n' });
    expect(stderr).toBe(
      lines(
        'error: the environment files have an error',
        '  environments/dev.yml: environment "dev" is defined twice (also in dev.yaml)',
        '    hint: keep one of the two files',
      ),
    );
  });

  it('two environments on one cluster: a namespace and a NodePort taken twice, both files named', async () => {
    const stderr = await rejectedStderr({
      'dev.yaml': '',
      'qa.yaml': lines(
        'namespace: mlflow-dev',
        'grafana:',
        '  service: {type: NodePort, nodePort: 30092}',
      ),
      // Elsewhere the same namespace and NodePort are fine.
      'edge.yaml': lines(
        'namespace: mlflow-dev',
        'grafana:',
        '  service: {type: NodePort, nodePort: 30092}',
        'delivery: {cluster: {server: "https://edge.example.com"}}',
      ),
    });
    const cluster = "on the same cluster (Argo CD's own cluster, https://kubernetes.default.svc)";
    expect(stderr).toBe(
      lines(
        'error: the environment files have 2 errors',
        `  environments/qa.yaml:1:12: namespace: namespace mlflow-dev is also the namespace of dev (dev.yaml, by default), ${cluster}: the two environments would overwrite each other's objects in it, and the cluster-wide ClusterRoles and ClusterRoleBindings mlflow-dev-prometheus and mlflow-dev-kube-state-metrics`,
        '    hint: give each environment on a cluster its own namespace, or deliver one to another cluster (delivery.cluster)',
        `  environments/qa.yaml:3:39: grafana.service.nodePort: NodePort 30092 is also taken by the prometheus Service of dev (dev.yaml, by default), ${cluster}: NodePorts are cluster-wide, whatever the namespace`,
        '    hint: pick a NodePort that no other Service on the cluster uses, or remove nodePort to let Kubernetes allocate one',
      ),
    );
  });

  it('the same namespace set in two files: each file named with its line and column', async () => {
    const stderr = await rejectedStderr({
      'dev.yaml': lines('tier: dev', 'namespace: monitoring'),
      'prod.yaml': lines('namespace: monitoring'),
    });
    expect(stderr.split('\n').slice(0, 2)).toEqual([
      'error: the environment files have an error',
      "  environments/prod.yaml:1:12: namespace: namespace monitoring is also the namespace of dev (dev.yaml:2:12), on the same cluster (Argo CD's own cluster, https://kubernetes.default.svc): the two environments would overwrite each other's objects in it, and the cluster-wide ClusterRoles and ClusterRoleBindings monitoring-prometheus and monitoring-kube-state-metrics",
    ]);
  });

  it.each([
    [
      'a nodePort on a ClusterIP Service',
      'prod.yaml',
      lines('prometheus:', '  service:', '    type: ClusterIP', '    nodePort: 30090'),
      '4:15: prometheus.service.nodePort: a nodePort needs a Service of type NodePort or LoadBalancer',
      'set `type: NodePort` or remove `nodePort`',
    ],
    [
      'a storageClass on emptyDir storage',
      'dev.yaml',
      lines('prometheus:', '  storage: {type: emptyDir, storageClass: fast-ssd}'),
      '2:43: prometheus.storage.storageClass: a storageClass only applies to `type: pvc` storage',
      'set `type: pvc` or remove `storageClass`',
    ],
    [
      'a generated (plaintext) admin password in prod',
      'prod.yaml',
      lines('grafana:', '  adminCredentials: {source: generated}'),
      '2:30: grafana.adminCredentials.source: a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is prod)',
      'use `source: existingSecret`, `externalSecret` or `sealedSecret`',
    ],
    [
      'a generated (plaintext) admin password in a staging-tier environment',
      'qa.yaml',
      lines('grafana:', '  adminCredentials: {source: generated}'),
      '2:30: grafana.adminCredentials.source: a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is staging)',
      'use `source: existingSecret`, `externalSecret` or `sealedSecret`',
    ],
    [
      'source externalSecret without its block',
      'staging.yaml',
      lines('grafana:', '  adminCredentials:', '    source: externalSecret'),
      '3:13: grafana.adminCredentials.source: source externalSecret needs an `externalSecret` block',
      'add `externalSecret: {storeName: ..., remoteKey: ...}`',
    ],
    [
      'a scrapeTimeout longer than the scrapeInterval',
      'prod.yaml',
      lines('prometheus:', '  scrapeInterval: 30s', '  scrapeTimeout: 1m'),
      '3:18: prometheus.scrapeTimeout: scrapeTimeout 1m is longer than scrapeInterval 30s; Prometheus refuses to load such a config',
      'use a timeout of at most 30s',
    ],
    [
      'a zero duration',
      'prod.yaml',
      lines('prometheus:', '  evaluationInterval: 0s'),
      '2:23: prometheus.evaluationInterval: evaluationInterval must be longer than zero',
      'use a duration such as 15s',
    ],
    [
      'a retention size larger than the storage',
      'staging.yaml',
      lines('prometheus:', '  retention: {size: 40GB}'),
      '2:21: prometheus.retention.size: retention size 40GB is larger than the storage (20Gi); the volume would fill before Prometheus deletes data',
      'use at most 17GB (85 % of the storage)',
    ],
    [
      'a memory request above its limit',
      'prod.yaml',
      lines('grafana:', '  resources:', '    requests: {memory: 1Gi}'),
      '3:24: grafana.resources.requests.memory: the memory request 1Gi is above the limit 512Mi; Kubernetes rejects such a pod',
      'raise limits.memory or lower requests.memory',
    ],
    [
      'a `replica` external label with two replicas',
      'prod.yaml',
      lines('prometheus:', '  replicas: 2', '  externalLabels: {replica: a}'),
      '3:29: prometheus.externalLabels.replica: the `replica` external label is set per pod when there is more than one replica',
      'remove it or rename it',
    ],
  ])('a cross-field rule: %s', async (_title, fileName, text, located, hint) => {
    const stderr = await rejectedStderr({ [fileName]: text });
    expect(stderr).toBe(
      lines(
        'error: the environment files have an error',
        `  environments/${fileName}:${located}`,
        `    hint: ${hint}`,
      ),
    );
  });

  it('reports every error of every file in one run', async () => {
    const { dir, result } = await renderFiles({
      'dev.yaml': lines('prometheus:', '  scrapeInterval: 30x', '  storage: {size: 2GB}'),
      'prod.yaml': lines('tier: prod', 'tier: prod'),
      'qa.yaml': lines('grafana:', '  adminCredentials: {source: generated}'),
      'staging.yaml': '',
      'stagign.yml': lines('prometheus: {retension: 7d}'),
    });
    await expectRejected(dir, result);
    const reported = result.stderr.split('\n');
    expect(reported[0]).toBe('error: the environment files have 5 errors');
    expect(reported.filter((line) => line.startsWith('  environments/'))).toEqual([
      '  environments/dev.yaml:2:19: prometheus.scrapeInterval: the string "30x" is not a valid duration',
      '  environments/dev.yaml:3:19: prometheus.storage.size: the string "2GB" is not a valid quantity',
      '  environments/prod.yaml:2:1: tier: duplicate key `tier`',
      '  environments/qa.yaml:2:30: grafana.adminCredentials.source: a generated Grafana password would be committed in plaintext, which only the dev tier allows (this is staging)',
      '  environments/stagign.yml:1:14: prometheus.retension: unknown key `retension`',
    ]);
    expect(reported.filter((line) => line.startsWith('    hint: '))).toHaveLength(5);
  });

  it('--check with a bad file is an input error (2), not drift (1)', async () => {
    const { dir, result } = await renderFiles({ 'prod.yaml': 'prometheus: {replicas: "2"}\n' }, [
      '--check',
    ]);
    await expectRejected(dir, result);
    expect(result.stderr.split('\n')[0]).toBe('error: the environment files have an error');
  });

  it('a bad file leaves an already rendered tree untouched', async () => {
    const { dir, result } = await renderFiles({ 'prod.yaml': '', 'dev.yaml': '' });
    expect(result.code).toBe(0);
    const statefulSet = join(dir, 'overlays/prod/patches/prometheus-statefulset.yaml');
    const before = await readFile(statefulSet, 'utf8');
    await writeFile(join(dir, 'environments/prod.yaml'), 'prometheus: {retention: {time: 90x}}\n');
    await writeFile(join(dir, 'environments/qa.yaml'), '');
    const again = await runCli(['render'], dir);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).not.toMatch(stackFrame);
    expect(await readFile(statefulSet, 'utf8')).toBe(before);
    expect((await readdir(join(dir, 'overlays'))).sort()).toEqual(['dev', 'prod']);
  });
});

describe('gitops-gen render with minimal environment files (defaults apply)', () => {
  it('an empty file, a three-line file and a custom name render with their defaults', async () => {
    const { dir, result } = await renderFiles({
      'prod.yaml': '',
      'dev.yaml': lines('prometheus:', '  replicas: 1', '  scrapeInterval: 30s'),
      'qa.yaml': lines('alerts:', '  cpuUsagePercent: 90'),
    });
    // Only the warning of prod's default NodePort: Prometheus has no authentication.
    expect(result.stderr).toMatch(
      /^warning: prod: Prometheus \(Service prometheus, namespace mlflow-prod, prod tier\) has no authentication and is exposed on node port 30090 of every node: [^\n]*\n$/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rendered dev, prod, qa');
    const read = (path: string) => readFile(join(dir, 'overlays', path), 'utf8');

    expect(await read('prod/kustomization.yaml')).toContain('namespace: mlflow-prod\n');
    const prodPrometheus = await read('prod/patches/prometheus-statefulset.yaml');
    expect(prodPrometheus).toContain('--storage.tsdb.retention.time=30d');
    expect(prodPrometheus).toMatch(/requests:\s+cpu: 500m\s+memory: 2Gi/);
    expect(await read('prod/patches/prometheus-service.yaml')).toContain('nodePort: 30090');

    expect(await read('dev/patches/prometheus-statefulset.yaml')).toContain(
      '--storage.tsdb.retention.time=2d',
    );
    expect(await read('dev/prometheus/prometheus.yml')).toContain('scrape_interval: 30s');

    // qa is not a tier name: staging defaults, ClusterIP Services (no NodePort patches).
    expect(await read('qa/kustomization.yaml')).toContain('namespace: mlflow-qa\n');
    expect(await read('qa/patches/prometheus-statefulset.yaml')).toContain(
      '--storage.tsdb.retention.time=7d',
    );
    expect(await readdir(join(dir, 'overlays/qa/patches'))).not.toContain(
      'prometheus-service.yaml',
    );
    expect(await read('qa/prometheus/alert-rules.yml')).toContain(') > 90');
  });
});
