/**
 * The GitHub side of `gitops-gen publish --mode pr`, behind a small port.
 *
 * `PullRequestHost` is everything publish asks of GitHub: read the repository, find the open (or
 * closed) pull request of a branch, create or update it, label it, request reviews, comment,
 * enable auto-merge and delete the branch. `createGitHubHost` implements it with the real
 * Octokit client plus `@octokit/plugin-retry` (5xx and network errors) and
 * `@octokit/plugin-throttling` (primary and secondary rate limits), following the reference's
 * sections 4.3 and 4.5:
 *
 * - writes go one at a time and at least `minCreateIntervalMs` apart (secondary rate limits);
 * - 422 "A pull request already exists" on create finds the open pull request and returns it;
 * - 422 "Could not resolve to a node" right after a create is retried (eventual consistency);
 * - reviewers already requested or who already reviewed are not asked again;
 * - every failure becomes a one-line `RemoteError` (exit code 3) with a hint, and every message
 *   and hint passes through `redact()`, so the token never reaches the user's terminal.
 *
 * `parseGitHubRemote` turns a git remote URL into owner, repo and API URL (github.com, GitHub
 * Enterprise Server, GitHub Enterprise Cloud with data residency).
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, GitopsGenError, UsageError } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------------

export interface PullRequest {
  number: number;
  /** The pull request's page (`html_url`). */
  url: string;
  /** GraphQL node id, needed for auto-merge. */
  nodeId: string;
  state: 'open' | 'closed';
  draft: boolean;
  title: string;
  /** The body, `''` when it has none. */
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  mergedAt: string | undefined;
  closedAt: string | undefined;
  labels: string[];
  /** Logins whose review is requested and still pending. */
  requestedReviewers: string[];
  /** Team slugs whose review is requested and still pending. */
  requestedTeams: string[];
}

export interface CreatedPullRequest extends PullRequest {
  /** True when GitHub answered 422 "already exists" and this is the pull request that exists. */
  existed: boolean;
}

export interface RepositoryInfo {
  defaultBranch: string;
  /** The repository allows auto-merge (false when GitHub does not say). */
  allowAutoMerge: boolean;
  /** Whether the token may push; undefined when GitHub does not say (App installation tokens). */
  canPush: boolean | undefined;
}

export interface CreatePullRequestInput {
  /** The branch (or `owner:branch` for a fork). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  maintainerCanModify?: boolean;
}

export interface UpdatePullRequestInput {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
}

export interface ReviewerRequest {
  /** User logins. */
  reviewers: readonly string[];
  /** Team slugs, `slug` or `org/slug`. */
  teamReviewers: readonly string[];
}

