/**
 * publish end to end against real git repositories (a bare remote in a temp folder) and, for
 * pull requests, the real Octokit client talking to the local GitHub stand-in.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, GitopsGenError } from '../../src/errors.js';
import { publish, type PublishOptions } from '../../src/publish/publish.js';
import { validateTree } from '../../src/publish/publish-target.js';
import type { FileTree } from '../../src/render/index.js';
import type { ValidationReport } from '../../src/validate/findings.js';
import { validate } from '../../src/validate/index.js';
import { git, human, humanCommit, remoteWith } from '../helpers/git.js';
import {
  githubFaults,
  startGitHubStandIn,
  type GitHubStandIn,
} from '../helpers/github-stand-in.js';
import { environmentsFolder, tempDir } from '../helpers/temp.js';

const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };
const token = 'ghp_publishTestToken0123456789';

const environments = (
  files: Record<string, string> = { dev: '', staging: '', prod: '' },
): Promise<string> => environmentsFolder(files);

async function options(
  remote: string,
  extra: Partial<PublishOptions> = {},
): Promise<PublishOptions> {
  return {
    configDir: await environments(),
    configDirRequired: true,
    repo: remote,
    author: bot,
    cacheDir: await tempDir(),
    retryDelayMs: 10,
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<GitopsGenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GitopsGenError);
  return error as GitopsGenError;
}

/** Git as the human, synchronously: to race a publish from inside its progress callback. */
function gitSync(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: human.name, GIT_AUTHOR_EMAIL: human.email },
    stdio: 'ignore',
  });
}

/** Error findings of `gitops-gen validate` on a clone's delivery folders and overlays. */
async function validationErrors(clone: string): Promise<string[]> {
  const report = await validate({
    paths: ['overlays', 'argocd'].map((folder) => join(clone, folder)),
    displayRoot: clone,
  });
  return report.findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => `${finding.file}: ${finding.message}`);
}

async function log(clone: string): Promise<string[]> {
  await git(clone, 'fetch', '--quiet', 'origin');
  return (await git(clone, 'log', '--format=%s', 'origin/main')).trim().split('\n');
}

