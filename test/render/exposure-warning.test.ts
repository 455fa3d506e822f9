/**
 * Prometheus has no authentication: `render` warns (one stderr line per environment, exit code
 * unchanged, in the JSON result with --json) when a prod-tier environment exposes it through a
 * NodePort or LoadBalancer, as the built-in prod does with the spec's NodePort 30090.
 * `prometheus.service.acceptUnauthenticated: true` silences the warning and annotates the
 * Service, so that `validate` (policy/unauthenticated-exposure) is silent too.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveEnvironmentSources, validate } from '../../src/index.js';
import { renderWarnings } from '../../src/render/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const check = 'policy/unauthenticated-exposure';

const builtInProdWarning =
  'warning: prod: Prometheus (Service prometheus, namespace mlflow-prod, prod tier) has no authentication and is exposed on node port 30090 of every node: anyone who reaches it can query every series. ' +
  'Set prometheus.service.type: ClusterIP and use `kubectl port-forward`, or put an Ingress with authentication in front; ' +
  'to accept it deliberately, set prometheus.service.acceptUnauthenticated: true in environments/prod.yaml (the built-in prod is in use)\n';

const accepted = 'prometheus:\n  service:\n    acceptUnauthenticated: true\n';

async function renderWith(files: Record<string, string>, ...argv: string[]) {
  const dir = await tempDir();
  await writeFiles(dir, files);
  return { dir, result: await runCli(['render', ...argv], dir) };
}

async function validateTree(dir: string) {
  return validate({
    paths: ['overlays', 'argocd'].map((folder) => join(dir, folder)),
    promtool: 'never',
  });
}

describe('render warns about an unauthenticated Prometheus exposed in a prod tier', () => {
  it('the built-in prod (NodePort 30090): one line on stderr, exit 0, stdout unchanged', async () => {
    const { dir, result } = await renderWith({});
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(builtInProdWarning);
    expect(result.stdout).toContain('rendered dev, staging, prod');
    // The default is kept: the spec's NodePort, and no annotation on the Service.
    const patch = await readFile(
      join(dir, 'overlays/prod/patches/prometheus-service.yaml'),
      'utf8',
    );
    expect(patch).toContain('nodePort: 30090');
    expect(patch).not.toContain('gitops-gen.dev/ignore-checks');
  });

  it('--quiet and --check keep the warning; --check still exits 0 on an up-to-date tree', async () => {
    const { dir } = await renderWith({});
    expect(await runCli(['render', '--quiet'], dir)).toEqual({
      code: 0,
      stdout: '',
      stderr: builtInProdWarning,
    });
    const check = await runCli(['render', '--check'], dir);
    expect(check.code).toBe(0);
    expect(check.stderr).toBe(builtInProdWarning);
  });

  it('--json carries it in the result, and nothing on stderr', async () => {
    const { result } = await renderWith({}, '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as { warnings: unknown[] };
    expect(json.warnings).toEqual([
      {
        environment: 'prod',
        code: check,
        message: expect.stringContaining('node port 30090 of every node') as unknown,
      },
    ]);
  });

  it('none for dev and staging, whose NodePorts are not prod', async () => {
    const { result } = await renderWith({}, '--env', 'dev', '--env', 'staging');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = await renderWith({}, '--env', 'dev', '--env', 'staging', '--json');
    expect((JSON.parse(json.result.stdout) as { warnings: unknown[] }).warnings).toEqual([]);
  });

  it('names a LoadBalancer, and the file of a custom prod-tier environment', () => {
    const [edge, quiet] = resolveEnvironmentSources([
      {
        file: '/repo/environments/edge.yaml',
        name: 'edge',
        text: 'tier: prod\nprometheus:\n  service: {type: LoadBalancer}\n',
      },
      // A custom environment gets ClusterIP Services: nothing to warn about.
      { file: '/repo/environments/eu.yaml', name: 'eu', text: 'tier: prod\n' },
    ]);
    expect(quiet?.prometheus.service).toEqual({ type: 'ClusterIP' });
    const warnings = renderWarnings([edge, quiet].filter((e) => e !== undefined));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.environment).toBe('edge');
    expect(warnings[0]?.message).toContain(
      'Prometheus (Service prometheus, namespace mlflow-edge, prod tier) has no authentication and is exposed through a LoadBalancer',
    );
    expect(warnings[0]?.message).toMatch(/acceptUnauthenticated: true in edge\.yaml$/);
  });

  it('the default prod tree validates with exactly this one warning, on the prod Service', async () => {
    const { dir } = await renderWith({});
    const report = await validateTree(dir);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 1 });
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: check,
        severity: 'warning',
        resource: expect.objectContaining({
          kind: 'Service',
          name: 'prometheus',
          namespace: 'mlflow-prod',
        }) as unknown,
      }),
    ]);
  });
});

describe('prometheus.service.acceptUnauthenticated: true', () => {
  it('silences the warning, annotates the Service, and the tree validates with no warning', async () => {
    const { dir, result } = await renderWith({ 'environments/prod.yaml': accepted });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = await runCli(['render', '--json'], dir);
    expect((JSON.parse(json.stdout) as { warnings: unknown[] }).warnings).toEqual([]);
    const patch = parse(
      await readFile(join(dir, 'overlays/prod/patches/prometheus-service.yaml'), 'utf8'),
    ) as { metadata: unknown; spec: { type: string } };
    expect(patch.metadata).toEqual({
      name: 'prometheus',
      annotations: { 'gitops-gen.dev/ignore-checks': check },
    });
    expect(patch.spec.type).toBe('NodePort');
    const report = await validateTree(dir);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(report.findings).toEqual([]);
  });

  it('is refused on a ClusterIP Service, where it means nothing', async () => {
    const { result } = await renderWith({
      'environments/prod.yaml':
        'prometheus:\n  service:\n    type: ClusterIP\n    acceptUnauthenticated: true\n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: the environment files have an error\n' +
        '  environments/prod.yaml:4:28: prometheus.service.acceptUnauthenticated: acceptUnauthenticated only applies to a NodePort or LoadBalancer Service: a ClusterIP Service is not reachable from outside the cluster\n' +
        '    hint: remove `acceptUnauthenticated`, or set `type: NodePort` or `type: LoadBalancer`\n',
    );
    // A custom environment's Service is ClusterIP by default: refused there too.
    const custom = await renderWith(
      {
        'environments/eu.yaml':
          'tier: prod\nprometheus: {service: {acceptUnauthenticated: true}}\n',
      },
      '--json',
    );
    expect(custom.result.code).toBe(2);
    expect(JSON.parse(custom.result.stdout)).toMatchObject({
      error: {
        problems: [
          {
            code: 'config/accept-unauthenticated-needs-type',
            keyPath: 'prometheus.service.acceptUnauthenticated',
          },
        ],
      },
    });
  });

  it('false changes nothing; Grafana (which has a login) has no such key', async () => {
    const off = await renderWith({
      'environments/prod.yaml': 'prometheus:\n  service:\n    acceptUnauthenticated: false\n',
    });
    expect(off.result.code).toBe(0);
    expect(off.result.stderr).toBe(
      builtInProdWarning
        .replace(/ \(the built-in prod is in use\)/, '')
        .replace('environments/prod.yaml', 'prod.yaml'),
    );
    const grafana = await renderWith({
      'environments/prod.yaml': 'grafana:\n  service:\n    acceptUnauthenticated: true\n',
    });
    expect(grafana.result.code).toBe(2);
    expect(grafana.result.stderr).toContain('acceptUnauthenticated');
  });
});
