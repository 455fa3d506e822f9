/**
 * Publishers on one machine share a cache repository: many of them opening a fresh cache at
 * once (in this process, and as separate processes) must all succeed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { GitWorkspace } from '../../src/publish/git-workspace.js';
import { git, remoteWith } from '../helpers/git.js';
import { tempDir } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const bot = { name: 'gitops-gen', email: 'gitops-gen@example.com' };
const publishers = 16;

/** One publisher: open the shared cache, read main, commit a file, push it to its own branch. */
async function publishOnce(remote: string, cacheDir: string, id: string): Promise<string> {
  const workspace = await GitWorkspace.open({ remote, cacheDir });
  const base = await workspace.fetchBranch('main');
  const commit = await workspace.commit({
    parent: base,
    folder: '',
    changes: new Map([[`p-${id}.txt`, `${id}\n`]]),
    message: `publisher ${id}\n`,
    author: bot,
  });
  const outcome = await workspace.push(commit, `race/${id}`);
  if (outcome.status !== 'pushed') throw new Error(`publisher ${id}: ${JSON.stringify(outcome)}`);
  return commit;
}

describe('a shared cache repository under concurrent publishers', () => {
  it(`${String(publishers)} in-process publishers create one fresh cache together`, async () => {
    const { remote } = await remoteWith({});
    const cacheDir = join(await tempDir(), 'cache', 'repo');
    const ids = Array.from({ length: publishers }, (_, index) => String(index));
    const results = await Promise.allSettled(ids.map((id) => publishOnce(remote, cacheDir, id)));
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason)] : [],
    );
    expect(failures).toEqual([]);
    const branches = await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/race/');
    expect(branches.trim().split('\n')).toHaveLength(publishers);
  });

  it(`${String(publishers)} publisher processes create one fresh cache together`, async () => {
    const { remote } = await remoteWith({});
    const work = await tempDir();
    const cacheDir = join(work, 'cache', 'repo');
    // A self-contained script per process: the workspace module bundled with simple-git.
    const script = join(work, 'publisher.mjs');
    await build({
      stdin: {
        contents: `
          import { GitWorkspace } from './src/publish/git-workspace.ts';
          const [remote, cacheDir, id] = process.argv.slice(2);
          const workspace = await GitWorkspace.open({ remote, cacheDir });
          const base = await workspace.fetchBranch('main');
          const commit = await workspace.commit({
            parent: base, folder: '', changes: new Map([['p-' + id + '.txt', id + '\\n']]),
            message: 'publisher ' + id + '\\n', author: ${JSON.stringify(bot)},
          });
          const outcome = await workspace.push(commit, 'race/' + id);
          if (outcome.status !== 'pushed') throw new Error(JSON.stringify(outcome));
        `,
        resolveDir: join(import.meta.dirname, '..', '..'),
        loader: 'ts',
      },
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const results = await Promise.allSettled(
      Array.from({ length: publishers }, (_, index) =>
        execFileAsync(process.execPath, [script, remote, cacheDir, `c${String(index)}`], {
          timeout: 50_000,
        }),
      ),
    );
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason)] : [],
    );
    expect(failures).toEqual([]);
    const branches = await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/race/');
    expect(branches.trim().split('\n')).toHaveLength(publishers);
  });
});
