/**
 * delivery/path-not-found on the layouts real repositories use (issue 14, point 2): a path is
 * checked only when its source is this repository (git origin, or gitops-gen's own repoURL), and
 * any folder the controller can sync is accepted. Each fixture under
 * test/fixtures/delivery-real/<case>/ states its expected verdict and the Argo CD or Flux rule
 * that decides it; it is copied to a temporary folder made a git repository with the origin the
 * case names (no .git is committed).
 */
import { execFileSync } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { normaliseRepoUrl, originUrlOf } from '../../src/validate/delivery-repository.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'delivery-real');
const origin = 'https://github.com/acme/fleet.git';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}

/** A copy of the fixture as a git repository on branch main, with `remote` as origin (none: null). */
async function repository(fixture: string, remote: string | null = origin): Promise<string> {
  const root = join(await tempDir('delivery-real-'), fixture);
  await cp(join(fixtures, fixture), root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  if (remote !== null) git(root, 'remote', 'add', 'origin', remote);
  return root;
}

interface Seen {
  code: string;
  severity: string;
  path?: string;
  file?: string;
  message: string;
  hint?: string;
}

/** The delivery findings of validating the whole repository. */
async function deliveryFindings(root: string): Promise<Seen[]> {
  const report = await validate({ paths: [root], displayRoot: root, promtool: 'never' });
  return report.findings
    .filter((finding) => finding.code.startsWith('delivery/'))
    .map(({ code, severity, path, file, message, hint }) => ({
      code,
      severity,
      message,
      ...(path === undefined ? {} : { path }),
      ...(file === undefined ? {} : { file }),
      ...(hint === undefined ? {} : { hint }),
    }));
}

describe('Argo CD: any folder Argo CD can build is accepted', () => {
  it('a Helm chart folder (Chart.yaml, tool detection), repoURL in scp-like form', async () => {
    expect(await deliveryFindings(await repository('argo-helm-chart'))).toEqual([]);
  });

  it('a plain folder of manifests (.yaml and .json), host in another case', async () => {
    expect(await deliveryFindings(await repository('argo-plain-manifests'))).toEqual([]);
  });

  it('a jsonnet folder', async () => {
    expect(await deliveryFindings(await repository('argo-jsonnet'))).toEqual([]);
  });

  it('directory.recurse with manifests only in subfolders', async () => {
    expect(await deliveryFindings(await repository('argo-directory-recurse'))).toEqual([]);
  });

  it('without directory.recurse the same folder syncs nothing: a warning, not an error', async () => {
    const root = await repository('argo-directory-recurse');
    const file = join(root, 'delivery/apps.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('    directory:\n      recurse: true\n', ''),
    );
    expect(await deliveryFindings(root)).toEqual([
      expect.objectContaining({
        code: 'delivery/path-empty',
        severity: 'warning',
        path: 'spec.source.path',
        hint: 'set `directory.recurse: true` on the source, or point the path at the subfolder',
      }),
    ]);
  });

  it('app-of-apps: other repositories, a pinned tag, a Helm repository chart, an ApplicationSet', async () => {
    expect(await deliveryFindings(await repository('argo-app-of-apps'))).toEqual([]);
  });

  it('an ApplicationSet Git directory generator naming a missing directory of this repository', async () => {
    const root = await repository('argo-app-of-apps');
    const file = join(root, 'apps/appset-git.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('- path: charts/web', '- path: charts/wbe'),
    );
    expect(await deliveryFindings(root)).toEqual([
      expect.objectContaining({
        code: 'delivery/path-not-found',
        path: 'spec.generators[0].git.directories[0].path',
        hint: 'did you mean `charts/web`?',
      }),
    ]);
  });

  it("this repository's missing path is an error naming Argo CD's rule", async () => {
    expect(await deliveryFindings(await repository('argo-missing-path'))).toEqual([
      {
        code: 'delivery/path-not-found',
        severity: 'error',
        path: 'spec.source.path',
        file: 'delivery/prod.yaml',
        message:
          'the controller would sync "overlays/prdo", which is no folder of this repository: Argo CD refuses it: "app path does not exist" (argo-cd util/app/path)',
        hint: 'did you mean `overlays/prod`?',
      },
    ]);
  });

  it('multi-source: only the source of this repository with a missing path', async () => {
    const findings = await deliveryFindings(await repository('argo-multi-source'));
    expect(findings.map(({ code, path, severity }) => [code, path, severity])).toEqual([
      ['delivery/path-not-found', 'spec.sources[2].path', 'error'],
    ]);
    expect(findings[0]?.message).toContain('"manifests/biling-typo"');
  });
});

describe('Flux: any folder kustomize-controller can build is accepted', () => {
  it('a plain folder (a kustomization.yaml is generated), GitRepository url in ssh form', async () => {
    expect(await deliveryFindings(await repository('flux-plain-folder'))).toEqual([]);
  });

  it("this repository's missing folder is an error naming Flux's rule", async () => {
    expect(await deliveryFindings(await repository('flux-missing-folder'))).toEqual([
      {
        code: 'delivery/path-not-found',
        severity: 'error',
        path: 'spec.path',
        file: 'clusters/prod/flux-system/gotk-sync.yaml',
        message:
          'the controller would sync "./infrastructure/controlers", which is no folder of this repository: Flux refuses it: "kustomization path not found" (kustomize-controller)',
        hint: 'did you mean `infrastructure/controllers`?',
      },
    ]);
  });

  it('OCIRepository, Bucket and ExternalArtifact sources', async () => {
    expect(await deliveryFindings(await repository('flux-artifact-sources'))).toEqual([]);
  });

  it('a GitRepository of another repository, another branch, or one not seen', async () => {
    expect(await deliveryFindings(await repository('flux-other-git'))).toEqual([]);
  });
});

describe('which repository is this one', () => {
  it('unknown origin: silent, with or without a git repository', async () => {
    for (const fixture of ['argo-missing-path', 'flux-missing-folder']) {
      expect(await deliveryFindings(await repository(fixture, null))).toEqual([]);
      const root = await repository(fixture);
      await rm(join(root, '.git'), { recursive: true, force: true });
      expect(await deliveryFindings(root)).toEqual([]);
    }
  });

  it('another origin: silent', async () => {
    const root = await repository('argo-missing-path', 'git@github.com:someone/fork.git');
    expect(await deliveryFindings(root)).toEqual([]);
  });

  it('origin spelled differently from repoURL still matches', async () => {
    for (const remote of [
      'git@github.com:acme/fleet.git',
      'ssh://git@GitHub.com:22/acme/fleet',
      'https://token@github.com/acme/fleet/',
    ]) {
      const findings = await deliveryFindings(await repository('argo-missing-path', remote));
      expect(findings.map((finding) => finding.code)).toEqual(['delivery/path-not-found']);
    }
  });

  it('a linked worktree reads the common git config', async () => {
    const main = await repository('argo-missing-path');
    git(main, 'add', '.');
    git(main, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'x');
    const tree = join(await tempDir('delivery-real-wt-'), 'wt');
    git(main, 'worktree', 'add', '-q', '-b', 'other', tree);
    // The worktree's branch is `other`; the Application tracks main, which is not checked out
    // there: silent. Tracking HEAD, it is checked.
    expect(await deliveryFindings(tree)).toEqual([]);
    const file = join(tree, 'delivery/prod.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('targetRevision: main', 'targetRevision: HEAD'),
    );
    expect((await deliveryFindings(tree)).map((finding) => finding.code)).toEqual([
      'delivery/path-not-found',
    ]);
  });
});

describe('repository URLs', () => {
  it('normalise https, ssh and scp-like spellings of one repository alike', () => {
    const same = [
      'https://github.com/acme/fleet.git',
      'https://github.com/acme/fleet',
      'https://GitHub.com/acme/fleet/',
      'http://user:secret@github.com/acme/fleet.git',
      'ssh://git@github.com/acme/fleet.git',
      'ssh://git@github.com:22/acme/fleet',
      'git@github.com:acme/fleet.git',
      'git://github.com/acme/fleet.git',
    ].map(normaliseRepoUrl);
    expect(new Set(same)).toEqual(new Set(['github.com/acme/fleet']));
    expect(normaliseRepoUrl('https://github.com/acme/other.git')).toBe('github.com/acme/other');
    expect(normaliseRepoUrl('{{ .repoURL }}')).toBeUndefined();
    expect(normaliseRepoUrl('')).toBeUndefined();
  });

  it('read the origin url from a git config', () => {
    const config = [
      '[core]',
      '\tbare = false',
      '[remote "upstream"]',
      '\turl = https://github.com/acme/upstream.git',
      '[remote "origin"]',
      '\turl = git@github.com:acme/fleet.git',
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    ].join('\n');
    expect(originUrlOf(config)).toBe('git@github.com:acme/fleet.git');
    expect(originUrlOf('[core]\n\tbare = false\n')).toBeUndefined();
  });
});
