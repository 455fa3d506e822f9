/**
 * Flags that override an environment file's `publish` keys get the same checks as the keys
 * (issue 13, point 10): a bad value is exit 2 with a hint, before git or GitHub is reached, and
 * the remote is left as it was. Both the CLI and the library's `publish` are shown.
 */
import { describe, expect, it } from 'vitest';
import { publish } from '../../src/publish/publish.js';
import { runCli } from '../helpers/cli.js';
import { git, remoteWith } from '../helpers/git.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const author = ['--author', 'Bot <bot@example.com>'];

describe('publish and diff flags are checked like the environment keys they override', () => {
  it.each([
    [['--base', '-x'], '--base "-x" is not a valid publish.branch', 'not starting with "-"'],
    [['--base', 'main..x'], '--base "main..x" is not a valid publish.branch', 'without ".."'],
    [['--base', '.hidden'], 'publish.branch', 'not starting with "-" or "."'],
    [['--base', 'a.lock'], 'publish.branch', 'branch name'],
    [['--path', '../../x'], '--path "../../x" is not a valid publish.path', 'no ".."'],
    [['--path', '/etc'], 'publish.path', 'no leading "/"'],
    [['--github-repo', 'not a repo'], '--github-repo', 'owner/name'],
    [['--github-api-url', 'ftp://x'], '--github-api-url', 'https://api.github.com'],
    [['--reviewer', 'a b'], '--reviewer "a b"', 'a login such as octocat'],
    [['--team-reviewer', 'x/y'], '--team-reviewer "x/y"', 'a team slug'],
    [['--label', 'x'.repeat(51)], '--label', 'at most 50'],
  ])('%j: exit 2, the flag and a hint, nothing pushed', async (flags, message, hint) => {
    const { remote } = await remoteWith({});
    const before = await git(remote, 'for-each-ref');
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    // diff takes the flags that choose the target (--base, --path), publish all of them.
    const commands = ['--base', '--path'].includes(flags[0] ?? '')
      ? [['diff'], ['publish', ...author]]
      : [['publish', ...author]];
    for (const command of commands) {
      const result = await runCli([...command, '--repo', remote, ...flags], dir);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(hint);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(await git(remote, 'for-each-ref')).toBe(before);
  });

  it('never echoes control characters of a flag raw', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const result = await runCli(['publish', '--repo', '/x', '--base', 'main\u001b[31m\u0085'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u0085');
    expect(result.stderr).toContain('\\u001b[31m\\u0085');
  });

  it('the library refuses the same values (a UsageError before any git call)', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    await expect(
      publish({ configDir: `${dir}/environments`, repo: '/does/not/exist', base: '-x' }),
    ).rejects.toMatchObject({ code: 'usage/invalid' });
  });

  it('accepts what the environment keys accept', async () => {
    const { remote } = await remoteWith({});
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const result = await runCli(
      ['diff', '--repo', remote, '--base', 'release/monitoring-1.2', '--path', 'clusters/eu'],
      dir,
    );
    expect(result.code, result.stderr).toBe(1); // everything would be added
    expect(result.stdout).toContain('dev onto release/monitoring-1.2');
  });

  it.each(['-x', 'main..x', '.hidden', 'a/.b', 'a.lock', 'a.'])(
    'the environment key publish.branch refuses %j too, at its line (git check-ref-format --branch)',
    async (branch) => {
      const dir = await tempDir();
      await writeFiles(dir, {
        'environments/dev.yaml': `publish:\n  branch: ${JSON.stringify(branch)}\n`,
      });
      const result = await runCli(['render', '--out', 'out'], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/dev\.yaml:2:\d+/);
      expect(result.stderr).toContain('not starting with "-" or "."');
    },
  );
});
