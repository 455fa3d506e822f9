/**
 * The git edge of publishing, on simple-git: a bare cache repository per remote used as an
 * object store (no worktree is ever checked out), reading a commit's files, composing a new
 * commit from a parent plus file changes with git's plumbing, and pushing with the outcome
 * classified. The token, and credentials written into an https remote URL, reach git only
 * through per-command environment variables (an HTTP extra header): never in a URL git is given,
 * never in the cache's config, never in a process' arguments, never in output. Where the cache
 * lives and why its config is never trusted: git-cache.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GitPluginError, simpleGit, type SimpleGit } from 'simple-git';
import { RemoteFailure, UsageError } from '../errors.js';
import { openCacheRepository } from './git-cache.js';

export interface Identity {
  name: string;
  email: string;
}

export interface WorkspaceOptions {
  /** Remote URL or local path of the GitOps repository. */
  remote: string;
  /**
   * Folder of the cache repository (default: a folder per remote below `$XDG_CACHE_HOME/gitops-gen`
   * or `~/.cache/gitops-gen`). It must be ours and writable by no one else.
   */
  cacheDir?: string;
  /** Token for HTTPS remotes (GitHub); unused for SSH and local remotes. */
  token?: string;
  /**
   * Bound of every git call, in seconds (default 120): a process silent for this long is
   * killed, and an HTTP transfer slower than 1 byte/s for this long is abandoned by git itself.
   */
  timeoutSeconds?: number;
}

/** Default bound of one git call or GitHub request, in seconds. */
export const defaultTimeoutSeconds = 120;
/** How long after git exits its output may still arrive before the call ends anyway. */
const completionGraceMs = 2000;
/** How much longer than the low-speed limit a silent git process may live before it is killed. */
const killGraceSeconds = 3;

export interface CommitInfo {
  sha: string;
  subject: string;
  authorName: string;
  authorEmail: string;
  /** Trailers of the message, by key (last value wins). */
  trailers: Record<string, string>;
  parents: string[];
}

export type PushOutcome =
  | { status: 'pushed' }
  | { status: 'rejected'; reason: 'non-fast-forward' | 'stale-lease' | 'policy'; detail: string };

/** Replaces a token (and its basic-auth form) and URL credentials with ***. */
export function redactSecret(text: string, token: string | undefined): string {
  let result = text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    result = result.split(token).join('***').split(basic).join('***');
  }
  return result;
}

function isHttpRemote(remote: string): boolean {
  return /^https?:\/\//i.test(remote);
}

/** A remote as git, the cache and output see it, and the credentials it held (https only). */
export interface RemoteForGit {
  url: string;
  credentials?: { username: string; password: string };
}

/**
 * Takes the user info out of an http(s) remote URL (`https://x-access-token:TOKEN@host/o/r.git`)
 * so that it can travel as a header instead. Other remotes pass through: an ssh user is not a
 * secret. An http(s) URL that does not parse is a usage error (git would only fail later, and
 * the header needs the URL's origin).
 */
export function remoteForGit(remote: string, token?: string): RemoteForGit {
  if (/[\0\r\n]/.test(remote)) {
    throw new UsageError(
      `the repository address ${JSON.stringify(redactSecret(remote, token))} holds a line break`,
      'pass the repository URL or path on one line',
    );
  }
  if (!isHttpRemote(remote)) return { url: remote };
  let parsed: URL;
  try {
    parsed = new URL(remote);
  } catch {
    throw new UsageError(
      `${redactSecret(remote, token)} is not a valid repository URL`,
      'write it as https://host/owner/repo.git; pass a token with --token or GITHUB_TOKEN rather than in the URL',
    );
  }
  if (parsed.username === '' && parsed.password === '') return { url: remote };
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const credentials = { username: decode(parsed.username), password: decode(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, credentials };
}

/** A remote for messages: user info replaced by ***, a token anywhere in it too. */
export function displayRemote(remote: string, token?: string): string {
  return redactSecret(remote, token);
}

/** What git authenticates an https remote with, as the value of an Authorization header. */
function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/**
 * Settings that beat anything in the cache's config (GIT_CONFIG_* is the highest-priority
 * scope), in case a planted one outlives the rewrite in git-cache.ts: no hooks, no fsmonitor,
 * the standard pack programs, no ext:: transport; ref locks wait for a concurrent publisher.
 */
const protectedSettings: [string, string][] = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['remote.origin.uploadpack', 'git-upload-pack'],
  ['remote.origin.receivepack', 'git-receive-pack'],
  ['protocol.ext.allow', 'never'],
  ['core.filesRefLockTimeout', '10000'],
  ['core.packedRefsTimeout', '10000'],
];

