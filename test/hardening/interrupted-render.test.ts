/**
 * `render` interrupted by SIGINT or SIGTERM (issue 13, point 11 a): no temporary is left, one
 * line says whether the tree is unchanged (phase 1) or how many files were replaced (phase 2),
 * and the exit code is 128 + the signal number. Runs the built CLI through a test-only
 * launcher that slows the temporaries' writes or renames (slow-render-launcher.mjs), so the
 * signal lands in the chosen phase.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';

const root = join(import.meta.dirname, '..', '..');
const launcher = join(import.meta.dirname, 'slow-render-launcher.mjs');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Renders into `out` with SLOW_PHASE=`phase`, sends `signal` once it is slowed down. */
async function interruptedRender(
  out: string,
  phase: 'stage' | 'commit',
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [launcher, 'render', '--quiet', '--out', out], {
    cwd: root,
    env: { ...process.env, SLOW_PHASE: phase },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('READY\n')) resolve();
      });
      child.on('close', () => {
        reject(new Error(`ended before READY: ${stderr}`));
      });
    });
    child.kill(signal);
    return { code: await ended, stderr };
  } finally {
    clearTimeout(timeout);
  }
}

describe('an interrupted render', () => {
  it('in phase 1 (SIGINT): leaves the folder as it was and exits 130', async () => {
    const out = await tempDir();
    const result = await interruptedRender(out, 'stage', 'SIGINT');
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(
      `SIGINT: interrupted before any file was replaced: the output folder is unchanged (${out})`,
    );
    // Neither temporaries nor the folders made for them.
    expect(readdirSync(out)).toEqual([]);
  });

  it('in phase 2 (SIGTERM): says how many files were replaced and exits 143', async () => {
    const out = await tempDir();
    const result = await interruptedRender(out, 'commit', 'SIGTERM');
    expect(result.code).toBe(143);
    const match = /SIGTERM: interrupted after replacing (\d+) of (\d+) files; render again/.exec(
      result.stderr,
    );
    expect(match).not.toBeNull();
    const files = filesBelow(out);
    expect(files.filter((path) => path.includes('.gitops-gen-tmp-'))).toEqual([]);
    expect(files).toHaveLength(Number(match?.[1]));
    expect(Number(match?.[1])).toBeLessThan(Number(match?.[2]));
  });
});
