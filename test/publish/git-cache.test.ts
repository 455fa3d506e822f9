/**
 * The cache repository's location and trust: the user's own cache folder, refused when someone
 * else could write it, and a config that is rewritten on every open so that nothing planted in
 * it runs.
 */
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, lstat, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { cacheConfig } from '../../src/publish/git-cache.js';
import { GitWorkspace } from '../../src/publish/git-workspace.js';
import { remoteWith } from '../helpers/git.js';
import { tempDir } from '../helpers/temp.js';

const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };

afterEach(() => {
  vi.unstubAllEnvs();
});

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('where the cache repository lives', () => {
  it('defaults to $XDG_CACHE_HOME/gitops-gen, a folder only the user can open', async () => {
    const { remote } = await remoteWith({});
    const xdg = await tempDir();
    vi.stubEnv('XDG_CACHE_HOME', xdg);
    const workspace = await GitWorkspace.open({ remote });
    expect(workspace.directory.startsWith(join(xdg, 'gitops-gen') + '/')).toBe(true);
    expect((await lstat(join(xdg, 'gitops-gen'))).mode & 0o777).toBe(0o700);
    expect(await workspace.fetchBranch('main')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('falls back to ~/.cache/gitops-gen', async () => {
    const { remote } = await remoteWith({});
    const home = await tempDir();
    vi.stubEnv('XDG_CACHE_HOME', '');
    vi.stubEnv('HOME', home);
    const workspace = await GitWorkspace.open({ remote });
    expect(workspace.directory.startsWith(join(home, '.cache', 'gitops-gen') + '/')).toBe(true);
  });

  it('refuses a cache folder other users can write, with a clear message (exit 2)', async () => {
    const { remote } = await remoteWith({});
    const cacheDir = await tempDir();
    await chmod(cacheDir, 0o777);
    const error = await refusal(GitWorkspace.open({ remote, cacheDir }));
    expect(error.message).toBe(
      `the cache folder ${cacheDir} is writable by other users (mode 0777)`,
    );
    expect(error.exitCode).toBe(2);
    expect(error.problems[0]?.hint).toMatch(/only you can write/);
    // The default root too.
    const xdg = await tempDir();
    await mkdir(join(xdg, 'gitops-gen'), { mode: 0o700 });
    await chmod(join(xdg, 'gitops-gen'), 0o775);
    vi.stubEnv('XDG_CACHE_HOME', xdg);
    expect((await refusal(GitWorkspace.open({ remote }))).message).toMatch(
      /gitops-gen is writable by other users \(mode 0775\)$/,
    );
  });

  it('refuses a cache folder that is a symbolic link', async () => {
    const { remote } = await remoteWith({});
    const target = await tempDir();
    const cacheDir = join(await tempDir(), 'link');
    await symlink(target, cacheDir);
    expect((await refusal(GitWorkspace.open({ remote, cacheDir }))).message).toBe(
      `the cache folder ${cacheDir} is a symbolic link`,
    );
    const xdg = await tempDir();
    await symlink(target, join(xdg, 'gitops-gen'));
    vi.stubEnv('XDG_CACHE_HOME', xdg);
    expect((await refusal(GitWorkspace.open({ remote }))).message).toMatch(
      /gitops-gen is a symbolic link$/,
    );
  });

  it.runIf(process.getuid?.() === 0)('refuses a cache folder of another user', async () => {
    const { remote } = await remoteWith({});
    const cacheDir = await tempDir();
    await chown(cacheDir, 65534, 65534);
    expect((await refusal(GitWorkspace.open({ remote, cacheDir }))).message).toBe(
      `the cache folder ${cacheDir} belongs to another user (uid 65534)`,
    );
  });

  it('refuses a non-empty folder that holds no repository, and leaves it alone', async () => {
    const { remote } = await remoteWith({});
    const cacheDir = await tempDir();
    await appendFile(join(cacheDir, 'notes.txt'), 'mine\n');
    expect((await refusal(GitWorkspace.open({ remote, cacheDir }))).message).toMatch(
      /is not empty and holds no git repository/,
    );
    expect(await readFile(join(cacheDir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });
});

describe('a config planted in the cache repository', () => {
  it('has no effect: publish works and no planted command runs', async () => {
    const { remote } = await remoteWith({});
    const cacheDir = await tempDir();
    const canaries = await tempDir();
    const canary = (name: string): string => join(canaries, name);
    const first = await GitWorkspace.open({ remote, cacheDir });
    await first.fetchBranch('main');
    const hooks = join(canaries, 'hooks');
    await mkdir(hooks);
    for (const hook of ['reference-transaction', 'pre-push', 'post-update']) {
      await appendFile(join(hooks, hook), `#!/bin/sh\ntouch ${canary(`hook-${hook}`)}\n`);
      await chmod(join(hooks, hook), 0o755);
    }
    await appendFile(
      join(cacheDir, 'config'),
      [
        '[remote "origin"]',
        `\tuploadpack = touch ${canary('uploadpack')}; exit 1; :`,
        `\treceivepack = touch ${canary('receivepack')}; exit 1; :`,
        '[core]',
        `\tfsmonitor = touch ${canary('fsmonitor')}; :`,
        `\thooksPath = ${hooks}`,
        `\tsshCommand = touch ${canary('ssh')}; :`,
        '[protocol "ext"]',
        '\tallow = always',
        '[protocol "file"]',
        '\tallow = never',
        `[url "ext::sh -c touch% ${canary('insteadof')}% >&2"]`,
        `\tinsteadOf = ${remote}`,
        '[credential]',
        `\thelper = !touch ${canary('credential')}`,
        '',
      ].join('\n'),
    );
    const workspace = await GitWorkspace.open({ remote, cacheDir });
    const base = await workspace.fetchBranch('main');
    const commit = await workspace.commit({
      parent: base,
      folder: 'gitops',
      changes: new Map([['a.yaml', 'a: 1\n']]),
      message: 'render\n',
      author: bot,
    });
    expect(await workspace.push(commit, 'main')).toEqual({ status: 'pushed' });
    expect(await workspace.remoteHead('main')).toBe(commit);
    expect(await readFile(join(cacheDir, 'config'), 'utf8')).toBe(cacheConfig(remote));
    expect(listCanaries(canaries)).toEqual([]);
  });

  it('core.sshCommand planted in the cache is not run for an ssh remote', async () => {
    // .invalid never resolves: the real ssh fails at once.
    const remote = 'ssh://git@gitops-gen.invalid/acme/gitops.git';
    const cacheDir = await tempDir();
    const canaries = await tempDir();
    await GitWorkspace.open({ remote, cacheDir });
    await appendFile(
      join(cacheDir, 'config'),
      `[core]\n\tsshCommand = touch ${join(canaries, 'ssh')}; exit 1; :\n`,
    );
    const workspace = await GitWorkspace.open({ remote, cacheDir });
    await expect(workspace.remoteHead('main')).rejects.toThrow();
    expect(listCanaries(canaries)).toEqual([]);
  });
});

function listCanaries(folder: string): string[] {
  return ['uploadpack', 'receivepack', 'fsmonitor', 'ssh', 'insteadof', 'credential']
    .concat(['reference-transaction', 'pre-push', 'post-update'].map((hook) => `hook-${hook}`))
    .filter((name) => existsSync(join(folder, name)));
}
