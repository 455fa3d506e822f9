/**
 * Credentials written into a remote URL (`http://x-access-token:TOKEN@host/repo.git`) travel as
 * an HTTP header only: a real smart-HTTP server that requires them accepts the publish, and the
 * token is nowhere in the CLI's output, the cache, the remote or the arguments of a process.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GitWorkspace } from '../../src/publish/git-workspace.js';
import { runCli } from '../helpers/cli.js';
import { git, remoteWith } from '../helpers/git.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const canary = 'ghs_CanaryTokenInUrl0123456789';
const forms = [canary, Buffer.from(`x-access-token:${canary}`).toString('base64')];

let server: GitHttpServer;
let remote: string;
let url: string;
let anonymousUrl: string;

beforeAll(async () => {
  ({ remote } = await remoteWith({}));
  server = await startGitHttpServer(dirname(remote), 'x-access-token', canary);
  anonymousUrl = `${server.origin}/${basename(remote)}`;
  url = anonymousUrl.replace('http://', `http://x-access-token:${canary}@`);
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Every file below `folder` that holds the canary in any form. */
async function filesWithCanary(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    if (forms.some((form) => bytes.includes(form))) found.push(path);
  }
  return found;
}

/** Lines of `ps -eo args` naming the canary, sampled until `done` settles (bounded). */
async function sampleProcesses(
  done: Promise<unknown>,
): Promise<{ samples: number; hits: string[] }> {
  const state = { finished: false };
  void done.finally(() => {
    state.finished = true;
  });
  const hits: string[] = [];
  let samples = 0;
  while (!state.finished && samples < 600) {
    const { stdout } = await execFileAsync('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 });
    samples += 1;
    hits.push(...stdout.split('\n').filter((line) => forms.some((form) => line.includes(form))));
  }
  return { samples, hits };
}

describe('credentials in an http(s) remote URL', () => {
  it('publish sends them as a header and shows, stores and passes them nowhere', async () => {
    const xdg = await tempDir();
    vi.stubEnv('XDG_CACHE_HOME', xdg);
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const refusedBefore = server.counts.refused;
    const run = runCli(
      ['publish', '--repo', url, '--env', 'dev', '--author', 'Bot <bot@example.com>'],
      dir,
      { env: {} },
    );
    const [result, processes] = await Promise.all([run, sampleProcesses(run)]);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✔ pushed [0-9a-f]{7} to main \(dev: /);
    expect(forms.filter((form) => result.stdout.includes(form))).toEqual([]);
    expect(forms.filter((form) => result.stderr.includes(form))).toEqual([]);
    expect(result.stderr).toContain('fetch http://***@127.0.0.1');
    expect(await filesWithCanary(xdg)).toEqual([]);
    expect(await filesWithCanary(remote)).toEqual([]);
    expect(processes.samples).toBeGreaterThan(0);
    expect(processes.hits).toEqual([]);
    // The server let the publish in: the header was sent up front, never refused.
    expect(server.counts.served).toBeGreaterThan(0);
    expect(server.counts.refused).toBe(refusedBefore);
    expect((await git(remote, 'ls-tree', '-r', '--name-only', 'main')).split('\n')).toContain(
      'overlays/dev/kustomization.yaml',
    );
  });

  it('the workspace strips them from what git, the cache and errors see', async () => {
    const cacheDir = await tempDir();
    const workspace = await GitWorkspace.open({ remote: url, cacheDir });
    expect(await workspace.remoteHead('main')).toMatch(/^[0-9a-f]{40}$/);
    expect(await readFile(join(cacheDir, 'config'), 'utf8')).toContain(`url = "${anonymousUrl}"`);
    expect(await filesWithCanary(cacheDir)).toEqual([]);
    // A failure names the remote without them.
    const broken = await GitWorkspace.open({
      remote: `${url.replace(/\.git$/, '')}-missing.git`,
      cacheDir: await tempDir(),
    });
    const error = await broken.fetchBranch('main').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(forms.some((form) => (error as Error).message.includes(form))).toBe(false);
  });

  it('without credentials the server refuses, and a credential helper planted in the cache does not run', async () => {
    const cacheDir = await tempDir();
    const canaries = await tempDir();
    await GitWorkspace.open({ remote: anonymousUrl, cacheDir });
    await appendFile(
      join(cacheDir, 'config'),
      `[credential]\n\thelper = !touch ${join(canaries, 'credential')}; :\n`,
    );
    const workspace = await GitWorkspace.open({ remote: anonymousUrl, cacheDir });
    await expect(workspace.remoteHead('main')).rejects.toMatchObject({ code: 'remote/auth' });
    expect(existsSync(join(canaries, 'credential'))).toBe(false);
  });

  it('an http(s) remote URL that does not parse is a usage error (exit 2), with a hint and no stack', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'environments/dev.yaml': '' });
    const result = await runCli(
      ['publish', '--repo', 'https://[::1/acme/gitops.git', '--author', 'Bot <b@example.com>'],
      dir,
      { env: { GITHUB_TOKEN: canary } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('https://[::1/acme/gitops.git is not a valid repository URL');
    expect(result.stderr).toMatch(/hint: write it as https:\/\/host\/owner\/repo\.git/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain(canary);
  });
});
