/**
 * The cache repository of a remote, before git runs in it: where it lives (the user's own
 * cache folder, never the shared temp folder, where anyone can pre-create a path), whose it must
 * be (ours, writable by no one else, not a symbolic link), how publishers racing on one machine
 * create it (each builds one under a temporary name and renames it into place: the first wins,
 * the others use it), and its config, rewritten on every open to exactly what publish needs so
 * that nothing planted there (an upload-pack command, an fsmonitor, an insteadOf) is honoured.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** `$XDG_CACHE_HOME/gitops-gen`, else `~/.cache/gitops-gen` (a relative XDG_CACHE_HOME is ignored, as the spec says). */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'gitops-gen');
}

/** The folder of a remote's cache repository below the cache root. */
export function cacheFolderName(remote: string): string {
  return createHash('sha256').update(remote).digest('hex').slice(0, 16);
}

/**
 * The config of every cache repository, whatever was there before. No fetch refspec: fetches
 * name their refspec, and a push then updates no local ref another publisher may hold locked.
 * Ref locks wait a while instead of failing at once when publishers fetch at the same time.
 */
export function cacheConfig(remote: string): string {
  const quoted = remote.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return [
    '[core]',
    '\trepositoryformatversion = 0',
    '\tfilemode = true',
    '\tbare = true',
    '\tlogallrefupdates = false',
    '\tfilesRefLockTimeout = 10000',
    '\tpackedRefsTimeout = 10000',
    '[gc]',
    '\tautoDetach = false',
    '[remote "origin"]',
    `\turl = "${quoted}"`,
    '',
  ].join('\n');
}

function refuse(path: string, problem: string, hint: string): never {
  const message = `the cache folder ${path} ${problem}`;
  throw new InputError(
    message,
    [{ code: 'publish/unsafe-cache', message, hint }],
    'publish/unsafe-cache',
  );
}

/** Refuses a folder that is a symbolic link, not ours, or writable by other users. */
async function checkOwnFolder(path: string, hint: string): Promise<void> {
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) refuse(path, 'is a symbolic link', hint);
  if (!stats.isDirectory()) refuse(path, 'is not a folder', hint);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    refuse(path, `belongs to another user (uid ${String(stats.uid)})`, hint);
  }
  if ((stats.mode & 0o022) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    refuse(path, `is writable by other users (mode ${mode})`, hint);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Writes the config beside it and renames it over: a git reading it sees the old or the new one. */
async function writeConfig(dir: string, remote: string): Promise<void> {
  const scratch = join(dir, `config.${String(process.pid)}-${randomBytes(6).toString('hex')}`);
  await writeFile(scratch, cacheConfig(remote), { mode: 0o600 });
  try {
    await rename(scratch, join(dir, 'config'));
  } catch (error) {
    await rm(scratch, { force: true });
    throw error;
  }
}

/**
 * Builds a complete cache repository under a temporary name beside `dir` and renames it into
 * place. False when another publisher's was renamed there first (ours is thrown away).
 */
async function build(dir: string, remote: string): Promise<boolean> {
  const scratch = await mkdtemp(join(dirname(dir), `.${basename(dir)}.building-`));
  try {
    // No templates (no sample hooks to copy), no global or system config.
    await execFileAsync(
      'git',
      ['init', '--bare', '--quiet', '--template=', '--initial-branch=main', scratch],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          LANG: 'C',
          LC_ALL: 'C',
        },
      },
    );
    await writeConfig(scratch, remote);
    // rename(2) replaces a missing or empty folder atomically and fails on a non-empty one.
    await rename(scratch, dir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Creates or opens the cache repository of `remote` (a URL without credentials) and returns
 * its folder: `cacheDir` when given, else a folder per remote below the user's cache folder.
 * Safe to call from many processes at once.
 */
export async function openCacheRepository(options: {
  remote: string;
  cacheDir?: string;
}): Promise<string> {
  let dir: string;
  let hint: string;
  if (options.cacheDir === undefined) {
    const root = defaultCacheRoot();
    hint = `remove ${root}, or set XDG_CACHE_HOME to a folder only you can write`;
    await mkdir(root, { recursive: true, mode: 0o700 });
    await checkOwnFolder(root, hint);
    dir = join(root, cacheFolderName(options.remote));
  } else {
    dir = resolve(options.cacheDir);
    hint = 'use a cache folder that you own and only you can write';
    await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  }
  // Bounded: each round either finds a repository or builds one; losing a race means the next
  // round finds the winner's.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (!(await exists(dir)) || (await isEmptyFolder(dir, hint))) {
      await build(dir, options.remote);
      continue;
    }
    await checkOwnFolder(dir, hint);
    if (!(await exists(join(dir, 'HEAD'))) || !(await exists(join(dir, 'objects')))) {
      refuse(dir, 'is not empty and holds no git repository', `${hint}, or remove it`);
    }
    await writeConfig(dir, options.remote);
    return dir;
  }
  throw new Error(`the cache repository ${dir} could not be created`);
}

async function isEmptyFolder(dir: string, hint: string): Promise<boolean> {
  await checkOwnFolder(dir, hint);
  return (await readdir(dir)).length === 0;
}
