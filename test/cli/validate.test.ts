/** `gitops-gen validate` through the CLI: exit codes, flags, formats, standard input, colour. */
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const deployment = (extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: mlflow-prod
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      securityContext: { runAsNonRoot: true }
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: { cpu: 100m, memory: 64Mi }
            limits: { cpu: 200m, memory: 128Mi }
          readinessProbe: { httpGet: { path: /, port: 80 } }
          livenessProbe: { httpGet: { path: /, port: 80 } }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
${extra}`;

async function fixture(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  await writeFiles(dir, files);
  return dir;
}

describe('gitops-gen validate', () => {
  it('exits 0 and prints the summary for a valid file', async () => {
    const dir = await fixture({ 'web.yaml': deployment() });
    const result = await runCli(['validate', 'web.yaml'], dir);
    expect(result.stdout).toBe('1 resource, 1 valid, 0 invalid, 0 errors, 0 warnings, 0 skipped\n');
    expect(result.code).toBe(0);
  });

  it('exits 1 on an error finding, and --strict=false relaxes unknown fields', async () => {
    const dir = await fixture({ 'web.yaml': deployment('          resorces: {}\n') });
    const strict = await runCli(['validate', 'web.yaml'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('26:11');
    expect(strict.stdout).toContain('unknown field "resorces"');
    expect(strict.stdout).toContain('did you mean `resources`?');
    const relaxed = await runCli(['validate', '--strict=false', 'web.yaml'], dir);
    expect(relaxed.code).toBe(0);
  });

  it('exits 2 for a path that does not exist or a bad flag value', async () => {
    const dir = await fixture({});
    const missing = await runCli(['validate', 'nowhere.yaml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or folder: ');
    const format = await runCli(['validate', '-o', 'xml', 'x.yaml'], dir);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Allowed choices are human, json, junit, sarif, github');
    const strict = await runCli(['validate', '--strict=maybe', 'x.yaml'], dir);
    expect(strict.code).toBe(2);
  });

  it('reads standard input for -', async () => {
    let stdout = '';
    const code = await run(['validate', '-', '-o', 'json'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => undefined,
      cwd: await tempDir(),
      readStdin: () => Promise.resolve(deployment()),
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { resources: { filename: string; status: string }[] };
    expect(report.resources).toEqual([
      expect.objectContaining({ filename: '<stdin>', status: 'statusValid' }),
    ]);
  });

  it('--skip, --reject, --ignore-missing-schemas and --disable-check', async () => {
    const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
    const bare =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n';
    const dir = await fixture({
      'widget.yaml': widget,
      'web.yaml': deployment(),
      'pod.yaml': bare,
    });
    expect((await runCli(['validate', 'widget.yaml'], dir)).code).toBe(1);
    const ignored = await runCli(['validate', '--ignore-missing-schemas', 'widget.yaml'], dir);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain('1 skipped');
    const skipped = await runCli(['validate', '--skip', 'Widget,Service', 'widget.yaml'], dir);
    expect(skipped.code).toBe(0);
    const rejected = await runCli(['validate', '--reject', 'apps/v1/Deployment', 'web.yaml'], dir);
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('input/rejected-kind');
    const warned = await runCli(['validate', 'pod.yaml'], dir);
    expect(warned.stdout).toContain('policy/resources-set');
    const disabled = await runCli(
      ['validate', '--disable-check', 'policy/resources-set,security-context', 'pod.yaml'],
      dir,
    );
    expect(disabled.stdout).not.toContain('policy/resources-set');
    expect(disabled.stdout).not.toContain('policy/security-context');
  });

  it('colours only on a terminal, and never with NO_COLOR or --no-color', async () => {
    const dir = await fixture({ 'web.yaml': deployment('          resorces: {}\n') });
    const capture = async (argv: string[], env: Record<string, string>): Promise<string> => {
      let stdout = '';
      await run(argv, {
        stdout: (text) => {
          stdout += text;
        },
        stderr: () => undefined,
        cwd: dir,
        stdoutIsTTY: true,
        env,
      });
      return stdout;
    };
    expect(await capture(['validate', 'web.yaml'], {})).toContain('\u001b[31m');
    expect(await capture(['validate', 'web.yaml'], { NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(await capture(['validate', '--no-color', 'web.yaml'], {})).not.toContain('\u001b[');
    expect((await runCli(['validate', 'web.yaml'], dir)).stdout).not.toContain('\u001b[');
  });
});

describe('gitops-gen validate on a kustomization with symlinks', () => {
  // Kustomize's load restrictor judges real paths: a symlink out of the folder is refused.
  it('exits 1 when a resource is a symlink to a file outside the kustomization folder', async () => {
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n';
    const dir = await fixture({
      'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'shared/cm.yaml': configMap,
      'inside/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'inside/real.yaml': configMap,
    });
    await symlink('../shared/cm.yaml', join(dir, 'app/cm.yaml'));
    await symlink('real.yaml', join(dir, 'inside/cm.yaml'));
    const outside = await runCli(['validate', 'app'], dir);
    expect(outside.stdout).toContain('kustomize/file-outside-root');
    expect(outside.code).toBe(1);
    expect((await runCli(['validate', 'inside'], dir)).code).toBe(0);
  });
});

describe('gitops-gen validate on rendered trees', () => {
  it('validates the repository tree (overlays and delivery manifests) clean: no errors, and only the warning of the prod NodePort', async () => {
    const result = await runCli(['validate'], join(import.meta.dirname, '..', '..'));
    // The spec's NodePort 30090 in mlflow-prod exposes an unauthenticated Prometheus.
    expect(result.stdout).toMatch(
      /^base\/prometheus\.yaml\n +\d+:\d+ +warning spec\.ports\[0\]: Service "prometheus" \(NodePort\) in prod namespace mlflow-prod exposes Prometheus \(port 9090\), which has no authentication, on node port 30090 of every node: .* policy\/unauthenticated-exposure\n/,
    );
    expect(result.stdout.match(/^ +\d+:\d+ +(warning|error) /gm)).toHaveLength(1);
    expect(result.stdout).toMatch(
      /\n78 resources, 78 valid, 0 invalid, 0 errors, 1 warning, 0 skipped\n$/,
    );
    expect(result.code).toBe(0);
  });

  it('validates a fresh render of the custom golden environments clean', async () => {
    const dir = await tempDir();
    const config = join(import.meta.dirname, '..', 'fixtures', 'environments-custom');
    expect((await runCli(['render', '--config', config], dir)).code).toBe(0);
    const result = await runCli(['validate', '.'], dir);
    expect(result.stdout).toMatch(
      /^\d+ resources, \d+ valid, 0 invalid, 0 errors, 0 warnings, 0 skipped\n$/,
    );
  });

  it('reports a broken overlay at the file and line of the problem', async () => {
    const dir = await tempDir();
    expect((await runCli(['render'], dir)).code).toBe(0);
    const patch = join(dir, 'overlays/prod/patches/prometheus-statefulset.yaml');
    const text = await readFile(patch, 'utf8');
    await writeFile(patch, text.replace('          resources:', '          resorces:'));
    const result = await runCli(['validate', '-o', 'json'], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      findings: { code: string; file: string; path: string }[];
    };
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'schema/unknown-field',
        path: 'spec.template.spec.containers[0].resorces',
      }),
    );
  });
});
