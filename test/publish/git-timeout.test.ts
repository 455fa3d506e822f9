/**
 * The process timeout of GitWorkspace: a git call that stays silent (here an SSH transport
 * that never answers) is killed and reported as a timeout, not waited for.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitWorkspace } from '../../src/publish/git-workspace.js';
import { tempDir } from '../helpers/temp.js';

const savedPath = process.env.PATH;
let pidFile: string | undefined;

afterEach(async () => {
  process.env.PATH = savedPath;
  // Killing git (SIGINT) does not end its ssh child: end the stand-in by its id.
  const pid = pidFile ? Number(await readFile(pidFile, 'utf8').catch(() => '')) : 0;
  if (pid > 0) {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  }
});

describe('GitWorkspace timeout', () => {
  it('kills a git call that produces nothing for the bound: a remote failure naming it', async () => {
    // The workspace passes PATH through: an `ssh` that connects and never speaks.
    const bin = await tempDir();
    pidFile = join(bin, 'pid');
    await writeFile(join(bin, 'ssh'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 30\n`);
    await chmod(join(bin, 'ssh'), 0o755);
    process.env.PATH = `${bin}:${savedPath ?? '/usr/bin:/bin'}`;
    const workspace = await GitWorkspace.open({
      remote: 'ssh://127.0.0.1/acme/gitops.git',
      cacheDir: await tempDir(),
      timeoutSeconds: 1,
    });
    const started = performance.now();
    const failure = await workspace.remoteHead('main').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(failure).toMatchObject({
      code: 'remote/timeout',
      exitCode: 3,
      message:
        'git ls-remote from ssh://127.0.0.1/acme/gitops.git timed out after 1 s; nothing was half-written, running the same command again is safe',
    });
  }, 20_000);
});
