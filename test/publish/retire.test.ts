/**
 * Issue 13, point 1: retiring an environment. Deleting its environment file and publishing
 * removes its overlay and delivery files from the remote (commit and PR mode), keeps the
 * ownership manifest exact, agrees with what `render` writes, and says so in its own section.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planChangeSet } from '../../src/publish/changeset.js';
import { retiredEnvironments, scopeOf } from '../../src/publish/plan.js';
import { publish, type PublishOptions } from '../../src/publish/publish.js';
import { ownershipManifestPath } from '../../src/publish/types.js';
import { git, humanCommit, remoteWith } from '../helpers/git.js';
import { useGitHubStandIn } from '../helpers/github-stand-in.js';
import { renderEnvironments } from '../helpers/render.js';
import { environmentsFolder, tempDir } from '../helpers/temp.js';

const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };
const token = 'ghp_retireTestToken0123456789';
const flux = (extra = ''): string =>
  `${extra}delivery:\n  controller: flux\n  cluster: { name: nonprod }\n`;
const withQa = { dev: flux(), qa: flux('tier: staging\n') };

const configWith = environmentsFolder;

async function options(
  remote: string,
  configDir: string,
  extra: Partial<PublishOptions> = {},
): Promise<PublishOptions> {
  return {
    configDir,
    configDirRequired: true,
    repo: remote,
    author: bot,
    cacheDir: await tempDir(),
    retryDelayMs: 10,
    mode: 'commit',
    ...extra,
  };
}

/** Every file of a folder, by path relative to it, `.git` left out. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith('.git/'))
    .sort();
}

async function pulled(clone: string, ref = 'origin/main'): Promise<string[]> {
  await git(clone, 'fetch', '--quiet', 'origin');
  await git(clone, 'checkout', '--quiet', '--detach', ref);
  return filesUnder(clone);
}

describe('retiring an environment (pure core)', () => {
  it('finds environments the manifest owns files of that the configuration no longer has', () => {
    const manifest = {
      version: 1 as const,
      files: {
        'base/kustomization.yaml': 'a'.repeat(64),
        'overlays/dev/kustomization.yaml': 'b'.repeat(64),
        'overlays/qa/kustomization.yaml': 'c'.repeat(64),
        'clusters/nonprod/mlflow-monitoring/old.yaml': 'd'.repeat(64),
        'clusters/nonprod/mlflow-monitoring/kustomization.yaml': 'e'.repeat(64),
      },
    };
    expect(retiredEnvironments(manifest, ['dev'])).toEqual(['old', 'qa']);
    expect(retiredEnvironments(manifest, ['dev', 'qa', 'old'])).toEqual([]);
  });

  it('removes only owned files of the retired environment and lists them', () => {
    const first = planChangeSet({
      current: new Map(),
      rendered: new Map([['overlays/qa/kustomization.yaml', 'qa\n']]),
      scope: ['overlays'],
    }).next;
    const current = new Map([...first, ['overlays/qa/notes.md', 'not owned: kept\n']]);
    const changeSet = planChangeSet({
      current,
      rendered: new Map(),
      scope: scopeOf([], ['qa']),
      retired: ['qa'],
    });
    expect(changeSet.retired).toEqual([
      { environment: 'qa', files: ['overlays/qa/kustomization.yaml'] },
    ]);
    expect(changeSet.next.has('overlays/qa/notes.md')).toBe(true);
    expect(changeSet.manifest.files).toEqual({});
  });
});

describe('retiring an environment against a real remote', () => {
  const standInOf = useGitHubStandIn(token);

  it('commit mode: removes every file of qa, keeps owned.json exact and agrees with render', async () => {
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, await configWith(withQa)));
    const before = await pulled(clone);
    expect(before).toContain('overlays/qa/kustomization.yaml');
    expect(before).toContain('clusters/nonprod/mlflow-monitoring/qa.yaml');

    const devOnly = await configWith({ dev: withQa.dev });
    const preview = await publish(await options(remote, devOnly, { dryRun: true }));
    const report = preview.changeSets[0]?.report ?? '';
    const removed = before.filter((path) => path.startsWith('overlays/qa/')).length + 1;
    expect(report).toContain(`environment qa is retired: ${removed} files removed:`);
    expect(report).toContain('  - clusters/nonprod/mlflow-monitoring/qa.yaml');

    const result = await publish(await options(remote, devOnly));
    expect(result.changeSets[0]?.operation).toBe('pushed');
    const after = await pulled(clone);
    expect(after.filter((path) => /(^|\/)qa(\/|\.yaml$)/.test(path))).toEqual([]);
    const message = await git(clone, 'log', '-1', '--format=%B', 'origin/main');
    expect(message).toContain(`Environment qa is retired: ${removed} files removed.`);

    // owned.json lists exactly the files on the remote that gitops-gen wrote: what render writes.
    const manifest = JSON.parse(await readFile(join(clone, ownershipManifestPath), 'utf8')) as {
      files: Record<string, string>;
    };
    const rendered = await renderEnvironments({ dev: withQa.dev });
    // render writes its own owned.json too: the files besides it are what publish must own.
    const renderedFiles = (await filesUnder(rendered)).filter(
      (path) => !path.startsWith('environments/') && path !== ownershipManifestPath,
    );
    expect(Object.keys(manifest.files).sort()).toEqual(renderedFiles);
    expect(after.filter((path) => path !== ownershipManifestPath && path !== 'README.md')).toEqual(
      renderedFiles,
    );
    const cluster = await readFile(
      join(clone, 'clusters/nonprod/mlflow-monitoring/kustomization.yaml'),
      'utf8',
    );
    expect(cluster).not.toContain('qa');

    // A second run has nothing left to retire.
    const again = await publish(await options(remote, devOnly));
    expect(again.changeSets[0]?.operation).toBe('up-to-date');
  });

  it('pull-request mode: the pull request for dev retires qa, in its title and its own section', async () => {
    const standIn = standInOf();
    standIn.reset();
    standIn.addBranch('gitops-gen/main/dev');
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, await configWith(withQa)));
    const devOnly = await configWith({
      dev: `${withQa.dev}prometheus: { retention: { time: 9d } }\n`,
    });
    const result = await publish(
      await options(remote, devOnly, {
        mode: 'pr',
        environments: ['dev'],
        githubRepo: 'acme/gitops',
        githubApiUrl: standIn.apiUrl,
        token,
      }),
    );
    expect(result.changeSets[0]?.operation).toBe('created');
    const pull = standIn.state.pulls[0];
    expect(pull?.title).toMatch(/; retire qa$/);
    expect(pull?.body).toMatch(/### Environment qa is retired: \d+ files removed/);
    expect(pull?.body).toContain('`clusters/nonprod/mlflow-monitoring/qa.yaml`');
    const branch = await pulled(clone, 'origin/gitops-gen/main/dev');
    expect(branch.filter((path) => /(^|\/)qa(\/|\.yaml$)/.test(path))).toEqual([]);
    // main is untouched until the pull request is merged.
    expect(await pulled(clone)).toContain('overlays/qa/kustomization.yaml');
  });

  it('a retired environment whose files were edited by hand is drift: refused unless overwritten', async () => {
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, await configWith(withQa)));
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    await humanCommit(clone, { 'overlays/qa/kustomization.yaml': '# hand edit\n' });
    const devOnly = await configWith({ dev: withQa.dev });
    await expect(publish(await options(remote, devOnly))).rejects.toThrow(
      /edited by hand since the last publish: overlays\/qa\/kustomization.yaml/,
    );
    const overwritten = await publish(await options(remote, devOnly, { overwriteDrift: true }));
    expect(overwritten.changeSets[0]?.operation).toBe('pushed');
    expect((await pulled(clone)).some((path) => path.startsWith('overlays/qa/'))).toBe(false);
    await rm(devOnly, { recursive: true, force: true });
  });
});