export interface ReviewRequestResult {
  /** Logins asked for a review by this call. */
  requested: string[];
  /** Team slugs asked for a review by this call. */
  requestedTeams: string[];
  /** Logins and team slugs not asked again: already requested, or already reviewed. */
  skipped: string[];
  /** Reviewers GitHub refused (422: not a collaborator, the author, ...): one line each. */
  warnings: string[];
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface AutoMergeResult {
  /**
   * `enabled`: GitHub merges when the checks pass. `merged`: the pull request was already
   * mergeable and was merged directly (pinned to its head). `not-enabled`: see `warning`.
   */
  outcome: 'enabled' | 'merged' | 'not-enabled';
  /** The merge commit, for `merged`. */
  sha?: string;
  /** One line, redacted, for `not-enabled`. */
  warning?: string;
}

/** What `publish --mode pr` needs from the pull-request host. */
export interface PullRequestHost {
  getRepository(): Promise<RepositoryInfo>;
  /** The open pull request from `head` (a branch of this repository) into `base`, if any. */
  findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined>;
  /** Closed pull requests (merged or not) from `head` into `base`, most recently updated first. */
  findClosedPullRequests(head: string, base: string): Promise<PullRequest[]>;
  createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest>;
  updatePullRequest(number: number, changes: UpdatePullRequestInput): Promise<PullRequest>;
  /** Adds labels (never removes any); returns the labels the pull request has afterwards. */
  addLabels(number: number, labels: readonly string[]): Promise<string[]>;
  requestReviewers(number: number, request: ReviewerRequest): Promise<ReviewRequestResult>;
  comment(number: number, body: string): Promise<{ id: number; url: string }>;
  /** Never throws for a GitHub refusal: a failure is returned as a warning. */
  enableAutoMerge(
    number: number,
    method: MergeMethod,
    expectedHeadSha?: string,
  ): Promise<AutoMergeResult>;
  /** Deletes `refs/heads/<branch>`; false when it did not exist. */
  deleteBranch(branch: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Errors and redaction
// ---------------------------------------------------------------------------------------------

/** Stable codes of `RemoteError`, for callers that react to one case (e.g. `noCommits`). */
export const GitHubErrorCode = {
  unauthorized: 'github/unauthorized',
  permission: 'github/permission',
  actionsCannotCreatePullRequests: 'github/actions-pull-requests-disabled',
  rateLimited: 'github/rate-limited',
  notFound: 'github/not-found',
  network: 'github/network',
  serverError: 'github/server-error',
  /** 422 "No commits between": the base already contains the branch. */
  noCommits: 'github/no-commits',
  invalid: 'github/invalid',
  refused: 'github/refused',
} as const;
export type GitHubErrorCode = (typeof GitHubErrorCode)[keyof typeof GitHubErrorCode];

/** A GitHub (or git remote) failure: exit code 3, one line, a hint, never the token. */
export class RemoteError extends GitopsGenError {
  readonly hint: string | undefined;
  /** The HTTP status GitHub answered, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, options: { code?: string; hint?: string; status?: number } = {}) {
    const code = options.code ?? 'remote/failed';
    super(
      code,
      message,
      ExitCode.remote,
      options.hint ? [{ code, message, hint: options.hint }] : [],
    );
    this.hint = options.hint;
    this.status = options.status;
  }
}

/**
 * Replaces the token, its base64 `x-access-token:<token>` form (git's basic auth header) and any
 * URL userinfo (`https://user:secret@host`) with `***`.
 */
export function redact(text: string, token: string | undefined): string {
  let out = text;
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
    const secrets = [
      token,
      encodeURIComponent(token),
      basic.replace(/=+$/, ''),
      Buffer.from(token, 'utf8').toString('base64').replace(/=+$/, ''),
    ];
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...new Set(secrets)].sort((a, b) => b.length - a.length)) {
      if (secret) out = out.split(secret).join('***');
    }
  }
  return out
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, '$1***@')
    .replace(/\b(authorization:\s*(?:token|bearer|basic)\s+)[^\s"',;]+/gi, '$1***');
}

// ---------------------------------------------------------------------------------------------
// Remotes
// ---------------------------------------------------------------------------------------------

export interface GitHubRemote {
  owner: string;
  repo: string;
  /** `github.com`, or the Enterprise host (with its port for an http(s) remote). */
  host: string;
  /** REST API root: `https://api.github.com`, `https://<host>/api/v3`, `https://api.<x>.ghe.com`. */
  apiUrl: string;
}

const githubDotCom = new Set(['github.com', 'www.github.com', 'ssh.github.com']);
/** Hosts (and host-name labels) of other forges: never GitHub. */
const otherForges = [
  /(^|\.)gitlab\./,
  /(^|\.)bitbucket\./,
  /(^|\.)gitea\./,
  /(^|\.)forgejo\./,
  /(^|\.)codeberg\.org$/,
  /(^|\.)sr\.ht$/,
  /(^|\.)gitee\.com$/,
  /(^|\.)dev\.azure\.com$/,
  /(^|\.)visualstudio\.com$/,
  /(^|\.)amazonaws\.com$/,
  /(^|\.)googlesource\.com$/,
  /(^|\.)sourceforge\.net$/,
  /(^|\.)pagure\.io$/,
  /^source\.developers\.google\.com$/,
];
const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;
const repoPattern = /^[A-Za-z0-9._-]+$/;

/**
 * Owner, repository and API URL of a GitHub remote: `https://github.com/o/r(.git)`,
 * `git@github.com:o/r.git`, `ssh://git@host/o/r.git`, GitHub Enterprise Server hosts (API at
 * `https://<host>/api/v3`) and GitHub Enterprise Cloud with data residency (`<x>.ghe.com`, API at
 * `https://api.<x>.ghe.com`). Undefined for local paths, `file://` URLs, other forges and paths
 * that are not exactly `owner/repo`.
 */
export function parseGitHubRemote(url: string): GitHubRemote | undefined {
  const text = url.trim();
  let hostname: string;
  /** Host and port as they go into an http(s) URL (brackets kept for IPv6). */
  let webHost: string;
  let path: string;
  let web: 'https' | 'http' = 'https';
  let sshLike = true;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!['https', 'http', 'ssh', 'git+ssh', 'ssh+git', 'git'].includes(scheme)) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    hostname = parsed.hostname.toLowerCase();
    webHost = hostname;
    try {
      path = decodeURIComponent(parsed.pathname);
    } catch {
      return undefined;
    }
    if (scheme === 'http' || scheme === 'https') {
      web = scheme;
      webHost = parsed.host.toLowerCase();
      sshLike = false;
    }
  } else {
    // scp-like syntax: [user@]host:owner/repo(.git)
    const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/)(.+)$/.exec(text);
    if (!scp?.[1] || !scp[2]) return undefined;
    hostname = scp[1].toLowerCase();
    webHost = hostname;
    path = scp[2];
  }
  // A dotless ssh host is usually an alias from ~/.ssh/config (`github-work:o/r.git`): the real
  // host is unknown, so the API URL would be a guess.
  if (!hostname || (sshLike && !hostname.includes('.') && hostname !== 'localhost')) {
    return undefined;
  }
  if (otherForges.some((pattern) => pattern.test(hostname))) return undefined;
  const segments = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (segments.length !== 2) return undefined;
  const [owner, repo] = segments as [string, string];
  if (!ownerPattern.test(owner) || !repoPattern.test(repo) || repo === '.' || repo === '..') {
    return undefined;
  }
  if (githubDotCom.has(hostname)) {
    return { owner, repo, host: 'github.com', apiUrl: 'https://api.github.com' };
  }
  const dataResidency = /^(?:api\.)?([a-z0-9-]+)\.ghe\.com$/.exec(hostname);
  if (dataResidency?.[1]) {
    const host = `${dataResidency[1]}.ghe.com`;
    return { owner, repo, host, apiUrl: `https://api.${host}` };
  }
  return { owner, repo, host: webHost, apiUrl: `${web}://${webHost}/api/v3` };
}

/** The web root that belongs to an API URL (`https://api.github.com` → `https://github.com`). */
export function webUrlForApi(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (parsed.hostname === 'api.github.com') return 'https://github.com';
  const residency = /^api\.([a-z0-9-]+\.ghe\.com)$/.exec(parsed.hostname);
  if (residency?.[1]) return `${parsed.protocol}//${residency[1]}`;
  return `${parsed.origin}${parsed.pathname.replace(/\/api\/v3$/, '').replace(/\/+$/, '')}`;
}

