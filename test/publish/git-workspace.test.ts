/** The git edge against real repositories: a bare remote in a temp folder. */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitWorkspace, redactSecret } from '../../src/publish/git-workspace.js';
import { git, humanCommit, remoteWith } from '../helpers/git.js';
import { tempDir } from '../helpers/temp.js';

const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };

describe('GitWorkspace', () => {
  it('reads a commit, composes a new one without a worktree, and pushes it', async () => {
    const { remote, clone } = await remoteWith({
      'gitops/base/a.yaml': 'a: 1\n',
      'gitops/keep.txt': 'keep\n',
    });
    const workspace = await GitWorkspace.open({ remote, cacheDir: await tempDir() });
    const base = await workspace.fetchBranch('main');
    expect(base).toMatch(/^[0-9a-f]{40}$/);
    const files = await workspace.readFiles(base ?? '', 'gitops');
    expect(Object.fromEntries(files)).toEqual({ 'base/a.yaml': 'a: 1\n', 'keep.txt': 'keep\n' });
    const commit = await workspace.commit({
      parent: base,
      folder: 'gitops',
      changes: new Map([
        ['base/a.yaml', null],
        ['base/b.yaml', 'b: 2\n'],
      ]),
      message: 'chore(gitops): render\n\nGitops-Gen-Fingerprint: sha256:abc\n',
      author: bot,
    });
    expect(await workspace.push(commit, 'main')).toEqual({ status: 'pushed' });
    await git(clone, 'pull', '--quiet', 'origin', 'main');
    expect(await readFile(join(clone, 'gitops/base/b.yaml'), 'utf8')).toBe('b: 2\n');
    expect(await readFile(join(clone, 'gitops/keep.txt'), 'utf8')).toBe('keep\n');
    const [info] = await workspace.commits(`${base ?? ''}..${commit}`);
    expect(info).toMatchObject({
      authorEmail: bot.email,
      trailers: { 'Gitops-Gen-Fingerprint': 'sha256:abc' },
    });
  });

  it('classifies a non-fast-forward push and never forces the branch', async () => {
    const { remote, clone } = await remoteWith({});
    const workspace = await GitWorkspace.open({ remote, cacheDir: await tempDir() });
    const base = await workspace.fetchBranch('main');
    const commit = await workspace.commit({
      parent: base,
      folder: '',
      changes: new Map([['x', '1\n']]),
      message: 'ours\n',
      author: bot,
    });
    const theirs = await humanCommit(clone, { 'y.txt': 'human\n' });
    const outcome = await workspace.push(commit, 'main');
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'non-fast-forward' });
    expect(await workspace.remoteHead('main')).toBe(theirs);
  });

  it('pins the lease on a PR branch: a branch moved by someone else is not overwritten', async () => {
    const { remote, clone } = await remoteWith({});
    const workspace = await GitWorkspace.open({ remote, cacheDir: await tempDir() });
    const base = await workspace.fetchBranch('main');
    const first = await workspace.commit({
      parent: base,
      folder: '',
      changes: new Map([['x', '1\n']]),
      message: 'one\n',
      author: bot,
    });
    expect(await workspace.push(first, 'gitops-gen/main/prod', { expected: '' })).toEqual({
      status: 'pushed',
    });
    // "Must not exist": creating it again with another commit fails.
    const other = await workspace.commit({
      parent: base,
      folder: '',
      changes: new Map([['x', '9\n']]),
      message: 'other\n',
      author: bot,
    });
    expect(await workspace.push(other, 'gitops-gen/main/prod', { expected: '' })).toMatchObject({
      status: 'rejected',
    });
    const human = await humanCommit(
      clone,
      { 'z.txt': 'mine\n' },
      'human on the PR branch',
      'gitops-gen/main/prod',
    );
    const second = await workspace.commit({
      parent: base,
      folder: '',
      changes: new Map([['x', '2\n']]),
      message: 'two\n',
      author: bot,
    });
    expect(await workspace.push(second, 'gitops-gen/main/prod', { expected: first })).toMatchObject(
      { status: 'rejected', reason: 'stale-lease' },
    );
    expect(await workspace.remoteHead('gitops-gen/main/prod')).toBe(human);
    expect(await workspace.push(second, 'gitops-gen/main/prod', { expected: human })).toEqual({
      status: 'pushed',
    });
  });

  it('reports a push that a pre-receive hook rejects as policy', async () => {
    const { remote } = await remoteWith({});
    const hook = join(remote, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\necho "protected branch hook declined: main needs a review" >&2\nexit 1\n',
    );
    await chmod(hook, 0o755);
    const workspace = await GitWorkspace.open({ remote, cacheDir: await tempDir() });
    const base = await workspace.fetchBranch('main');
    const commit = await workspace.commit({
      parent: base,
      folder: '',
      changes: new Map([['x', '1\n']]),
      message: 'x\n',
      author: bot,
    });
    const outcome = await workspace.push(commit, 'main');
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'policy' });
  });

  it('fails one redacted sentence when the remote is unreachable, and keeps the token out of .git/config', async () => {
    const token = 'ghp_supersecret0123456789';
    const cacheDir = await tempDir();
    const workspace = await GitWorkspace.open({
      remote: 'https://127.0.0.1:9/acme/gitops.git',
      cacheDir,
      token,
    });
    const error = await workspace.fetchBranch('main').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/could not reach https:\/\/127\.0\.0\.1:9\/acme\/gitops\.git/);
    expect(message).not.toContain(token);
    expect(await readFile(join(cacheDir, 'config'), 'utf8')).not.toContain(token);
  });

  it('redacts tokens, their basic-auth form and URL credentials', () => {
    const token = 'ghs_abc123';
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(redactSecret(`https://user:${token}@github.com x ${basic} ${token}`, token)).toBe(
      'https://***@github.com x *** ***',
    );
  });
});
