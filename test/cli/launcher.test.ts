/**
 * The installed command: bin/gitops-gen.js running the built bundle (dist/cli/bundle.cjs)
 * through the code cache, in a process of its own, as users and CI start it.
 */
import { execFile } from 'node:child_process';
import { copyFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const execFileAsync = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const launcher = join(root, 'bin', 'gitops-gen.js');

async function gitopsGen(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [launcher, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('bin/gitops-gen.js', () => {
  it('renders and validates the built-in environments from the bundle', async () => {
    const dir = await tempDir();
    const render = await gitopsGen(['render'], dir);
    expect(render.code).toBe(0);
    expect(await readdir(join(dir, 'overlays'))).toEqual(['dev', 'prod', 'staging']);
    const validate = await gitopsGen(['validate', '--promtool', 'never'], dir);
    expect(validate).toMatchObject({ code: 0, stderr: '' });
    // The one warning: the built-in prod's NodePort exposes an unauthenticated Prometheus.
    expect(validate.stdout).toMatch(/ 0 errors, 1 warning,/);
    expect(validate.stdout).toContain('policy/unauthenticated-exposure');
  });

  it('ends a usage error with exit 2 and no stack trace', async () => {
    const result = await gitopsGen(['validate', '--output', 'yaml'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/yaml/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs without its code cache, and with a cache V8 rejects', async () => {
    const cache = join(root, 'dist', 'cli', 'bundle.cjs.cache');
    const saved = join(await tempDir(), 'bundle.cjs.cache');
    await copyFile(cache, saved);
    try {
      await rm(cache);
      expect((await gitopsGen(['--version'], root)).code).toBe(0);
      // The run wrote a fresh cache; a corrupt one is rejected by V8 and written again.
      await copyFile(launcher, cache);
      const result = await gitopsGen(['--version'], root);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      await copyFile(saved, cache);
    }
  });
});
