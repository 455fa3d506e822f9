/**
 * One repository's connection to the GitHub API, as `createGitHubHost` configures it: the
 * Octokit client with `@octokit/plugin-retry` (5xx and network errors) and
 * `@octokit/plugin-throttling` (primary and secondary rate limits), writes sent one at a time
 * and at least `minCreateIntervalMs` apart per API host (secondary rate limits), the retry of
 * an eventual-consistency 422 right after a create, and every failure mapped to a redacted
 * `RemoteError` (github-errors.ts).
 *
 * Plumbing only: which calls to make, and what their answers mean for publish, is the host's
 * (github.ts, github-reviewers.ts, github-auto-merge.ts). Octokit's own debug log stays off: it
 * prints request headers, token included.
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import {
  githubText,
  httpFailure,
  mapFailure,
  redact,
  redactedError,
  redactedLine,
  RequestTimeout,
  type FailureContext,
  type GitHubErrorCode,
  type RemoteError,
} from './github-errors.js';
import { webUrlForApi } from './github-remote.js';

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
  /**
   * Bound of one request, answer body included, in seconds (default 120). A request past it
   * fails at once and is not retried.
   */
  timeoutSeconds?: number;
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

const RetryingOctokit = Octokit.plugin(retry, throttling);
type ThrottleGroup = NonNullable<ThrottlingOptions['write']>;

/**
 * Writes to one API host, shared by every client of the process (one per host, one host per change set): the
 * operations run one at a time (`run`), and each write request leaves at least `minIntervalMs`
 * after the previous one (`pace`, called by the fetch wrapper just before the request is sent,
 * so retries are spaced too).
 */
export class WriteQueue {
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

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** The same answer with its body read to the end (API answers are small JSON documents). */
async function buffered(response: Response): Promise<Response> {
  const empty = response.body === null || [204, 205, 304].includes(response.status);
  const body = empty ? null : await response.arrayBuffer();
  const copy = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}

/** The Octokit client of one repository and the helpers every call to it goes through. */
export class GitHubClient {
  /**
   * Typed as plain Octokit: the plugins add no method the calls use, and the plugged type has
   * no portable name for the emitted declarations.
   */
  readonly octokit: Octokit;
  readonly owner: string;
  readonly repo: string;
  readonly slug: string;
  readonly token: string | undefined;
  readonly apiHost: string;
  readonly webUrl: string;
  readonly retries: number;
  readonly consistencyDelay: number;
  readonly pageSize: number;
  readonly maxPages: number;
  /** Writes to this API host, one at a time (shared with the other clients of the host). */
  readonly queue: WriteQueue;
  private readonly minInterval: number;
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
    const timeoutSeconds = options.timeoutSeconds ?? 120;
    const observed = async (
      input: Parameters<typeof fetch>[0],
      init?: Parameters<typeof fetch>[1],
    ): Promise<Response> => {
      const method = init?.method ?? 'GET';
      const where = typeof input === 'string' ? input : input instanceof URL ? input.href : '';
      const path = where ? new URL(where).pathname : '';
      if (method !== 'GET' && method !== 'HEAD') await this.queue.pace(this.minInterval);
      // Started after the pacing wait: the bound is the server's time only.
      const deadline = AbortSignal.timeout(timeoutSeconds * 1000);
      const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
      try {
        const response = await baseFetch(input, { ...init, signal });
        if (response.status >= 500) this.debug(`${method} ${path} answered ${response.status}`);
        // The body is read here, within the bound: @octokit/request would take a body cut off
        // by the deadline for an empty answer.
        return await buffered(response);
      } catch (error) {
        if (deadline.aborted) throw new RequestTimeout(method, path, timeoutSeconds);
        this.debug(`${method} ${path} failed: ${describeFetchError(error)}`);
        throw error;
      }
    };
    const quiet = (): void => undefined;
    this.octokit = new RetryingOctokit({
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

  /** Retries 422 "Could not resolve to a node" (a pull request GitHub has not indexed yet). */
  async afterCreate<T>(call: () => Promise<T>): Promise<T> {
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

  prNotFound(number: number): string {
    return `pull request #${number} of ${this.slug} not found, or the token cannot see it`;
  }

  async read<T>(context: FailureContext, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.failure(error, context);
    }
  }

  write<T>(context: FailureContext, call: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.read(context, call));
  }

  clean(text: string): string {
    return redactedLine(text, this.token);
  }

  private warn(message: string): void {
    this.log?.warn(this.clean(message));
  }

  private debug(message: string): void {
    this.log?.debug?.(this.clean(message));
  }

  remoteError(
    message: string,
    options: { code: GitHubErrorCode; hint?: string; status?: number },
  ): RemoteError {
    return redactedError(this.token, message, options);
  }

  /** Maps an Octokit failure to a RemoteError; anything else (a bug) is returned unchanged. */
  failure(error: unknown, context: FailureContext): Error {
    return mapFailure(error, context, this);
  }
}
