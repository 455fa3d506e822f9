/**
 * Output folders that cannot be made or written (issue 13, point 11 c and d): `render` must
 * fail at once, with exit 2 and a message naming the folder that refused, never loop or blame
 * a missing file. Runs the built CLI (bin/gitops-gen.js) in a child with a timeout, because the
 * old failure was a synchronous endless loop that would hang an in-process test.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolders, writeFailure } from '../../src/render/write-tree.js';
import { tempDir } from '../helpers/temp.js';

const root = join(import.meta.dirname, '..', '..');
const launcher = join(root, 'bin', 'gitops-gen.js');

/**
 * Runs `render --out OUT` in a child with a timeout. `asRootWithoutOverride` drops root's
 * CAP_DAC_OVERRIDE (util-linux's setpriv), so mode 0555 binds root too, while the CLI stays
 * readable wherever this checkout lives (running as another user needs every parent folder of
 * the checkout to be open to that user).
 */
function render(
  out: string,
  options: { asRootWithoutOverride?: boolean } = {},
): {
  status: number | null;
  stderr: string;
  timedOut: boolean;
} {
  const dropped = '-dac_override,-dac_read_search';
  const command = options.asRootWithoutOverride
    ? ['setpriv', `--inh-caps=${dropped}`, `--bounding-set=${dropped}`, process.execPath]
    : [process.execPath];
  const [program = process.execPath, ...prefix] = command;
  const result = spawnSync(program, [...prefix, launcher, 'render', '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return {
    status: result.status,
    stderr: result.stderr,
    // spawnSync kills with killSignal when the timeout passes.
    timedOut: result.signal === 'SIGKILL',
  };
}

describe('an output folder that cannot be created', () => {
  it('fails at once under /proc, where mkdir -p used to loop forever', () => {
    const result = render('/proc/1/x');
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/does not allow a new folder here \(\/proc\/1\/x\)/);
  });

  it('fails at once below a file, naming the file', () => {
    const result = render('/etc/hostname/x');
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /a file is where a folder of this path belongs \(\/etc\/hostname\)/,
    );
  });
});

describe('a read-only output folder', () => {
  it('names the folder that refused, with a hint (EROFS used to read "no such file")', () => {
    // A read-only file system cannot be mounted here, so the refusal is synthetic.
    const made: string[] = [];
    const refuse = (path: string): void => {
      made.push(path);
      throw Object.assign(new Error(`EROFS: read-only file system, mkdir '${path}'`), {
        code: 'EROFS',
      });
    };
    let thrown: unknown;
    try {
      makeFolders(join(root, 'no-such-folder', 'a', 'b'), refuse);
    } catch (error) {
      thrown = error;
    }
    expect(made).toEqual([join(root, 'no-such-folder')]);
    expect(thrown).toMatchObject({ code: 'EROFS', path: join(root, 'no-such-folder') });
    const failure = writeFailure(thrown, join(root, 'no-such-folder', 'a', 'b', 'f.yaml'), 'x');
    expect(failure).toMatchObject({ exitCode: 2 });
    expect((failure as Error).message).toContain(`the file system is read-only (${root})`);
    expect((failure as { problems: { hint: string }[] }).problems[0]?.hint).toContain(
      `${root} is not writable for this user`,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    'reports permission denied on the output folder itself for a user who may not write it',
    async () => {
      // Root writes through mode 0555: the CLI runs without that capability.
      const out = join(await tempDir(), 'out');
      await mkdir(out);
      await chmod(out, 0o555);
      const result = render(out, { asRootWithoutOverride: true });
      expect(result.timedOut).toBe(false);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`permission denied (${out})`);
      expect(result.stderr).toMatch(/hint: .*not writable/);
    },
  );
});
