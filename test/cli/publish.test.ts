/** `gitops-gen publish` and `diff` through the CLI: lines, JSON, exit codes, token hygiene. */
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { git, remoteWith } from '../helpers/git.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const token = 'ghp_cliPublishToken9876543210';

const cli = (argv: string[], cwd: string): Promise<CliResult> =>
  runCli(argv, cwd, { env: { GITHUB_TOKEN: token } });

describe('gitops-gen publish and diff', () => {
  it('publishes, is idempotent, and diff exits 1 only while something would change', async () => {
    const { remote, clone } = await remoteWith({});
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '', 'environments/prod.yaml': '' });
    const author = ['--author', 'Bot <bot@example.com>'];
    const before = await cli(['diff', '--repo', remote, '--env', 'dev'], dir);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('overlays/dev');
    const first = await cli(['publish', '--repo', remote, '--env', 'dev', ...author], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^✔ pushed [0-9a-f]{7} to main \(dev: \+\d+ ~0 -0\)\n$/);
    const second = await cli(
      ['publish', '--repo', remote, '--env', 'dev', '--json', ...author],
      dir,
    );
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as {
      changeSets: { operation: string; mode: string }[];
    };
    expect(result.changeSets).toEqual([
      expect.objectContaining({ operation: 'up-to-date', mode: 'commit' }),
    ]);
    const after = await cli(['diff', '--repo', remote, '--env', 'dev'], dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('dev: up to date');
    expect((await git(clone, 'ls-remote', 'origin', 'main')).length).toBeGreaterThan(0);
    for (const output of [before, first, second, after]) {
      expect(output.stdout + output.stderr).not.toContain(token);
    }
  });

  it('usage errors exit 2: no repository, a bad author, a bad mode', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const noRepo = await cli(['publish'], dir);
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toContain('no repository to publish dev to');
    expect(noRepo.stderr).toContain('--repo');
    expect((await cli(['publish', '--repo', '/x', '--author', 'nobody'], dir)).code).toBe(2);
    expect((await cli(['publish', '--repo', '/x', '--mode', 'push'], dir)).code).toBe(2);
  });

  it('an unreachable remote is a remote failure: exit 3, one line, no token', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const result = await cli(
      [
        'publish',
        '--repo',
        'https://127.0.0.1:9/acme/gitops.git',
        '--author',
        'Bot <b@example.com>',
      ],
      dir,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /error: git \S+ could not reach https:\/\/127\.0\.0\.1:9\/acme\/gitops\.git/,
    );
    expect(result.stderr).not.toContain(token);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
