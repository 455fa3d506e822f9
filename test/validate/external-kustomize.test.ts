/**
 * Kustomizations the in-process build does not implement (issue 14, point 12): built with
 * kubectl kustomize through the ExternalKustomize port (faked here, and once for real), or
 * reported as not built (exit 2), never validated from a partial build. Also `gitops-gen build`
 * (point 13) against kubectl's own output.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate, type ExternalKustomize } from '../../src/validate/index.js';
import { processKustomize } from '../../src/validate/external-kustomize.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n';
const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: nginx:1.27
    resorces: {}
`;

/** A kustomization with `vars`, which the in-process build does not implement. */
const withVars = {
  'app/kustomization.yaml': `resources:
- pod.yaml
- cm.yaml
vars:
- name: SETTINGS
  objref:
    kind: ConfigMap
    name: settings
    apiVersion: v1
`,
  'app/pod.yaml': pod,
  'app/cm.yaml': configMap,
};

function fake(result: Awaited<ReturnType<ExternalKustomize['build']>>): ExternalKustomize & {
  calls: { directory: string; enableHelm: boolean }[];
} {
  const calls: { directory: string; enableHelm: boolean }[] = [];
  return {
    tool: 'kubectl kustomize',
    calls,
    build(directory, options) {
      calls.push({ directory, enableHelm: options.enableHelm });
      return Promise.resolve(result);
    },
  };
}

const hasKubectl = ((): boolean => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('kustomizations beyond the in-process build', () => {
  it('validates what the external build printed, located at the kustomization', async () => {
    const dir = await tempDir();
    await writeFiles(dir, withVars);
    const external = fake({
      ok: true,
      tool: 'kubectl kustomize',
      stdout: `${configMap}---\n${pod}`,
    });
    const report = await validate({
      paths: [join(dir, 'app')],
      promtool: 'never',
      displayRoot: dir,
      externalKustomize: external,
      enableHelm: true,
    });
    expect(external.calls).toEqual([{ directory: join(dir, 'app'), enableHelm: true }]);
    const codes = report.findings.map((finding) => finding.code);
    expect(codes).not.toContain('kustomize/unsupported-field');
    expect(codes).toContain('kustomize/external-build');
    const unknown = report.findings.find((finding) => finding.code === 'schema/unknown-field');
    expect(unknown).toMatchObject({
      file: join('app', 'kustomization.yaml'),
      resource: { kind: 'Pod', name: 'p' },
    });
    expect(unknown?.line).toBeUndefined();
  });

  it('reports a kustomization it could not build as not built, with no object validated', async () => {
    const dir = await tempDir();
    await writeFiles(dir, withVars);
    const report = await validate({
      paths: [join(dir, 'app')],
      promtool: 'never',
      displayRoot: dir,
      externalKustomize: fake({
        ok: false,
        reason: 'neither kubectl nor kustomize is on PATH',
        hint: 'install kubectl',
      }),
    });
    expect(report.resources).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'kustomize/not-built',
        severity: 'error',
        file: join('app', 'kustomization.yaml'),
        hint: 'install kubectl',
      }),
    ]);
    expect(report.findings[0]?.message).toContain('vars');
  });

  it('never fetches a remote base: not built, and validate exits 2', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'app/kustomization.yaml':
        'resources:\n- cm.yaml\n- https://github.com/example/repo//base?ref=v1\n',
      'app/cm.yaml': configMap,
    });
    const external = fake({ ok: true, tool: 'kubectl kustomize', stdout: configMap });
    const report = await validate({
      paths: [join(dir, 'app')],
      promtool: 'never',
      externalKustomize: external,
    });
    expect(external.calls).toEqual([]);
    expect(report.findings.map((finding) => finding.code)).toEqual(['kustomize/not-built']);
    const cli = await runCli(['validate', 'app'], dir);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toContain('kustomize/not-built');
  });

  it('finds no tool on an empty PATH', async () => {
    const port = processKustomize({ path: '' });
    expect(port.tool).toBeUndefined();
    expect(await port.build('/nowhere', { enableHelm: false })).toMatchObject({
      ok: false,
      reason: 'neither kubectl nor kustomize is on PATH',
    });
  });

  it.runIf(hasKubectl)('builds `vars` with the real kubectl kustomize', async () => {
    const dir = await tempDir();
    await writeFiles(dir, withVars);
    const cli = await runCli(['validate', '-o', 'json', 'app'], dir);
    expect(cli.code).toBe(1); // the Pod's unknown field, found in kubectl's output
    const report = JSON.parse(cli.stdout) as { findings: { code: string; file?: string }[] };
    expect(report.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['kustomize/external-build', 'schema/unknown-field']),
    );
    expect(report.findings.map((finding) => finding.code)).not.toContain('kustomize/not-built');
  });

  it.runIf(hasKubectl)('`build` prints the bytes kubectl prints, or the findings', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'app/kustomization.yaml':
        'namePrefix: x-\nresources:\n- cm.yaml\nconfigMapGenerator:\n- name: gen\n  literals:\n  - "k=multi\\nline"\n  - n=0644\n',
      'app/cm.yaml': configMap,
      'bad/kustomization.yaml': 'resources:\n- missing.yaml\n',
    });
    const ours = await runCli(['build', 'app'], dir);
    const theirs = await runCli(['build', '--engine', 'kubectl', 'app'], dir);
    expect(ours.code).toBe(0);
    expect(theirs.code).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toBe(
      execFileSync('kubectl', ['kustomize', join(dir, 'app')], { encoding: 'utf8' }),
    );
    const bad = await runCli(['build', 'bad'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('kustomize/');
  });
});
