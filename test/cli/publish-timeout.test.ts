/**
 * `--timeout`: a git server or GitHub API that accepts the connection and never answers ends
 * publish with exit 3 and one line, within a bound, and leaves no git process behind.
 */
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { remoteWith } from '../helpers/git.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const token = 'ghp_timeoutTestToken0123456789';
const author = ['--author', 'Bot <bot@example.com>'];

const cli = (argv: string[], cwd: string): Promise<CliResult> =>
  runCli(argv, cwd, { env: { GITHUB_TOKEN: token } });

/** Closed in afterAll even when a test fails half-way. */
const servers: { server: Server; sockets: Set<Socket>; responses: Set<ServerResponse> }[] = [];

afterAll(async () => {
  for (const { server, sockets, responses } of servers) {
    for (const response of responses) response.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
});

async function listen(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const responses = new Set<ServerResponse>();
  server.on('request', (_request: unknown, response: ServerResponse) => {
    responses.add(response);
  });
  servers.push({ server, sockets, responses });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** The CLI's answer, or a failure once `ms` have passed without one. */
async function within(ms: number, run: Promise<CliResult>): Promise<CliResult> {
  const started = performance.now();
  const timer = new AbortController();
  const late = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`no answer within ${ms} ms`);
  });
  late.catch(() => undefined);
  try {
    const result = await Promise.race([run, late]);
    expect(performance.now() - started).toBeLessThan(ms);
    return result;
  } finally {
    timer.abort();
  }
}

/** Command lines of the git processes still talking to `port`, polled for up to 5 s. */
async function gitProcessesOn(port: number): Promise<string[]> {
  let found: string[] = [];
  for (let round = 0; round < 50; round++) {
    const { stdout } = await execFileAsync('ps', ['-eo', 'args'], { timeout: 5_000 });
    found = stdout
      .split('\n')
      .filter((line) => /\bgit/.test(line) && line.includes(`127.0.0.1:${port}`));
    if (found.length === 0) return found;
    await sleep(100);
  }
  return found;
}

/** The message is one line: the only `error:` line of stderr. */
function theOneErrorLine(stderr: string): string {
  const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
  expect(errors, stderr).toHaveLength(1);
  return errors[0] ?? '';
}

describe('publish --timeout', () => {
  it('a git server that never answers: exit 3 within the bound, one line, no git left', async () => {
    const port = await listen(createServer());
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const repo = `http://127.0.0.1:${port}/x.git`;
    const result = await within(
      15_000,
      cli(['publish', '--repo', repo, '--env', 'dev', '--timeout', '2', ...author], dir),
    );
    expect(result.code).toBe(3);
    const line = theOneErrorLine(result.stderr);
    expect(line).toMatch(
      new RegExp(
        `^error: git (ls-remote|fetch) from http://127\\.0\\.0\\.1:${port}/x\\.git timed out after 2 s; .*running the same command again is safe$`,
      ),
    );
    expect(result.stderr).not.toContain(token);
    expect(await gitProcessesOn(port)).toEqual([]);
  }, 30_000);

  it('a GitHub API that never answers: PR mode exits 3 within the bound, one line', async () => {
    const port = await listen(createHttpServer());
    const { remote } = await remoteWith({});
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const result = await within(
      15_000,
      cli(
        [
          'publish',
          '--repo',
          remote,
          '--env',
          'dev',
          '--mode',
          'pr',
          '--github-repo',
          'acme/gitops',
          '--github-api-url',
          `http://127.0.0.1:${port}`,
          '--timeout',
          '2',
          ...author,
        ],
        dir,
      ),
    );
    expect(result.code).toBe(3);
    const line = theOneErrorLine(result.stderr);
    expect(line).toMatch(
      new RegExp(
        `^error: GitHub API request [A-Z]+ /repos/acme/gitops\\S* on 127\\.0\\.0\\.1:${port} timed out after 2 s; .*running the same command again is safe$`,
      ),
    );
    expect(result.stderr).not.toContain(token);
  }, 30_000);

  it.each([['0'], ['abc'], ['-5'], ['1.5']])(
    '--timeout %s is a usage error: exit 2',
    async (value) => {
      const dir = await tempDir();
      await writeFiles(dir, { 'environments/dev.yaml': '' });
      for (const command of ['publish', 'diff']) {
        const result = await within(
          15_000,
          cli([command, '--repo', '/nonexistent', '--timeout', value], dir),
        );
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('--timeout');
        expect(result.stderr).toContain('whole number of seconds');
      }
    },
  );
});
