/**
 * writeTree writes in two phases: a failure while writing leaves the tree as it was, the
 * temporaries of a killed run are cleaned up and never drift, and nothing is written through a
 * symbolic link out of the output folder.
 */
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitopsGenError } from '../../src/errors.js';
import { FileTreeBuilder, type FileTree } from '../../src/render/file-tree.js';
import { compareTree, temporaryPath, writeTree } from '../../src/render/write-tree.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** Pids are below pid_max, which is at most 2^22 on Linux: this one never runs. */
const deadPid = 2 ** 22 + 1;

function treeOf(files: Record<string, string>): FileTree {
  const builder = new FileTreeBuilder();
  for (const [path, text] of Object.entries(files)) builder.add(path, text);
  return builder.build();
}

/** Every entry below `root`: folders as `path/`, files with their text, links with their target. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const visit = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) result[path] = `-> ${await readlink(join(root, path))}`;
      else if (entry.isDirectory()) {
        result[`${path}/`] = '';
        await visit(path);
      } else result[path] = await readFile(join(root, path), 'utf8');
    }
  };
  await visit('');
  return result;
}

const temporaries = (snap: Record<string, string>): string[] =>
  Object.keys(snap).filter((path) => /gitops-gen-tmp|gitops-gen-\d+\.tmp/.test(path));

async function rejection(promise: Promise<unknown>): Promise<GitopsGenError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GitopsGenError);
  return error as GitopsGenError;
}

const first = treeOf({
  'a/one.yaml': 'one\n',
  'a/two.yaml': 'two\n',
  'b/three.yaml': 'three\n',
});
const owned = ['a', 'b', 'c'];

describe('writeTree: phase 1 failures', () => {
  it('a folder where a file must go fails before anything is replaced', async () => {
    const out = await tempDir();
    await writeTree(out, first, owned);
    // Sorted, the writes are a/one, a/sub/deep/new (a new folder), a/x (blocked), c/d/four.
    await mkdir(join(out, 'a/x.yaml'));
    await writeFile(join(out, 'a/x.yaml/keep'), 'kept\n');
    const before = await snapshot(out);
    const second = treeOf({
      'a/one.yaml': 'one, changed\n',
      'a/sub/deep/new.yaml': 'new\n',
      'a/x.yaml': 'blocked\n',
      'a/two.yaml': 'two, changed\n',
      'c/d/four.yaml': 'four\n',
    });
    const error = await rejection(writeTree(out, second, owned));
    expect(error.code).toBe('render/write-failed');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(join(out, 'a/x.yaml'));
    expect(error.message).toContain('nothing was changed');
    const after = await snapshot(out);
    expect(after).toEqual(before);
    expect(temporaries(after)).toEqual([]);
    // The folders made for the temporaries are gone too.
    expect(Object.keys(after)).not.toContain('a/sub/');
  });

  it('a file where a folder must go fails the same way', async () => {
    const out = await tempDir();
    await writeTree(out, first, owned);
    await writeFile(join(out, 'c'), 'a file, not a folder\n');
    const before = await snapshot(out);
    const error = await rejection(
      writeTree(out, treeOf({ 'a/one.yaml': 'changed\n', 'c/d/four.yaml': 'four\n' }), ['a']),
    );
    expect(error.code).toBe('render/write-failed');
    expect(error.message).toBe(
      `could not write ${join(out, 'c/d/four.yaml')}: a file is where a folder of this path belongs (${join(out, 'c')}); nothing was changed`,
    );
    expect(await snapshot(out)).toEqual(before);
  });

  it('through the CLI: exit 2, a one-line reason, and the previous render byte-identical', async () => {
    const out = await tempDir();
    expect((await runCli(['render', '--out', out], out)).code).toBe(0);
    // The custom environments change base/ and overlays/dev/ and add overlays/edge/ and qa/.
    await mkdir(join(out, 'overlays/qa/kustomization.yaml'), { recursive: true });
    await writeFile(join(out, 'overlays/qa/kustomization.yaml/keep'), 'kept\n');
    const before = await snapshot(out);
    const config = join(repoRoot, 'test/fixtures/environments-custom');
    const result = await runCli(['render', '--config', config, '--out', out], out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: could not write ${join(out, 'overlays/qa/kustomization.yaml')}: a folder is where this file belongs; nothing was changed\n` +
        '  hint: make the output folder writable, and move whatever is in the way of this path\n',
    );
    expect(result.stderr).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)/m);
    const after = await snapshot(out);
    expect(after).toEqual(before);
    expect(temporaries(after)).toEqual([]);
  });
});

describe('writeTree: temporaries of a killed run', () => {
  it('are not drift, are removed by the next write, and are not counted as written', async () => {
    const out = await tempDir();
    await writeTree(out, first, owned);
    const strays = [
      temporaryPath(join(out, 'a/one.yaml'), deadPid),
      temporaryPath(join(out, 'a/new.yaml'), deadPid),
      join(out, `b/three.yaml.gitops-gen-${deadPid}.tmp`), // the name earlier versions used
    ];
    for (const path of strays) await writeFile(path, 'half a fi');
    expect(await compareTree(out, first, owned)).toEqual([]);
    expect(await writeTree(out, first, owned)).toEqual([]);
    const after = await snapshot(out);
    expect(temporaries(after)).toEqual([]);
    expect(after['a/one.yaml']).toBe('one\n');
  });

  it('a temporary in a folder outside the owned ones is removed too', async () => {
    const out = await tempDir();
    const tree = treeOf({ 'x/file.yaml': 'x\n' });
    await writeTree(out, tree, []);
    await writeFile(temporaryPath(join(out, 'x/file.yaml'), deadPid), 'half');
    expect(await writeTree(out, tree, [])).toEqual([]);
    expect(temporaries(await snapshot(out))).toEqual([]);
  });

  it('a temporary of a process that is still running is left alone (and is not drift)', async () => {
    const out = await tempDir();
    await writeTree(out, first, owned);
    const live = temporaryPath(join(out, 'a/two.yaml'), process.ppid);
    await writeFile(live, 'in flight');
    expect(await writeTree(out, first, owned)).toEqual([]);
    expect(await readFile(live, 'utf8')).toBe('in flight');
  });

  it('through the CLI: --check is up to date and render removes the stray', async () => {
    const out = await tempDir();
    expect((await runCli(['render', '--out', out], out)).code).toBe(0);
    const stray = temporaryPath(join(out, 'overlays/dev/kustomization.yaml'), deadPid);
    await writeFile(stray, 'half');
    const check = await runCli(['render', '--check', '--out', out], out);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^up to date:/);
    const again = await runCli(['render', '--out', out], out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^up to date:/);
    await expect(lstat(stray)).rejects.toThrow(/ENOENT/);
  });
});

describe('writeTree: symbolic links', () => {
  it('refuses an owned folder that is a link out of the output folder', async () => {
    const out = await tempDir();
    const outside = await tempDir();
    await symlink(outside, join(out, 'a'));
    const error = await rejection(writeTree(out, first, owned));
    expect(error.code).toBe('render/linked-folder');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`a in the output folder is a symbolic link (to ${outside})`);
    await expect(readdir(outside)).resolves.toEqual([]);
    await expect(compareTree(out, first, owned)).rejects.toThrow(/symbolic link/);
  });

  it('refuses a linked folder deeper in the tree, outside every owned folder too', async () => {
    const out = await tempDir();
    const outside = await tempDir();
    await writeFiles(outside, { 'file.yaml': 'theirs\n' });
    await mkdir(join(out, 'x'));
    await symlink(outside, join(out, 'x/y'));
    const error = await rejection(writeTree(out, treeOf({ 'x/y/file.yaml': 'ours\n' }), []));
    expect(error.code).toBe('render/linked-folder');
    expect(await snapshot(outside)).toEqual({ 'file.yaml': 'theirs\n' });
  });

  it('replaces a linked file with a real one and leaves the file it pointed to alone', async () => {
    const out = await tempDir();
    const outside = await tempDir();
    await writeFiles(outside, { 'secret.txt': 'theirs\n' });
    await writeTree(out, first, owned);
    await rm(join(out, 'a/one.yaml'));
    await symlink(join(outside, 'secret.txt'), join(out, 'a/one.yaml'));
    expect(await compareTree(out, first, owned)).toEqual([{ path: 'a/one.yaml', kind: 'changed' }]);
    await writeTree(out, first, owned);
    expect((await lstat(join(out, 'a/one.yaml'))).isFile()).toBe(true);
    expect(await readFile(join(out, 'a/one.yaml'), 'utf8')).toBe('one\n');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('theirs\n');
  });

  it('removes a stale link to a folder without touching what it points to', async () => {
    const out = await tempDir();
    const outside = await tempDir();
    await writeFiles(outside, { 'file.yaml': 'theirs\n' });
    await writeTree(out, first, owned);
    await symlink(outside, join(out, 'b/elsewhere'));
    expect(await writeTree(out, first, owned)).toEqual([{ path: 'b/elsewhere', kind: 'stale' }]);
    await expect(lstat(join(out, 'b/elsewhere'))).rejects.toThrow(/ENOENT/);
    expect(await snapshot(outside)).toEqual({ 'file.yaml': 'theirs\n' });
  });

  it('through the CLI: exit 2 with a clear error and nothing written outside', async () => {
    const out = await tempDir();
    const outside = await tempDir();
    await symlink(outside, join(out, 'overlays'));
    const result = await runCli(['render', '--out', out], out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: overlays in the output folder is a symbolic link (to ${outside}); gitops-gen does not write or read the tree through links\n` +
        '  hint: replace the link with a real folder, or render into the folder it points to with --out\n',
    );
    await expect(readdir(outside)).resolves.toEqual([]);
  });
});