/** The per-command environment: no prompts, no hooks, the credentials as an HTTP header only. */
function gitEnvironment(
  dir: string,
  remote: string,
  authorization: string | undefined,
  timeoutSeconds: number,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    // The repository is named, never discovered: a `.git` planted inside the cache is not used.
    GIT_DIR: dir,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    LANG: 'C',
    LC_ALL: 'C',
  };
  for (const key of ['SSH_AUTH_SOCK', 'GIT_SSH_COMMAND', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  const settings: [string, string][] = [
    ...protectedSettings,
    // A server that accepts the connection and never answers: curl gives up by itself (and
    // git-remote-http exits with it), before the process timeout has to kill anything.
    ['http.lowSpeedLimit', '1'],
    ['http.lowSpeedTime', String(timeoutSeconds)],
  ];
  if (authorization && isHttpRemote(remote)) {
    const origin = new URL(remote).origin;
    const header = `AUTHORIZATION: basic ${authorization}`;
    // An empty value first resets any header configured elsewhere (actions/checkout sets one).
    settings.push([`http.${origin}/.extraheader`, ''], [`http.${origin}/.extraheader`, header]);
  }
  env.GIT_CONFIG_COUNT = String(settings.length);
  settings.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

// Another publisher sharing the cache holds a lock in it (a ref, packed-refs): wait, run again.
const localLock =
  /Unable to create '[^']*\.lock': File exists|cannot lock ref|could not lock config file|packed-refs\.lock/;
const lockRetries = 6;

// A concurrent writer got there first (the ref moved, or its lock was held): read again, retry.
const nonFastForward =
  /\((fetch first|non-fast-forward)\)|cannot lock ref|failed to update ref|failed to lock|incorrect old value provided|Updates were rejected/;
const staleLease = /\(stale info\)/;
// A rule of the remote refused the update: retrying cannot help.
const policy =
  /(pre-receive hook declined|protected branch|GH006|GH013|hook declined|denying non-fast-forward)/i;
const authFailure =
  /(Authentication failed|could not read Username|Permission to .* denied|403|401|Write access to repository not granted)/i;

export class GitWorkspace {
  readonly #git: SimpleGit;
  readonly #dir: string;
  readonly #remote: string;
  /** Everything to redact from output: the token, URL credentials, their header forms. */
  readonly #secrets: string[];
  readonly #env: Record<string, string>;
  readonly #timeoutSeconds: number;

  private constructor(
    dir: string,
    remote: string,
    token: string | undefined,
    from: RemoteForGit,
    timeoutSeconds: number,
  ) {
    this.#dir = dir;
    this.#remote = remote;
    this.#timeoutSeconds = timeoutSeconds;
    const { credentials } = from;
    // Credentials written into the URL belong to this remote: they win over a general token.
    const authorization = credentials
      ? basicAuth(credentials.username, credentials.password)
      : token
        ? basicAuth('x-access-token', token)
        : undefined;
    this.#secrets = [token, credentials?.password || credentials?.username, authorization].filter(
      (secret): secret is string => secret !== undefined && secret !== '',
    );
    this.#env = gitEnvironment(dir, remote, authorization, timeoutSeconds);
    this.#git = simpleGit({
      baseDir: dir,
      maxConcurrentProcesses: 4,
      // Kills a git process silent for that long (SSH remotes, a stalled connect, a hung
      // helper); without a terminal git prints no progress, so this bounds each call whole.
      // A few seconds later than curl's low-speed limit: killing git (SIGINT) leaves its
      // git-remote-http child running, while curl giving up first ends both cleanly.
      timeout: { block: (timeoutSeconds + killGraceSeconds) * 1000 },
      // A call is complete when git's output streams close. simple-git's default also ends it
      // 50 ms after the process exits, which on a busy machine dropped output that came later
      // (an empty `hash-object`, a failed push read as pushed); 2 s still ends a call whose
      // stray child (ssh, a remote helper) keeps the pipes open after git was killed.
      completion: { onClose: true, onExit: completionGraceMs },
      // A git that exits non-zero (or is killed) failed, even when it wrote nothing to stderr:
      // simple-git alone counts only a non-zero exit WITH stderr as an error.
      errors: (error, result) =>
        error ??
        (result.exitCode === 0
          ? undefined
          : Buffer.concat([
              ...result.stdErr,
              ...result.stdOut,
              Buffer.from(`\ngit exited with code ${String(result.exitCode)}`),
            ])),
      // Our own GIT_CONFIG_* variables carry the auth header and pin settings a planted config
      // could abuse to safe values (see protectedSettings); simple-git would refuse them.
      unsafe: {
        allowUnsafeConfigEnvCount: true,
        allowUnsafeHooksPath: true,
        allowUnsafeFsMonitor: true,
        allowUnsafePack: true,
        allowUnsafeProtocolOverride: true,
      },
    }).env(this.#env);
  }

  /** Opens (or creates) the cache repository of a remote; see git-cache.ts. */
  static async open(options: WorkspaceOptions): Promise<GitWorkspace> {
    const from = remoteForGit(options.remote, options.token);
    const dir = await openCacheRepository({
      remote: from.url,
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    });
    return new GitWorkspace(
      dir,
      from.url,
      options.token,
      from,
      options.timeoutSeconds ?? defaultTimeoutSeconds,
    );
  }

  get directory(): string {
    return this.#dir;
  }

  #redact(text: string): string {
    return this.#secrets.reduce(
      (result, secret) => result.split(secret).join('***'),
      redactSecret(text, undefined),
    );
  }

  /** Runs git; a lock held by another publisher sharing the cache is waited out (bounded). */
  async #run(args: string[]): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#git.raw(args);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (attempt < lockRetries && localLock.test(text)) {
          await sleep(50 * attempt + Math.floor(Math.random() * 50));
          continue;
        }
        throw this.#failure(args[0] ?? 'git', error);
      }
    }
  }

  /** A git failure as one redacted sentence, classified as network, auth or other. */
  #failure(what: string, error: unknown): RemoteFailure {
    const text = this.#redact(error instanceof Error ? error.message : String(error));
    const remote = this.#redact(this.#remote);
    if (isTimeout(error, text)) {
      const where =
        what === 'push'
          ? ` to ${remote}`
          : /^(fetch|ls-remote)$/.test(what)
            ? ` from ${remote}`
            : '';
      // Nothing is half-written: a ref update is atomic, a commit is only an object until pushed.
      return new RemoteFailure(
        `git ${what}${where} timed out after ${this.#timeoutSeconds} s; nothing was half-written, running the same command again is safe`,
        'check that the git server answers, or allow more time with --timeout SECONDS',
        'remote/timeout',
      );
    }
    if (
      /Could not resolve host|Connection refused|timed out|unable to access|early EOF|RPC failed|hung up unexpectedly|unexpected disconnect|sideband|Broken pipe|does not appear to be a git repository/i.test(
        text,
      )
    ) {
      return new RemoteFailure(
        `git ${what} could not reach ${remote}: ${firstLine(text)}`,
        'check the network and the repository address, then run the same command again: it is safe to repeat',
        'remote/network',
      );
    }
    if (authFailure.test(text)) {
      return new RemoteFailure(
        `git ${what} was refused by ${remote}: ${firstLine(text)}`,
        'check that the token (GITHUB_TOKEN, GH_TOKEN or --token) or the SSH key may read and write the repository',
        'remote/auth',
      );
    }
    return new RemoteFailure(`git ${what} failed: ${firstLine(text)}`, undefined, 'remote/git');
  }

  /** Fetches a branch; its tip, or undefined when the remote has no such branch. */
  async fetchBranch(branch: string): Promise<string | undefined> {
    const head = await this.remoteHead(branch);
    if (head === undefined) return undefined;
    await this.#run([
      'fetch',
      '--no-tags',
      '--prune',
      'origin',
      `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
    ]);
    return (await this.#run(['rev-parse', `refs/remotes/origin/${branch}`])).trim();
  }

  /** The remote tip of a branch without fetching it (ls-remote), or undefined. */
  async remoteHead(branch: string): Promise<string | undefined> {
    const output = await this.#run(['ls-remote', 'origin', `refs/heads/${branch}`]);
    const sha = output.split('\t')[0]?.trim();
    return sha === undefined || sha === '' ? undefined : sha;
  }

  /** Every file of a commit below `folder` ('' for the root), by path relative to it. */
  async readFiles(commit: string, folder: string): Promise<Map<string, string>> {
    const prefix = folder === '' ? '' : `${folder.replace(/\/$/, '')}/`;
    const listing = await this.#run([
      'ls-tree',
      '-r',
      '-z',
      '--full-tree',
      commit,
      '--',
      ...(prefix ? [prefix] : []),
    ]);
    const files = new Map<string, string>();
    const entries = listing.split('\0').filter((entry) => entry !== '');
    for (const entry of entries) {
      const [meta, path] = entry.split('\t');
      const [, type, sha] = (meta ?? '').split(' ');
      if (type !== 'blob' || !sha || !path) continue;
      files.set(path.slice(prefix.length), await this.#run(['cat-file', 'blob', sha]));
    }
    return files;
  }

  /** Paths from the repository root that differ between two commits (renames as two paths). */
  async changedPaths(from: string, to: string): Promise<string[]> {
    const output = await this.#run([
      'diff-tree',
      '-r',
      '-z',
      '--no-renames',
      '--name-only',
      from,
      to,
    ]);
    return output.split('\0').filter((path) => path !== '');
  }

  /** The tree object of a commit. */
  async treeOf(commit: string): Promise<string> {
    return (await this.#run(['rev-parse', `${commit}^{tree}`])).trim();
  }

  /**
   * A new commit (not pushed): the parent's tree with files below `folder` written (text) or
   * removed (null). No worktree and no shared index are touched.
   */
  async commit(options: {
    parent: string | undefined;
    folder: string;
    changes: ReadonlyMap<string, string | null>;
    message: string;
    author: Identity;
  }): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'gitops-gen-commit-'));
    const index = join(scratch, 'index');
    // A private index, and an empty work tree so that update-index may run in a bare repository.
    const git = this.#git.env({
      ...this.#env,
      GIT_INDEX_FILE: index,
      GIT_WORK_TREE: scratch,
    });
    const run = async (args: string[]): Promise<string> => {
      try {
        return await git.raw(args);
      } catch (error) {
        if (isTimeout(error, '')) throw this.#failure(args[0] ?? 'git', error);
        throw new RemoteFailure(
          `git ${args[0] ?? ''} failed: ${firstLine(this.#redact(String(error)))}`,
          undefined,
          'remote/git',
        );
      }
    };
    try {
      await run(options.parent ? ['read-tree', options.parent] : ['read-tree', '--empty']);
      const prefix = options.folder === '' ? '' : `${options.folder.replace(/\/$/, '')}/`;
      const removed = [...options.changes]
        .filter(([, text]) => text === null)
        .map(([path]) => prefix + path);
      if (removed.length > 0) await run(['update-index', '--force-remove', '--', ...removed]);
      const written = [...options.changes].filter(
        (entry): entry is [string, string] => entry[1] !== null,
      );
      const blobs: string[] = [];
      for (const [number, [, text]] of written.entries()) {
        const file = join(scratch, `blob-${number}`);
        await writeFile(file, text, 'utf8');
        blobs.push(file);
      }
      if (blobs.length > 0) {
        const shas = (await run(['hash-object', '-w', '--', ...blobs])).trim().split('\n');
        const infos = written.flatMap(([path], number) => [
          '--cacheinfo',
          `100644,${shas[number] ?? ''},${prefix}${path}`,
        ]);
        await run(['update-index', '--add', ...infos]);
      }
      const tree = (await run(['write-tree'])).trim();
      const identity = {
        GIT_AUTHOR_NAME: options.author.name,
        GIT_AUTHOR_EMAIL: options.author.email,
        GIT_COMMITTER_NAME: options.author.name,
        GIT_COMMITTER_EMAIL: options.author.email,
      };
      const messageFile = join(scratch, 'message');
      await writeFile(messageFile, options.message, 'utf8');
      const commitGit = this.#git.env({
        ...this.#env,
        ...identity,
      });
      const args = [
        'commit-tree',
        tree,
        ...(options.parent ? ['-p', options.parent] : []),
        '-F',
        messageFile,
      ];
      return (await commitGit.raw(args)).trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Pushes a commit to a branch. Without a lease the push is a fast-forward or nothing; with
   * one it replaces the branch only if it still points at `expected` ('' = must not exist).
   */
  async push(commit: string, branch: string, lease?: { expected: string }): Promise<PushOutcome> {
    const args = ['push', '--porcelain', 'origin', `${commit}:refs/heads/${branch}`];
    if (lease) args.splice(2, 0, `--force-with-lease=refs/heads/${branch}:${lease.expected}`);
    try {
      await this.#git.raw(args);
      return { status: 'pushed' };
    } catch (error) {
      const text = this.#redact(error instanceof Error ? error.message : String(error));
      if (staleLease.test(text)) {
        return { status: 'rejected', reason: 'stale-lease', detail: firstLine(text) };
      }
      if (nonFastForward.test(text)) {
        return { status: 'rejected', reason: 'non-fast-forward', detail: firstLine(text) };
      }
      if (policy.test(text)) {
        return { status: 'rejected', reason: 'policy', detail: rejectionLine(text) };
      }
      throw this.#failure('push', error);
    }
  }

  /** The commits of `range` (e.g. `base..head`), newest first. */
  async commits(range: string): Promise<CommitInfo[]> {
    const format =
      ['%H', '%P', '%an', '%ae', '%s', '%(trailers:unfold,only)'].join('%x1f') + '%x1e';
    const output = await this.#run(['log', `--format=${format}`, range]);
    return output
      .split('\x1e')
      .map((record) => record.trim())
      .filter((record) => record !== '')
      .map((record) => {
        const [
          sha = '',
          parents = '',
          authorName = '',
          authorEmail = '',
          subject = '',
          trailerText = '',
        ] = record.split('\x1f');
        const trailers: Record<string, string> = {};
        for (const line of trailerText.split('\n')) {
          const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line.trim());
          if (match?.[1] !== undefined) trailers[match[1]] = match[2] ?? '';
        }
        return {
          sha,
          parents: parents.split(' ').filter((parent) => parent !== ''),
          authorName,
          authorEmail,
          subject,
          trailers,
        };
      });
  }

  /** Whether `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.#git.raw(['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch (error) {
      // A killed merge-base is not an answer.
      if (isTimeout(error, '')) throw this.#failure('merge-base', error);
      return false;
    }
  }

  /** Fetches a branch by name into refs/remotes/origin/<branch> (for a PR branch). */
  async fetchRef(branch: string): Promise<void> {
    await this.#run([
      'fetch',
      '--no-tags',
      'origin',
      `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
    ]);
  }
}

/** simple-git's process timeout, or curl's low-speed limit, ended the call. */
function isTimeout(error: unknown, text: string): boolean {
  return (
    (error instanceof GitPluginError && error.plugin === 'timeout') ||
    /Operation too slow|Operation timed out/i.test(text)
  );
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('hint:')) ?? text
  );
}

/** The line that says why the remote refused, for a policy rejection. */
function rejectionLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  return (
    lines.find((line) => /remote rejected|declined|GH00\d|protected/i.test(line)) ?? firstLine(text)
  );
}