describe('publish --mode commit', () => {
  it('commits once with trailers, and a second run changes nothing', async () => {
    const { remote, clone } = await remoteWith({});
    const first = await publish(
      await options(remote, { mode: 'commit', path: 'monitoring', environments: ['dev'] }),
    );
    expect(first.changeSets).toEqual([
      expect.objectContaining({ operation: 'pushed', environments: ['dev'] }),
    ]);
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    const files = await readdir(join(clone, 'monitoring'));
    expect(files).toEqual(expect.arrayContaining(['.gitops-gen', 'argocd', 'base', 'overlays']));
    const message = await git(clone, 'log', '-1', '--format=%B');
    expect(message).toMatch(/^chore\(gitops\): render dev/);
    expect(message).toContain('Gitops-Gen-Fingerprint: sha256:');
    expect(await git(clone, 'log', '-1', '--format=%an <%ae>')).toBe(
      'gitops-gen <gitops-gen@example.com>\n',
    );
    const second = await publish(
      await options(remote, { mode: 'commit', path: 'monitoring', environments: ['dev'] }),
    );
    expect(second.changeSets[0]?.operation).toBe('up-to-date');
    expect(await log(clone)).toHaveLength(2);
  });

  it('records the revision of the environment files in a trailer', async () => {
    const { remote, clone } = await remoteWith({});
    const configDir = await environments({ dev: '' });
    await git(configDir, 'init', '--quiet');
    await git(configDir, 'add', '-A');
    await git(configDir, 'commit', '--quiet', '-m', 'environments');
    const revision = (await git(configDir, 'rev-parse', 'HEAD')).trim();
    await publish({ ...(await options(remote, { mode: 'commit' })), configDir });
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    expect(await git(clone, 'log', '-1', '--format=%B')).toContain(
      `Gitops-Gen-Source: ${revision}`,
    );
  });

  it('never touches files it does not own, and refuses to overwrite hand edits', async () => {
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, { mode: 'commit', environments: ['dev'] }));
    await humanCommit(clone, {
      'overlays/dev/extra.yaml': 'mine: true\n',
      'notes.md': 'human notes\n',
    });
    const again = await publish(await options(remote, { mode: 'commit', environments: ['dev'] }));
    expect(again.changeSets[0]?.operation).toBe('up-to-date');
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    expect(await readFile(join(clone, 'overlays/dev/extra.yaml'), 'utf8')).toBe('mine: true\n');
    const edited = await readFile(join(clone, 'overlays/dev/prometheus/prometheus.yml'), 'utf8');
    await humanCommit(clone, {
      'overlays/dev/prometheus/prometheus.yml': `${edited}# tweaked by hand\n`,
    });
    const error = await refusal(
      publish(await options(remote, { mode: 'commit', environments: ['dev'] })),
    );
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toContain('overlays/dev/prometheus/prometheus.yml');
    const forced = await publish(
      await options(remote, { mode: 'commit', environments: ['dev'], overwriteDrift: true }),
    );
    expect(forced.changeSets[0]?.operation).toBe('pushed');
  });

  it('two publishers racing on the base branch: both changes land, nothing is lost', async () => {
    const { remote, clone } = await remoteWith({});
    const [dev, staging] = await Promise.all([
      publish(await options(remote, { mode: 'commit', environments: ['dev'] })),
      publish(await options(remote, { mode: 'commit', environments: ['staging'] })),
    ]);
    expect([dev.changeSets[0]?.operation, staging.changeSets[0]?.operation]).toEqual([
      'pushed',
      'pushed',
    ]);
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    await expect(
      readFile(join(clone, 'overlays/dev/kustomization.yaml'), 'utf8'),
    ).resolves.toContain('mlflow-dev');
    await expect(
      readFile(join(clone, 'overlays/staging/kustomization.yaml'), 'utf8'),
    ).resolves.toContain('mlflow-staging');
    const manifest = JSON.parse(await readFile(join(clone, '.gitops-gen/owned.json'), 'utf8')) as {
      files: Record<string, string>;
    };
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining([
        'overlays/dev/kustomization.yaml',
        'overlays/staging/kustomization.yaml',
      ]),
    );
    expect(await log(clone)).toHaveLength(3);
  });

  it('a push whose answer is lost (the connection drops after the update) is found on the retry, not made twice', async () => {
    const { remote, clone } = await remoteWith({});
    // The remote takes the push, then its receive-pack dies before answering: once.
    const hook = join(remote, 'hooks', 'post-receive');
    await writeFile(
      hook,
      `#!/bin/sh\nif [ ! -e "${remote}/cut" ]; then touch "${remote}/cut"; kill -9 $PPID; fi\n`,
    );
    await chmod(hook, 0o755);
    const result = await publish(await options(remote, { mode: 'commit', environments: ['dev'] }));
    expect(result.changeSets[0]).toMatchObject({ operation: 'pushed' });
    expect(await log(clone)).toHaveLength(2);
  });

  it('a push a pre-receive hook rejects ends in a clear refusal, exit 3, and the remote unchanged', async () => {
    const { remote, clone } = await remoteWith({});
    const hook = join(remote, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\necho "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n',
    );
    await chmod(hook, 0o755);
    const error = await refusal(
      publish(await options(remote, { mode: 'commit', environments: ['dev'] })),
    );
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toMatch(/refused the push to main/);
    expect(await log(clone)).toEqual(['initial']);
  });

  it('refuses to publish a render that fails validation, before writing anything', async () => {
    const { remote, clone } = await remoteWith({});
    // What validate refuses that the environment files cannot express changes as checks move
    // into config (a latest tag is now refused there): the refusal path gets a failing report.
    const failing = async (tree: FileTree): Promise<ValidationReport> => {
      const report = await validateTree(tree);
      const finding = { code: 'test/failing', severity: 'error' as const, message: 'refused' };
      return { ...report, findings: [finding], summary: { ...report.summary, errors: 1 } };
    };
    const error = await refusal(
      publish({ ...(await options(remote, { mode: 'commit' })), validateTree: failing }),
    );
    expect(error.exitCode).toBe(ExitCode.findings);
    expect(await log(clone)).toEqual(['initial']);
  });

  it('publishing one environment lists only the environments the branch holds in shared files', async () => {
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, { mode: 'commit', environments: ['dev'] }));
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    const project = await readFile(join(clone, 'argocd/kustomization.yaml'), 'utf8');
    expect(project).toContain('applications/dev.yaml');
    expect(project).not.toContain('applications/prod.yaml');
    expect(await validationErrors(clone)).toEqual([]);

    await publish(await options(remote, { mode: 'commit', environments: ['prod'] }));
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    const both = await readFile(join(clone, 'argocd/kustomization.yaml'), 'utf8');
    expect(both).toMatch(/applications\/dev\.yaml[\s\S]*applications\/prod\.yaml/);
    expect(both).not.toContain('applications/staging.yaml');
    expect(await validationErrors(clone)).toEqual([]);
  });

  it('re-validates after a concurrent publish: a broken owned file on the new tip stops the retry', async () => {
    const { remote, clone } = await remoteWith({});
    await publish(await options(remote, { mode: 'commit' }));
    // Another publisher (another gitops-gen configuration) lands a broken prod overlay between
    // our read of main and our push: the file is owned (its sha256 is in the manifest), so it is
    // not a hand edit, and the tree we would commit on the new tip no longer validates.
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    const path = 'overlays/prod/kustomization.yaml';
    const broken = (await readFile(join(clone, path), 'utf8')).replace(
      'pod-disruption-budget.yaml',
      'missing.yaml',
    );
    const manifest = JSON.parse(await readFile(join(clone, '.gitops-gen/owned.json'), 'utf8')) as {
      files: Record<string, string>;
    };
    manifest.files[path] = createHash('sha256').update(broken).digest('hex');
    let raced = false;
    const configDir = await environments({
      dev: 'prometheus:\n  retention: { time: 3d }\n',
      staging: '',
      prod: '',
    });
    const error = await refusal(
      publish({
        ...(await options(remote, { mode: 'commit', environments: ['dev'] })),
        configDir,
        progress: (step) => {
          if (step !== 'commit dev' || raced) return;
          raced = true;
          writeFileSync(join(clone, path), broken);
          writeFileSync(
            join(clone, '.gitops-gen/owned.json'),
            `${JSON.stringify(manifest, null, 2)}\n`,
          );
          gitSync(clone, 'commit', '--quiet', '-am', 'other publisher');
          gitSync(clone, 'push', '--quiet', 'origin', 'main');
        },
      }),
    );
    expect(raced).toBe(true);
    expect(error.exitCode).toBe(ExitCode.findings);
    expect(error.message).toMatch(/the repository after this change has 1 validation error/);
    expect(await log(clone)).toEqual([
      'other publisher',
      expect.stringMatching(/^chore/),
      'initial',
    ]);
  });

  it('dry run reports the change and writes nothing', async () => {
    const { remote, clone } = await remoteWith({});
    const result = await publish(
      await options(remote, { mode: 'commit', environments: ['dev'], dryRun: true }),
    );
    expect(result.changeSets[0]).toMatchObject({ operation: 'would-push' });
    expect(result.changeSets[0]?.report).toContain('overlays/dev');
    expect(await log(clone)).toEqual(['initial']);
  });
});

