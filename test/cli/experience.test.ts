/**
 * The command-line experience shared by every command: the global flags (--quiet, --verbose,
 * --json, --no-color and NO_COLOR), the task list on a terminal and plain lines elsewhere,
 * errors as one sentence (or JSON), the exit-code scheme, and each command's --help.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const commands = ['render', 'validate', 'build', 'publish', 'diff', 'init', 'schema', 'explain'];
const ansi = '\u001b[';
const stackTrace = /^\s+at .+:\d+:\d+\)?$/m;

let tree: string;

beforeAll(async () => {
  tree = await tempDir();
  expect((await runCli(['render'], tree)).code).toBe(0);
});

describe('--help of every command', () => {
  it.each(['', ...commands])('gitops-gen %s --help', async (command) => {
    const argv = command === '' ? ['--help'] : [command, '--help'];
    const result = await runCli(argv, tree);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stdout).toMatchSnapshot();
  });

  it('lists the global flags once, on the program', async () => {
    const { stdout } = await runCli(['--help'], tree);
    for (const flag of ['--quiet', '--verbose', '--json', '--no-color']) {
      expect(stdout).toContain(flag);
    }
  });
});

describe('--json on every command', () => {
  it.each([
    [['render'], 0],
    [['render', '--check'], 0],
    [['validate'], 0],
    [['explain', 'alerts'], 0],
    [['init', 'fresh'], 0],
  ])('%j prints one JSON document and exits %i', async (argv, code) => {
    const result = await runCli([...argv, '--json'], tree);
    expect(result.code, result.stderr).toBe(code);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    expect(result.stderr).toBe('');
  });

  it('a stale tree is exit 1 with the drift in JSON', async () => {
    await writeFile(join(tree, 'overlays', 'dev', 'kustomization.yaml'), 'stale: true\n');
    const result = await runCli(['render', '--check', '--json'], tree);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      upToDate: false,
      drift: [{ path: 'overlays/dev/kustomization.yaml', kind: 'changed' }],
    });
    expect((await runCli(['render', '--quiet'], tree)).code).toBe(0);
  });

  it('an input error is exit 2 with the error, file and line in JSON on stdout', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'environments'));
    await writeFile(join(dir, 'environments', 'prod.yaml'), 'prometheus:\n  retension: 30d\n');
    const result = await runCli(['render', '--json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: {
        code: 'config/invalid',
        exitCode: 2,
        problems: [{ code: 'config/unknown-key', line: 2, hint: 'did you mean `retention`?' }],
      },
    });
  });

  it('validate --json is the JSON report (exit 1 with findings)', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'bad.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: "http"}]}\n',
    );
    const result = await runCli(['validate', 'bad.yaml', '--json'], dir);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ summary: { errors: 1 } });
  });
});

describe('--quiet and --verbose', () => {
  it('--quiet prints nothing when all is well', async () => {
    const dir = await tempDir();
    // dev and staging: no warning (prod's NodePort exposes an unauthenticated Prometheus).
    const only = ['--env', 'dev', '--env', 'staging'];
    expect(await runCli(['render', '--quiet', ...only], dir)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await runCli(['validate', '-q', 'overlays/dev', 'overlays/staging'], dir)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('--quiet still prints warnings, which never change the exit code', async () => {
    const render = await runCli(['render', '--quiet'], tree);
    expect(render).toMatchObject({ code: 0, stdout: '' });
    expect(render.stderr).toMatch(/^warning: prod: Prometheus .* has no authentication [^\n]*\n$/);
    const validate = await runCli(['validate', '-q'], tree);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toMatch(/ policy\/unauthenticated-exposure\n/);
    expect(validate.stdout).toMatch(/, 0 errors, 1 warning, /);
  });

  it('--quiet still prints errors', async () => {
    const result = await runCli(['explain', 'nope', '--quiet'], tree);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
  });

  it('--verbose prints each step with its time as plain lines when not on a terminal', async () => {
    const result = await runCli(['render', '--verbose'], tree);
    expect(result.code).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('… '))).toEqual([
      '… load environments',
      '… render',
      `… write ${tree}`,
    ]);
    expect(lines.filter((line) => line.startsWith('done: '))).toHaveLength(3);
    expect(result.stderr).not.toContain(ansi);
  });
});

describe('the task list on a terminal', () => {
  it('rewrites each step in place with a check mark and its time', async () => {
    const result = await runCli(['render', '--verbose'], tree, { stderrIsTTY: true });
    // Control characters made visible: the line is cleared, then rewritten with a green mark.
    const visible = result.stderr.replaceAll('\r', '<CR>').replaceAll('\u001b', '<ESC>');
    expect(visible).toMatch(/<CR><ESC>\[2K<ESC>\[32m✔<ESC>\[0m load environments <ESC>\[2m\d+ ms/);
    expect(result.stderr).toContain('render');
  });

  it('has no colour with NO_COLOR or --no-color, and marks a failed step', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'environments'));
    await writeFile(join(dir, 'environments', 'dev.yaml'), 'tier: [\n');
    for (const [argv, env] of [
      [['render', '--verbose'], { NO_COLOR: '1' }],
      [['render', '--verbose', '--no-color'], {}],
    ] as const) {
      const result = await runCli([...argv], dir, { stderrIsTTY: true, env });
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain(`${ansi}3`);
      expect(result.stderr).toContain('✖ load environments');
      expect(result.stderr).toMatch(/error: /);
    }
  });
});

describe('the exit-code scheme holds for every command', () => {
  it.each([
    [['nonsense'], 2],
    [['render', '--no-such-flag'], 2],
    [['validate', 'no-such-file.yaml'], 2],
    [['schema', '--format', 'html'], 2],
    [['explain', 'prometheus.nope'], 2],
    [['init', '--env', 'Bad_Name'], 2],
    [['publish', '--repo', '/no/such/repository'], 3],
    [['diff', '--repo', '/no/such/repository'], 3],
  ])('%j exits %i with one clear error and no stack trace', async (argv, code) => {
    const result = await runCli([...argv], tree);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(/^(error|gitops-gen)?.*\S/);
    expect(result.stderr).not.toMatch(stackTrace);
    expect(result.stderr).not.toContain('internal error');
  });
});
