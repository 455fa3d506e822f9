/** Real git repositories for publish tests: a bare remote and a clone to act as a human. */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp.js';

const execFileAsync = promisify(execFile);

export const human = { name: 'Human Person', email: 'human@example.com' };

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_AUTHOR_NAME: human.name,
      GIT_AUTHOR_EMAIL: human.email,
      GIT_COMMITTER_NAME: human.name,
      GIT_COMMITTER_EMAIL: human.email,
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
  return stdout;
}

/** A bare remote with `main` holding `files`, and a working clone of it. */
export async function remoteWith(
  files: Record<string, string>,
): Promise<{ remote: string; clone: string }> {
  const root = await tempDir('gitops-gen-git-');
  const remote = join(root, 'remote.git');
  const clone = join(root, 'clone');
  await git(root, 'init', '--bare', '--quiet', '--initial-branch=main', remote);
  await git(root, 'clone', '--quiet', remote, clone);
  await git(clone, 'checkout', '--quiet', '-b', 'main');
  for (const [path, text] of Object.entries({ 'README.md': '# GitOps\n', ...files })) {
    await mkdir(dirname(join(clone, path)), { recursive: true });
    await writeFile(join(clone, path), text);
  }
  await git(clone, 'add', '-A');
  await git(clone, 'commit', '--quiet', '-m', 'initial');
  await git(clone, 'push', '--quiet', 'origin', 'main');
  return { remote, clone };
}

/** Commits `files` in the clone as the human and pushes to `branch`. */
export async function humanCommit(
  clone: string,
  files: Record<string, string>,
  message = 'human edit',
  branch = 'main',
): Promise<string> {
  await git(clone, 'fetch', '--quiet', 'origin');
  await git(clone, 'checkout', '--quiet', '-B', branch, `origin/${branch}`);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(clone, path)), { recursive: true });
    await writeFile(join(clone, path), text);
  }
  await git(clone, 'add', '-A');
  await git(clone, 'commit', '--quiet', '-m', message);
  await git(clone, 'push', '--quiet', 'origin', `${branch}:${branch}`);
  return (await git(clone, 'rev-parse', 'HEAD')).trim();
}