describe('publish --mode pr', () => {
  let standIn: GitHubStandIn;
  beforeAll(async () => {
    standIn = await startGitHubStandIn({ token, owner: 'acme', repo: 'gitops' });
  });
  afterAll(async () => {
    await standIn.close();
  });

  // The stand-in serves the API only; the branch itself lives in the bare git remote. The
  // stand-in is told it exists so that it accepts the pull request's head.
  const fresh = (): void => {
    standIn.reset();
    standIn.addBranch('gitops-gen/main/prod');
  };

  const prOptions = async (
    remote: string,
    extra: Partial<PublishOptions> = {},
  ): Promise<PublishOptions> =>
    options(remote, {
      mode: 'pr',
      environments: ['prod'],
      githubRepo: 'acme/gitops',
      githubApiUrl: standIn.apiUrl,
      token,
      ...extra,
    });

  it('pushes a gitops-gen branch and opens a pull request; a second run pushes and patches nothing', async () => {
    fresh();
    const { remote, clone } = await remoteWith({});
    const first = await publish(await prOptions(remote, { labels: ['gitops'] }));
    expect(first.changeSets[0]).toMatchObject({
      operation: 'created',
      branch: 'gitops-gen/main/prod',
      pullRequest: { number: 1 },
    });
    const pull = standIn.state.pulls[0];
    expect(pull?.head).toBe('gitops-gen/main/prod');
    expect(pull?.body).toContain('<!-- gitops-gen:meta');
    expect(pull?.labels).toEqual(['gitops']);
    const branchHead = (
      await git(clone, 'ls-remote', 'origin', 'refs/heads/gitops-gen/main/prod')
    ).split('\t')[0];
    const writes = standIn.writes().length;
    const second = await publish(await prOptions(remote, { labels: ['gitops'] }));
    expect(second.changeSets[0]?.operation).toBe('unchanged');
    expect(
      (await git(clone, 'ls-remote', 'origin', 'refs/heads/gitops-gen/main/prod')).split('\t')[0],
    ).toBe(branchHead);
    // No write at all: no pull request patched or created, no label added again.
    expect(standIn.writes().slice(writes)).toEqual([]);
    expect(await log(clone)).toEqual(['initial']);
  });

  it('rebuilds the branch only when the base changed the files gitops-gen writes', async () => {
    fresh();
    const { remote, clone } = await remoteWith({});
    await publish(await prOptions(remote));
    const headOf = async (): Promise<string | undefined> =>
      (await git(clone, 'ls-remote', 'origin', 'refs/heads/gitops-gen/main/prod')).split('\t')[0];
    const first = await headOf();
    await humanCommit(clone, { 'docs/runbook.md': 'who to call\n' });
    const unrelated = await publish(await prOptions(remote));
    expect(unrelated.changeSets[0]?.operation).toBe('unchanged');
    expect(await headOf()).toBe(first);

    // dev published by commit changes the shared files and the ownership manifest on main.
    await publish(await options(remote, { mode: 'commit', environments: ['dev'] }));
    const related = await publish(await prOptions(remote));
    expect(related.changeSets[0]?.operation).toBe('updated');
    const rebuilt = await headOf();
    expect(rebuilt).not.toBe(first);
    await git(clone, 'fetch', '--quiet', 'origin');
    expect((await git(clone, 'rev-parse', `${rebuilt}^`)).trim()).toBe(
      (await git(clone, 'rev-parse', 'origin/main')).trim(),
    );
  });

  it('stops when a human pushed to the PR branch, and --force replaces it', async () => {
    fresh();
    const { remote, clone } = await remoteWith({});
    await publish(await prOptions(remote));
    await humanCommit(
      clone,
      { 'overlays/prod/hand.yaml': 'x: 1\n' },
      'fix by hand',
      'gitops-gen/main/prod',
    );
    const error = await refusal(
      publish(
        await prOptions(remote, {
          configDir: await environments({ prod: 'prometheus: { retention: { time: 20d } }' }),
        }),
      ),
    );
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toContain(`${human.name}: fix by hand`);
    const forced = await publish(
      await prOptions(remote, {
        force: true,
        configDir: await environments({ prod: 'prometheus: { retention: { time: 20d } }' }),
      }),
    );
    expect(forced.changeSets[0]?.operation).toBe('updated');
  });

  it('does not reopen a change a human closed without merging', async () => {
    fresh();
    const { remote } = await remoteWith({});
    const first = await publish(await prOptions(remote));
    const number = first.changeSets[0]?.pullRequest?.number;
    const pull = standIn.state.pulls.find((candidate) => candidate.number === number);
    if (pull) pull.state = 'closed';
    const again = await publish(await prOptions(remote));
    expect(again.changeSets[0]?.operation).toBe('skipped');
    expect(standIn.state.pulls.filter((candidate) => candidate.state === 'open')).toEqual([]);
  });

  it('a failure half way (the pull request cannot be opened) is safe to re-run: no second push', async () => {
    fresh();
    const { remote, clone } = await remoteWith({});
    standIn.fault(
      'POST /repos/{owner}/{repo}/pulls',
      githubFaults.permission('pull_requests=write'),
    );
    const error = await refusal(publish(await prOptions(remote)));
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.message).toMatch(/pull_requests=write|pull requests.*write/i);
    const pushed = (
      await git(clone, 'ls-remote', 'origin', 'refs/heads/gitops-gen/main/prod')
    ).split('\t')[0];
    expect(pushed).toMatch(/^[0-9a-f]{40}$/);
    expect(standIn.state.pulls).toEqual([]);

    const again = await publish(await prOptions(remote));
    expect(again.changeSets[0]).toMatchObject({ operation: 'created', commit: pushed });
    expect(standIn.state.pulls.filter((pull) => pull.state === 'open')).toHaveLength(1);
  });

  it('422 "A pull request already exists" (a concurrent run opened it) updates that one', async () => {
    fresh();
    const { remote } = await remoteWith({});
    standIn.fault('POST /repos/{owner}/{repo}/pulls', {
      ...githubFaults.validation('A pull request already exists for acme:gitops-gen/main/prod.'),
      effect: (server) => {
        server.addPull({ head: 'gitops-gen/main/prod', title: 'opened concurrently', body: '' });
      },
    });
    const result = await publish(await prOptions(remote));
    expect(result.changeSets[0]?.operation).toBe('updated');
    const open = standIn.state.pulls.filter((pull) => pull.state === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]?.body).toContain('<!-- gitops-gen:meta');
    expect(open[0]?.title).not.toBe('opened concurrently');
  });

  it('never shows the token: not in results, errors, the request bodies or the cache repository', async () => {
    fresh();
    const { remote } = await remoteWith({});
    const cacheDir = await tempDir();
    const result = await publish(await prOptions(remote, { cacheDir }));
    expect(JSON.stringify(result)).not.toContain(token);
    for (const request of standIn.log) expect(request.body).not.toContain(token);
    const configs = await readdir(cacheDir, { recursive: true });
    for (const file of configs.filter((name) => name.endsWith('config'))) {
      expect(await readFile(join(cacheDir, file), 'utf8')).not.toContain(token);
    }
    standIn.fault('GET /repos/{owner}/{repo}/pulls', {
      status: 403,
      headers: { 'x-accepted-github-permissions': 'pull_requests=read' },
      body: { message: 'Resource not accessible by integration' },
    });
    const error = await refusal(
      publish(
        await prOptions(remote, {
          cacheDir: await tempDir(),
          configDir: await environments({ prod: 'prometheus: { retention: { time: 21d } }' }),
        }),
      ),
    );
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(`${error.message} ${JSON.stringify(error.problems)}`).not.toContain(token);
  });
});
