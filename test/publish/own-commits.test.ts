/**
 * Issue 13, point 8: a human's work on a gitops-gen pull-request branch. gitops-gen's commits
 * are recognised by content, not by the fingerprint trailer alone: an amended or cherry-picked
 * commit keeps the trailer, and replacing it without --force would lose the human's edit.
 * Real bare remotes, real git for the human, the GitHub stand-in for the pull request.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, GitopsGenError } from '../../src/errors.js';
import { publish, type PublishOptions } from '../../src/publish/publish.js';
import { git, remoteWith } from '../helpers/git.js';
import { useGitHubStandIn } from '../helpers/github-stand-in.js';
import { environmentsFolder, tempDir } from '../helpers/temp.js';

const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };
const token = 'ghp_ownCommitsToken0123456789';
const branch = 'gitops-gen/main/prod';

const configWith = (prod: string): Promise<string> =>
  environmentsFolder({ dev: '', staging: '', prod });

describe('commits on a pull-request branch, judged by content', () => {
  const standIn = useGitHubStandIn(token);

  const options = async (
    remote: string,
    prod = '',
    extra: Partial<PublishOptions> = {},
  ): Promise<PublishOptions> => ({
    configDir: await configWith(prod),
    configDirRequired: true,
    repo: remote,
    author: bot,
    cacheDir: await tempDir(),
    retryDelayMs: 10,
    mode: 'pr',
    environments: ['prod'],
    githubRepo: 'acme/gitops',
    githubApiUrl: standIn().apiUrl,
    token,
    ...extra,
  });

  /** A published pull request, and a clone on its branch for the human. */
  async function published(): Promise<{ remote: string; clone: string }> {
    standIn().reset();
    standIn().addBranch(branch);
    const repos = await remoteWith({});
    await publish(await options(repos.remote));
    await git(repos.clone, 'fetch', '--quiet', 'origin');
    await git(repos.clone, 'checkout', '--quiet', '-B', branch, `origin/${branch}`);
    return repos;
  }

  async function refused(remote: string): Promise<GitopsGenError> {
    const error = await publish(
      await options(remote, 'prometheus: { retention: { time: 20d } }'),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GitopsGenError);
    return error as GitopsGenError;
  }

  async function forcePush(clone: string): Promise<string> {
    await git(clone, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
    return (await git(clone, 'rev-parse', 'HEAD')).trim();
  }

  it('an amended commit that edits an owned file keeps the trailer and is still foreign', async () => {
    const { remote, clone } = await published();
    const file = join(clone, 'overlays/prod/kustomization.yaml');
    await writeFile(
      file,
      `# reviewed: keep 2 replicas\n${await git(clone, 'show', `HEAD:overlays/prod/kustomization.yaml`)}`,
    );
    await git(clone, 'commit', '--quiet', '-a', '--amend', '--no-edit');
    expect(await git(clone, 'log', '-1', '--format=%B')).toContain('Gitops-Gen-Fingerprint:');
    const amended = await forcePush(clone);
    const error = await refused(remote);
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toContain(
      `carries commits gitops-gen did not make: ${amended.slice(0, 7)}`,
    );
    // Nothing was overwritten.
    expect((await git(clone, 'ls-remote', 'origin', `refs/heads/${branch}`)).split('\t')[0]).toBe(
      amended,
    );
    const forced = await publish(
      await options(remote, 'prometheus: { retention: { time: 20d } }', { force: true }),
    );
    expect(forced.changeSets[0]?.operation).toBe('updated');
  });

  it('an amended commit that adds a file of its own is foreign', async () => {
    const { remote, clone } = await published();
    await writeFile(join(clone, 'overlays/prod/extra-rule.yaml'), 'groups: []\n');
    await git(clone, 'add', '-A');
    await git(clone, 'commit', '--quiet', '--amend', '--no-edit');
    await forcePush(clone);
    expect((await refused(remote)).message).toContain('carries commits gitops-gen did not make');
  });

  it('a cherry-pick of gitops-gen commit with a hand-resolved change is foreign', async () => {
    const { remote, clone } = await published();
    const own = (await git(clone, 'rev-parse', 'HEAD')).trim();
    await git(clone, 'reset', '--quiet', '--hard', 'HEAD^');
    await git(clone, 'cherry-pick', '--no-commit', own);
    await writeFile(join(clone, 'docs-outside.md'), 'notes\n');
    await git(clone, 'add', '-A');
    await git(clone, 'commit', '--quiet', '-C', own);
    await forcePush(clone);
    expect((await refused(remote)).message).toContain('carries commits gitops-gen did not make');
  });

  it('a commit that is gitops-gen content alone is its own: no pull request needed to tell', async () => {
    const { remote, clone } = await published();
    // The pull request is gone (its marker with the recorded head too); the branch stays.
    standIn().reset();
    standIn().addBranch(branch);
    const own = (await git(clone, 'rev-parse', 'HEAD')).trim();
    const result = await publish(await options(remote, 'prometheus: { retention: { time: 20d } }'));
    expect(result.changeSets[0]?.operation).toBe('created');
    const head = (await git(clone, 'ls-remote', 'origin', `refs/heads/${branch}`)).split('\t')[0];
    expect(head).not.toBe(own);
  });
});