/** The "open a pull request by hand" page: `<web>/<o>/<r>/compare/<base>...<head>?expand=1`. */
export function compareUrl(
  webUrl: string,
  owner: string,
  repo: string,
  base: string,
  head: string,
): string {
  return `${webUrl.replace(/\/+$/, '')}/${owner}/${repo}/compare/${encodeURI(base)}...${encodeURI(head)}?expand=1`;
}

// ---------------------------------------------------------------------------------------------
// The Octokit host
// ---------------------------------------------------------------------------------------------

export interface GitHubHostLog {
  /** Rate-limit waits and other things worth a line on the terminal (already redacted). */
  warn(message: string): void;
  /** Retries of 5xx and network failures (already redacted). */
  debug?(message: string): void;
}

export interface GitHubHostOptions {
  owner: string;
  repo: string;
  token: string | undefined;
  /** REST API root; default `https://api.github.com`. GraphQL is derived the way Octokit does. */
  apiUrl?: string;
  /** `gitops-gen/<version>`. */
  userAgent: string;
  fetch?: typeof fetch;
  /** Retries of 5xx answers and network errors (default 3). */
  retries?: number;
  /** Retry n waits n² × this many ms (default 1000). */
  retryDelayMs?: number;
  /** Writes are sent one at a time, at least this many ms apart (default 1000). */
  minCreateIntervalMs?: number;
  rateLimit?: {
    /** Retries after a rate limit (default 2). */
    retries?: number;
    /** Wait for a reset at most this long, else fail (default 60 s). */
    maxWaitSeconds?: number;
    /** Length of one "second" of rate-limit wait, in ms (default 1000; tests shorten it). */
    secondMs?: number;
  };
  /** First wait before retrying an eventual-consistency 422 or a 405 merge race (default 1000). */
  consistencyRetryDelayMs?: number;
  /** Page size of pull-request listings (default 100). */
  listPageSize?: number;
  /** At most this many pages are read when searching (default 10). */
  maxListPages?: number;
  /** Web root for compare URLs; default derived from apiUrl. */
  webUrl?: string;
  log?: GitHubHostLog;
}

const GitHubClient = Octokit.plugin(retry, throttling);
type GitHubClient = InstanceType<typeof GitHubClient>;
type ThrottleGroup = NonNullable<ThrottlingOptions['write']>;

/**
 * Writes to one API host, shared by every host object of the process (one per change set): the
 * operations run one at a time (`run`), and each write request leaves at least `minIntervalMs`
 * after the previous one (`pace`, called by the fetch wrapper just before the request is sent,
 * so retries are spaced too).
 */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private lastSend = Number.NEGATIVE_INFINITY;

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  async pace(minIntervalMs: number): Promise<void> {
    // Node's timers count from the event loop's cached clock and can fire a few ms early: check
    // again after waking (a handful of rounds at most, each waits at least 1 ms).
    for (let round = 0; round < 10; round++) {
      const wait = this.lastSend + minIntervalMs - performance.now();
      if (wait <= 0) break;
      await sleep(Math.ceil(wait));
    }
    this.lastSend = performance.now();
  }
}
const writeQueues = new Map<string, WriteQueue>();

/**
 * The throttling plugin's own write and notification gates space writes 1 s and 3 s apart with
 * a process-wide Bottleneck; the host's WriteQueue does that job (configurably), so these gates
 * let every job through.
 */
const openGate = {
  key: () => ({ schedule: () => Promise.resolve() }),
} as unknown as ThrottleGroup;

interface PullRequestFields {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
  draft?: boolean;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string; label?: string; repo?: { full_name: string } | null };
  base: { ref: string };
  merged_at: string | null;
  closed_at: string | null;
  labels: readonly { name?: string }[];
  requested_reviewers?: readonly { login: string }[] | null;
  requested_teams?: readonly { slug: string }[] | null;
}

function toPullRequest(data: PullRequestFields): PullRequest {
  return {
    number: data.number,
    url: data.html_url,
    nodeId: data.node_id,
    state: data.state === 'closed' ? 'closed' : 'open',
    draft: data.draft ?? false,
    title: data.title,
    body: data.body ?? '',
    headRef: data.head.ref,
    headSha: data.head.sha,
    baseRef: data.base.ref,
    mergedAt: data.merged_at ?? undefined,
    closedAt: data.closed_at ?? undefined,
    labels: data.labels.flatMap((label) => (label.name ? [label.name] : [])),
    requestedReviewers: (data.requested_reviewers ?? []).map((user) => user.login),
    requestedTeams: (data.requested_teams ?? []).map((team) => team.slug),
  };
}

interface HttpFailure {
  status: number;
  message: string;
  headers: Record<string, unknown>;
  data: unknown;
  /** No answer at all (connection refused, reset, DNS, timeout). */
  network: boolean;
  cause: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An Octokit RequestError (or anything shaped like one). */
function httpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') {
    return undefined;
  }
  const response = 'response' in error && isRecord(error.response) ? error.response : undefined;
  return {
    status: error.status,
    message: error.message,
    headers: response && isRecord(response.headers) ? response.headers : {},
    data: response?.data,
    network: response === undefined,
    cause: error.cause,
  };
}

function header(failure: HttpFailure, name: string): string | undefined {
  const value = failure.headers[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** GitHub's own words: the message and each `errors[]` entry. */
function githubTexts(failure: HttpFailure): string[] {
  const texts: string[] = [];
  const data = failure.data;
  if (isRecord(data)) {
    if (typeof data.message === 'string') texts.push(data.message);
    if (Array.isArray(data.errors)) {
      for (const entry of data.errors.slice(0, 10)) {
        if (typeof entry === 'string') texts.push(entry);
        else if (isRecord(entry)) {
          if (typeof entry.message === 'string') texts.push(entry.message);
          else if (typeof entry.field === 'string' && typeof entry.code === 'string') {
            texts.push(`${entry.field} ${entry.code}`);
          }
        }
      }
    }
  } else if (typeof data === 'string' && data.trim()) {
    texts.push(data.trim().slice(0, 300));
  }
  if (texts.length === 0 && failure.message) texts.push(failure.message);
  return texts;
}

function githubText(failure: HttpFailure): string {
  return githubTexts(failure).join(': ');
}

function graphqlErrors(error: unknown): { message: string; type: string }[] | undefined {
  if (!(error instanceof Error) || !('errors' in error) || !Array.isArray(error.errors)) {
    return undefined;
  }
  return error.errors.map((entry: unknown) => ({
    message: isRecord(entry) && typeof entry.message === 'string' ? entry.message : '',
    type: isRecord(entry) && typeof entry.type === 'string' ? entry.type : '',
  }));
}

function networkCode(failure: HttpFailure): string {
  let current: unknown = failure.cause;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (isRecord(current) || current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && code) return code;
      const inner = (current as { errors?: unknown }).errors;
      if (Array.isArray(inner) && inner.length > 0) {
        current = inner[0];
        continue;
      }
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return /\b(E[A-Z0-9_]{3,}|UND_ERR_[A-Z_]+)\b/.exec(failure.message)?.[1] ?? 'network error';
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** `owner/repo` of a pull request's head; GitHub sends null when the fork was deleted. */
function headRepository(head: { repo?: { full_name: string } | null }): string | undefined {
  return head.repo?.full_name;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function clock(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const time = `${date.toISOString().slice(11, 16)} UTC`;
  return date.getTime() - Date.now() > 20 * 3600 * 1000
    ? `${date.toISOString().slice(0, 10)} ${time}`
    : time;
}

/** "pull_requests=write; contents=read,issues=write" → "pull_requests=write or contents=read and issues=write". */
function describePermissions(value: string): string {
  return value
    .split(';')
    .map((set) =>
      set
        .split(',')
        .map((permission) => permission.trim())
        .filter(Boolean)
        .join(' and '),
    )
    .filter(Boolean)
    .join(' or ');
}

interface FailureContext {
  /** Infinitive: "open a pull request from b into main". */
  action: string;
  /** The fine-grained permission the call needs, for the hint when GitHub does not say. */
  permission: string;
  /** Message for a 404 (default: the repository is missing or invisible). */
  notFound?: string;
  /** For pull request creation: where to open it by hand. */
  compareUrl?: string;
}

class GitHubHost implements PullRequestHost {
  private readonly octokit: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly slug: string;
  private readonly token: string | undefined;
  private readonly apiHost: string;
  private readonly webUrl: string;
  private readonly retries: number;
  private readonly minInterval: number;
  private readonly consistencyDelay: number;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly queue: WriteQueue;
  private readonly log: GitHubHostLog | undefined;

  constructor(options: GitHubHostOptions) {
    const apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.owner = options.owner;
    this.repo = options.repo;
    this.slug = `${options.owner}/${options.repo}`;
    this.token = options.token || undefined;
    if (!/^https?:\/\//i.test(apiUrl) || !URL.canParse(apiUrl)) {
      throw new UsageError(
        `invalid GitHub API URL: ${redact(apiUrl, options.token)}`,
        'use an http(s) URL such as https://api.github.com or https://<host>/api/v3',
      );
    }
    this.apiHost = new URL(apiUrl).host;
    this.webUrl = options.webUrl ?? webUrlForApi(apiUrl);
    this.retries = options.retries ?? 3;
    this.minInterval = options.minCreateIntervalMs ?? 1000;
    this.consistencyDelay = options.consistencyRetryDelayMs ?? 1000;
    this.pageSize = Math.min(Math.max(options.listPageSize ?? 100, 1), 100);
    this.maxPages = Math.max(options.maxListPages ?? 10, 1);
    this.log = options.log;
    let queue = writeQueues.get(apiUrl);
    if (!queue) {
      queue = new WriteQueue();
      writeQueues.set(apiUrl, queue);
    }
    this.queue = queue;

    const rateLimitRetries = options.rateLimit?.retries ?? 2;
    const maxWait = options.rateLimit?.maxWaitSeconds ?? 60;
    const onLimit =
      (kind: string) =>
      (retryAfter: number, request: { method: string; url: string }, _: unknown, count: number) => {
        if (count >= rateLimitRetries || retryAfter > maxWait) return false;
        this.warn(
          `GitHub ${kind}; waiting ${retryAfter} s before retrying ${request.method} ${request.url}`,
        );
        return true;
      };
    const baseFetch = options.fetch ?? globalThis.fetch;
    const observed = async (
      input: Parameters<typeof fetch>[0],
      init?: Parameters<typeof fetch>[1],
    ): Promise<Response> => {
      const method = init?.method ?? 'GET';
      const where = typeof input === 'string' ? input : input instanceof URL ? input.href : '';
      const path = where ? new URL(where).pathname : '';
      if (method !== 'GET' && method !== 'HEAD') await this.queue.pace(this.minInterval);
      try {
        const response = await baseFetch(input, init);
        if (response.status >= 500) this.debug(`${method} ${path} answered ${response.status}`);
        return response;
      } catch (error) {
        this.debug(`${method} ${path} failed: ${describeFetchError(error)}`);
        throw error;
      }
    };
    const quiet = (): void => undefined;
    this.octokit = new GitHubClient({
      auth: this.token,
      baseUrl: apiUrl,
      userAgent: options.userAgent,
      request: { fetch: observed },
      // Octokit's debug log prints request options, headers included: keep it off.
      log: {
        debug: quiet,
        info: quiet,
        warn: (message: string) => {
          this.warn(message);
        },
        error: quiet,
      },
      retry: {
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
        retries: this.retries,
        retryAfterBaseValue: options.retryDelayMs ?? 1000,
      },
      throttle: {
        id: `gitops-gen ${apiUrl}`,
        retryAfterBaseValue: options.rateLimit?.secondMs ?? 1000,
        fallbackSecondaryRateRetryAfter: 60,
        write: openGate,
        notifications: openGate,
        onRateLimit: onLimit('API rate limit reached'),
        onSecondaryRateLimit: onLimit('secondary rate limit reached'),
      },
    });
  }

  async getRepository(): Promise<RepositoryInfo> {
    const { data } = await this.read(
      {
        action: `read repository ${this.slug}`,
        permission: 'metadata=read',
      },
      () => this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo }),
    );
    return {
      defaultBranch: data.default_branch,
      allowAutoMerge: data.allow_auto_merge ?? false,
      canPush: data.permissions?.push,
    };
  }

  async findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined> {
    const { branch, label } = this.headOf(head);
    const context = {
      action: `list the pull requests of ${this.slug}`,
      permission: 'pull_requests=read',
    };
    const { data } = await this.read(context, () =>
      this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        head: label,
        base,
        per_page: this.pageSize,
      }),
    );
    const direct = data.find((pr) => pr.head.ref === branch && pr.base.ref === base);
    if (direct) return toPullRequest(direct);
    // GitHub's head filter misses some cases (renamed owners, forks): look through the open pull
    // requests into base, a bounded number of pages.
    for (let page = 1; page <= this.maxPages; page++) {
      const { data: pulls } = await this.read(context, () =>
        this.octokit.rest.pulls.list({
          owner: this.owner,
          repo: this.repo,
          state: 'open',
          base,
          per_page: this.pageSize,
          page,
        }),
      );
      const hit = pulls.find(
        (pr) =>
          pr.head.ref === branch &&
          pr.base.ref === base &&
          (pr.head.label.toLowerCase() === label.toLowerCase() ||
            headRepository(pr.head)?.toLowerCase() === this.slug.toLowerCase()),
      );
      if (hit) return toPullRequest(hit);
      if (pulls.length < this.pageSize) break;
    }
    return undefined;
  }

  async findClosedPullRequests(head: string, base: string): Promise<PullRequest[]> {
    const { branch, label } = this.headOf(head);
    const context = {
      action: `list the closed pull requests of ${this.slug}`,
      permission: 'pull_requests=read',
    };
    const found: PullRequest[] = [];
    for (let page = 1; page <= this.maxPages; page++) {
      const { data } = await this.read(context, () =>
        this.octokit.rest.pulls.list({
          owner: this.owner,
          repo: this.repo,
          state: 'closed',
          head: label,
          base,
          sort: 'updated',
          direction: 'desc',
          per_page: this.pageSize,
          page,
        }),
      );
      for (const pr of data) {
        if (pr.head.ref === branch && pr.base.ref === base) found.push(toPullRequest(pr));
      }
      if (data.length < this.pageSize) break;
    }
    return found;
  }

  async createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest> {
    const context: FailureContext = {
      action: `open a pull request from ${input.head} into ${input.base}`,
      permission: 'pull_requests=write',
      compareUrl: compareUrl(this.webUrl, this.owner, this.repo, input.base, input.head),
    };
    try {
      const { data } = await this.queue.run(() =>
        this.octokit.rest.pulls.create({
          owner: this.owner,
          repo: this.repo,
          head: input.head,
          base: input.base,
          title: input.title,
          body: input.body,
          draft: input.draft,
          ...(input.maintainerCanModify === undefined
            ? {}
            : { maintainer_can_modify: input.maintainerCanModify }),
        }),
      );
      return { ...toPullRequest(data), existed: false };
    } catch (error) {
      const failure = httpFailure(error);
      const text = failure ? githubText(failure) : '';
      if (failure?.status === 422 && /pull request already exists/i.test(text)) {
        // A concurrent run opened it between our lookup and our create: find it and update it.
        for (let attempt = 0; attempt < 3; attempt++) {
          if (attempt > 0) await sleep(this.consistencyDelay * attempt);
          const existing = await this.findOpenPullRequest(input.head, input.base);
          if (existing) return { ...existing, existed: true };
        }
        throw this.remoteError(
          `GitHub says a pull request from ${input.head} into ${input.base} already exists, but it cannot be found`,
          {
            code: GitHubErrorCode.invalid,
            status: 422,
            hint: `re-run, or look for it: ${this.webUrl}/${this.slug}/pulls`,
          },
        );
      }
      if (failure?.status === 422 && /no commits between/i.test(text)) {
        throw this.remoteError(
          `no commits between ${input.base} and ${input.head}: ${input.base} already contains the branch`,
          { code: GitHubErrorCode.noCommits, status: 422 },
        );
      }
      throw this.failure(error, context);
    }
  }

  async updatePullRequest(number: number, changes: UpdatePullRequestInput): Promise<PullRequest> {
    const { data } = await this.write(
      {
        action: `update pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.prNotFound(number),
      },
      () =>
        this.octokit.rest.pulls.update({
          owner: this.owner,
          repo: this.repo,
          pull_number: number,
          ...(changes.title === undefined ? {} : { title: changes.title }),
          ...(changes.body === undefined ? {} : { body: changes.body }),
          ...(changes.state === undefined ? {} : { state: changes.state }),
        }),
    );
    return toPullRequest(data);
  }

  async addLabels(number: number, labels: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(labels.map((label) => label.trim()).filter(Boolean))];
    if (wanted.length === 0) return [];
    const { data } = await this.write(
      {
        action: `add labels to pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.prNotFound(number),
      },
      () =>
        this.afterCreate(() =>
          this.octokit.rest.issues.addLabels({
            owner: this.owner,
            repo: this.repo,
            issue_number: number,
            labels: wanted,
          }),
        ),
    );
    return data.map((label) => label.name);
  }

  async requestReviewers(number: number, request: ReviewerRequest): Promise<ReviewRequestResult> {
    const readContext: FailureContext = {
      action: `read the reviewers of pull request #${number}`,
      permission: 'pull_requests=read',
      notFound: this.prNotFound(number),
    };
    const { data: pending } = await this.read(readContext, () =>
      this.octokit.rest.pulls.listRequestedReviewers({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
      }),
    );
    const asked = new Set(pending.users.map((user) => user.login.toLowerCase()));
    const askedTeams = new Set(pending.teams.map((team) => team.slug.toLowerCase()));
    for (let page = 1; page <= this.maxPages; page++) {
      const { data: reviews } = await this.read(readContext, () =>
        this.octokit.rest.pulls.listReviews({
          owner: this.owner,
          repo: this.repo,
          pull_number: number,
          per_page: this.pageSize,
          page,
        }),
      );
      for (const review of reviews) {
        if (review.user) asked.add(review.user.login.toLowerCase());
      }
      if (reviews.length < this.pageSize) break;
    }

    const skipped: string[] = [];
    const users: string[] = [];
    for (const login of request.reviewers) {
      const name = login.trim().replace(/^@/, '');
      if (!name) continue;
      if (asked.has(name.toLowerCase())) skipped.push(name);
      else if (!users.some((user) => user.toLowerCase() === name.toLowerCase())) users.push(name);
    }
    const teams: string[] = [];
    for (const team of request.teamReviewers) {
      const slug = team.trim().replace(/^@/, '').split('/').pop() ?? '';
      if (!slug) continue;
      if (askedTeams.has(slug.toLowerCase())) skipped.push(team.trim());
      else if (!teams.some((t) => t.toLowerCase() === slug.toLowerCase())) teams.push(slug);
    }
    const result: ReviewRequestResult = {
      requested: [],
      requestedTeams: [],
      skipped,
      warnings: [],
    };
    if (users.length === 0 && teams.length === 0) return result;

    const context: FailureContext = {
      action: `request reviews on pull request #${number}`,
      permission: 'pull_requests=write',
      notFound: this.prNotFound(number),
    };
    const send = (reviewers: string[], teamReviewers: string[]) =>
      this.queue.run(() =>
        this.afterCreate(() =>
          this.octokit.rest.pulls.requestReviewers({
            owner: this.owner,
            repo: this.repo,
            pull_number: number,
            reviewers,
            team_reviewers: teamReviewers,
          }),
        ),
      );
    try {
      await send(users, teams);
      result.requested.push(...users);
      result.requestedTeams.push(...teams);
      return result;
    } catch (error) {
      const failure = httpFailure(error);
      if (failure?.status !== 422) throw this.failure(error, context);
      if (users.length + teams.length === 1) {
        result.warnings.push(this.reviewWarning(number, users, teams, failure));
        return result;
      }
    }
    // One refused reviewer fails the whole request: ask each one alone to keep the others.
    const singles: [string[], string[]][] = [
      ...users.map((user): [string[], string[]] => [[user], []]),
      ...teams.map((team): [string[], string[]] => [[], [team]]),
    ];
    for (const [user, team] of singles) {
      try {
        await send(user, team);
        result.requested.push(...user);
        result.requestedTeams.push(...team);
      } catch (error) {
        const failure = httpFailure(error);
        if (failure?.status !== 422) throw this.failure(error, context);
        result.warnings.push(this.reviewWarning(number, user, team, failure));
      }
    }
    return result;
  }

  async comment(number: number, body: string): Promise<{ id: number; url: string }> {
    const { data } = await this.write(
      {
        action: `comment on pull request #${number}`,
        permission: 'pull_requests=write',
        notFound: this.prNotFound(number),
      },
      () =>
        this.afterCreate(() =>
          this.octokit.rest.issues.createComment({
            owner: this.owner,
            repo: this.repo,
            issue_number: number,
            body,
          }),
        ),
    );
    return { id: data.id, url: data.html_url };
  }

  async enableAutoMerge(
    number: number,
    method: MergeMethod,
    expectedHeadSha?: string,
  ): Promise<AutoMergeResult> {
    const notEnabled = (text: string): AutoMergeResult => ({
      outcome: 'not-enabled',
      warning: this.clean(text),
    });
    let pr: PullRequest;
    try {
      pr = await this.read(
        {
          action: `read pull request #${number}`,
          permission: 'pull_requests=read',
          notFound: this.prNotFound(number),
        },
        async () =>
          toPullRequest(
            (
              await this.octokit.rest.pulls.get({
                owner: this.owner,
                repo: this.repo,
                pull_number: number,
              })
            ).data,
          ),
      );
    } catch (error) {
      if (error instanceof RemoteError) return notEnabled(`auto-merge left off: ${error.message}`);
      throw error;
    }
    if (pr.state !== 'open') {
      return notEnabled(
        `PR #${number} is ${pr.mergedAt ? 'merged' : 'closed'}; auto-merge left off`,
      );
    }

    const mutation = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;
    let errors: { message: string; type: string }[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await sleep(this.consistencyDelay * 2 ** (attempt - 1));
      try {
        await this.queue.run(() =>
          this.octokit.graphql(mutation, {
            pullRequestId: pr.nodeId,
            mergeMethod: method.toUpperCase(),
          }),
        );
        return { outcome: 'enabled' };
      } catch (error) {
        const found = graphqlErrors(error);
        if (!found) {
          if (httpFailure(error) === undefined) throw error;
          const mapped = this.failure(error, {
            action: `enable auto-merge on pull request #${number}`,
            permission: 'pull_requests=write',
          });
          return notEnabled(`PR #${number}: auto-merge left off: ${mapped.message}`);
        }
        errors = found;
        if (!found.some((entry) => /could not resolve to a node/i.test(entry.message))) break;
      }
    }
    const text = errors.map((entry) => entry.message).join('; ');
    if (/\b(clean|unstable) status\b/i.test(text)) {
      return this.mergeNow(pr, method, expectedHeadSha ?? pr.headSha);
    }
    if (/auto.?merge is not allowed|not allowed for this repository/i.test(text)) {
      return notEnabled(
        `PR #${number}: auto-merge is not allowed in ${this.slug} (enable "Allow auto-merge" in the repository settings); the PR stays open`,
      );
    }
    return notEnabled(`PR #${number}: could not enable auto-merge: ${text || 'unknown error'}`);
  }

  async deleteBranch(branch: string): Promise<boolean> {
    const context: FailureContext = {
      action: `delete branch ${branch}`,
      permission: 'contents=write',
    };
    try {
      await this.queue.run(() =>
        this.octokit.rest.git.deleteRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${branch}`,
        }),
      );
      return true;
    } catch (error) {
      const failure = httpFailure(error);
      if (failure?.status === 422 && /reference does not exist/i.test(githubText(failure))) {
        return false;
      }
      throw this.failure(error, context);
    }
  }

  // ------------------------------------------------------------------------------------------

  private async mergeNow(
    pr: PullRequest,
    method: MergeMethod,
    sha: string,
  ): Promise<AutoMergeResult> {
    const context: FailureContext = {
      action: `merge pull request #${pr.number}`,
      permission: 'contents=write',
      notFound: this.prNotFound(pr.number),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) await sleep(this.consistencyDelay * 2 ** (attempt - 1));
      try {
        const { data } = await this.queue.run(() =>
          this.octokit.rest.pulls.merge({
            owner: this.owner,
            repo: this.repo,
            pull_number: pr.number,
            merge_method: method,
            sha,
          }),
        );
        return { outcome: 'merged', sha: data.sha };
      } catch (error) {
        const failure = httpFailure(error);
        if (!failure) throw error;
        const text = githubText(failure);
        if (failure.status === 405 && /base branch was modified/i.test(text)) continue;
        if (failure.status === 409) {
          return {
            outcome: 'not-enabled',
            warning: `PR #${pr.number} not merged: its head changed; auto-merge left off`,
          };
        }
        if (failure.status === 405) {
          return {
            outcome: 'not-enabled',
            warning: this.clean(`PR #${pr.number} not merged: ${text}; the PR stays open`),
          };
        }
        const mapped = this.failure(error, context);
        return {
          outcome: 'not-enabled',
          warning: `PR #${pr.number} not merged: ${mapped.message}`,
        };
      }
    }
    return {
      outcome: 'not-enabled',
      warning: `PR #${pr.number} not merged: ${pr.baseRef} kept moving (5 attempts); the PR stays open`,
    };
  }

  /** Retries 422 "Could not resolve to a node" (a pull request GitHub has not indexed yet). */
  private async afterCreate<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const failure = httpFailure(error);
        const lagging =
          failure?.status === 422 && /could not resolve to a node/i.test(githubText(failure));
        if (!lagging || attempt >= 2) throw error;
        await sleep(this.consistencyDelay * 2 ** attempt);
      }
    }
  }

  private reviewWarning(
    number: number,
    users: string[],
    teams: string[],
    failure: HttpFailure,
  ): string {
    const who = [...users.map((user) => `@${user}`), ...teams.map((team) => `team ${team}`)];
    return this.clean(
      `could not request a review from ${who.join(', ')} on PR #${number}: ${githubText(failure)}`,
    );
  }

  private headOf(head: string): { branch: string; label: string } {
    const colon = head.indexOf(':');
    return colon > 0
      ? { branch: head.slice(colon + 1), label: head }
      : { branch: head, label: `${this.owner}:${head}` };
  }

  private prNotFound(number: number): string {
    return `pull request #${number} of ${this.slug} not found, or the token cannot see it`;
  }

  private async read<T>(context: FailureContext, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.failure(error, context);
    }
  }

  private write<T>(context: FailureContext, call: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.read(context, call));
  }

  private clean(text: string): string {
    return oneLine(redact(text, this.token));
  }

  private warn(message: string): void {
    this.log?.warn(this.clean(message));
  }

  private debug(message: string): void {
    this.log?.debug?.(this.clean(message));
  }

  private remoteError(
    message: string,
    options: { code: GitHubErrorCode; hint?: string; status?: number },
  ): RemoteError {
    return new RemoteError(this.clean(message), {
      code: options.code,
      ...(options.hint === undefined ? {} : { hint: this.clean(options.hint) }),
      ...(options.status === undefined ? {} : { status: options.status }),
    });
  }

  /** Maps an Octokit failure to a RemoteError; anything else (a bug) is returned unchanged. */
  private failure(error: unknown, context: FailureContext): Error {
    if (error instanceof RemoteError) return error;
    const failure = httpFailure(error);
    if (!failure) {
      return error instanceof Error ? error : new Error(redact(String(error), this.token));
    }
    const { status } = failure;
    const text = githubText(failure);
    const byHand = context.compareUrl
      ? `; or open the pull request by hand: ${context.compareUrl}`
      : '';

    if (failure.network) {
      return this.remoteError(
        `cannot reach ${this.apiHost} (${networkCode(failure)}); could not ${context.action}`,
        {
          code: GitHubErrorCode.network,
          hint: 'check the network connection, a proxy (HTTPS_PROXY) and --github-api-url; then re-run',
        },
      );
    }
    if (status === 401) {
      return this.remoteError(
        'GitHub rejected the token (401): it is missing, expired or revoked',
        {
          code: GitHubErrorCode.unauthorized,
          status,
          hint: this.token
            ? 'create a new token and pass it with --token, GITHUB_TOKEN or GH_TOKEN'
            : 'no token was given: pass --token, or set GITHUB_TOKEN or GH_TOKEN',
        },
      );
    }
    if (status === 403 || status === 429) {
      const remaining = header(failure, 'x-ratelimit-remaining');
      const reset = Number(header(failure, 'x-ratelimit-reset'));
      if (remaining === '0' && Number.isFinite(reset) && reset > 0) {
        return this.remoteError(
          `GitHub API rate limit exhausted until ${clock(reset)}; could not ${context.action}`,
          {
            code: GitHubErrorCode.rateLimited,
            status,
            hint: 're-run after the reset; publish resumes where it stopped',
          },
        );
      }
      const retryAfter = header(failure, 'retry-after');
      if (status === 429 || /rate limit/i.test(text) || retryAfter !== undefined) {
        return this.remoteError(
          `GitHub's ${/secondary/i.test(text) || status === 429 ? 'secondary ' : ''}rate limit stopped the request to ${context.action}${retryAfter ? `; retry after ${retryAfter} s` : ''}`,
          {
            code: GitHubErrorCode.rateLimited,
            status,
            hint: 'wait a few minutes and re-run; avoid running many publishes against GitHub at once',
          },
        );
      }
      if (/actions is not permitted to create or approve pull requests/i.test(text)) {
        return this.remoteError(
          `GitHub Actions is not permitted to create or approve pull requests in ${this.slug}: the repository setting "Allow GitHub Actions to create and approve pull requests" is off`,
          {
            code: GitHubErrorCode.actionsCannotCreatePullRequests,
            status,
            hint: `enable it under Settings → Actions → General, or use a GitHub App token${byHand}`,
          },
        );
      }
      const accepted = header(failure, 'x-accepted-github-permissions');
      const scopes = header(failure, 'x-accepted-oauth-scopes');
      const needs = accepted
        ? describePermissions(accepted)
        : scopes
          ? `the ${scopes
              .split(',')
              .map((scope) => scope.trim())
              .filter(Boolean)
              .join(' or ')} scope`
          : undefined;
      if (needs) {
        return this.remoteError(
          `the token cannot ${context.action} in ${this.slug} (needs ${needs})`,
          {
            code: GitHubErrorCode.permission,
            status,
            hint: `use a token with ${needs} (a fine-grained token or GitHub App permission, or the repo scope of a classic token)${byHand}`,
          },
        );
      }
      return this.remoteError(`the token cannot ${context.action} in ${this.slug} (403: ${text})`, {
        code: GitHubErrorCode.permission,
        status,
        hint: `the token probably needs ${context.permission}${byHand}`,
      });
    }
    if (status === 404) {
      return this.remoteError(
        context.notFound ?? `repository ${this.slug} not found, or the token cannot see it`,
        {
          code: GitHubErrorCode.notFound,
          status,
          hint: 'check owner/repo in the remote URL, and that the token can access the repository (a fine-grained token must list it)',
        },
      );
    }
    if (status >= 500) {
      return this.remoteError(
        `GitHub answered ${status} to every attempt to ${context.action} (${this.retries + 1} attempts)`,
        {
          code: GitHubErrorCode.serverError,
          status,
          hint: 'GitHub may be having an incident (https://www.githubstatus.com); re-run later',
        },
      );
    }
    if (status === 422) {
      return this.remoteError(`GitHub refused to ${context.action} (422): ${text}`, {
        code: GitHubErrorCode.invalid,
        status,
      });
    }
    return this.remoteError(`GitHub answered ${status} when asked to ${context.action}: ${text}`, {
      code: GitHubErrorCode.refused,
      status,
    });
  }
}

/** A PullRequestHost backed by the GitHub REST and GraphQL APIs. */
export function createGitHubHost(options: GitHubHostOptions): PullRequestHost {
  return new GitHubHost(options);
}
