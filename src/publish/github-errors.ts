/**
 * GitHub's failures in our words: `RemoteError` (exit code 3, one line, a hint) with a stable
 * `GitHubErrorCode`, the reading of an Octokit `RequestError` or GraphQL error, and `mapFailure`,
 * which turns a failed call into the `RemoteError` a person can act on (401, 403 permissions and
 * rate limits, 404, 422, 5xx after retries, network errors).
 *
 * Every message and hint passes through `redact()`, so the token never reaches the user's
 * terminal. No Octokit import and no network: this only reads errors that were already thrown.
 */
import { ExitCode, GitopsGenError } from '../errors.js';

export const GitHubErrorCode = {
  unauthorized: 'github/unauthorized',
  permission: 'github/permission',
  actionsCannotCreatePullRequests: 'github/actions-pull-requests-disabled',
  rateLimited: 'github/rate-limited',
  notFound: 'github/not-found',
  network: 'github/network',
  timeout: 'github/timeout',
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
 * A GitHub request that got no (complete) answer within the bound. Named `AbortError` so that
 * @octokit/request passes it through as it is instead of wrapping it as a retryable 500: a
 * hang is not retried, so one call waits the bound once, not once per retry.
 */
export class RequestTimeout extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly seconds: number,
  ) {
    super(`${method} ${path} timed out after ${seconds} s`);
    this.name = 'AbortError';
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

export interface HttpFailure {
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
export function httpFailure(error: unknown): HttpFailure | undefined {
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

export function githubText(failure: HttpFailure): string {
  return githubTexts(failure).join(': ');
}

export function graphqlErrors(error: unknown): { message: string; type: string }[] | undefined {
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

export interface FailureContext {
  /** Infinitive: "open a pull request from b into main". */
  action: string;
  /** The fine-grained permission the call needs, for the hint when GitHub does not say. */
  permission: string;
  /** Message for a 404 (default: the repository is missing or invisible). */
  notFound?: string;
  /** For pull request creation: where to open it by hand. */
  compareUrl?: string;
}

/** Where a call failed, for the words of its `RemoteError`. */
export interface FailureSite {
  /** The API host and port, for network failures. */
  apiHost: string;
  /** `owner/repo`. */
  slug: string;
  /** Redacted from every message and hint; also picks the 401 hint. */
  token: string | undefined;
  /** Retries of 5xx answers, for "n attempts". */
  retries: number;
}

/** One line, the token redacted. */
export function redactedLine(text: string, token: string | undefined): string {
  return oneLine(redact(text, token));
}

/** A `RemoteError` whose message and hint are one line each, the token redacted. */
export function redactedError(
  token: string | undefined,
  message: string,
  options: { code: GitHubErrorCode; hint?: string; status?: number },
): RemoteError {
  return new RemoteError(redactedLine(message, token), {
    code: options.code,
    ...(options.hint === undefined ? {} : { hint: redactedLine(options.hint, token) }),
    ...(options.status === undefined ? {} : { status: options.status }),
  });
}

/** Maps an Octokit failure to a RemoteError; anything else (a bug) is returned unchanged. */
export function mapFailure(error: unknown, context: FailureContext, site: FailureSite): Error {
  const { apiHost, slug, token, retries } = site;
  if (error instanceof RemoteError) return error;
  if (error instanceof RequestTimeout) {
    // GitHub's changes are single requests: a write either happened or not, and publish finds
    // its own pull request again on the next run.
    return redactedError(
      token,
      `GitHub API request ${error.method} ${error.path} on ${apiHost} timed out after ${error.seconds} s; could not ${context.action}; nothing was half-written, running the same command again is safe`,
      {
        code: GitHubErrorCode.timeout,
        hint: 'check that the GitHub API answers (--github-api-url), or allow more time with --timeout SECONDS',
      },
    );
  }
  const failure = httpFailure(error);
  if (!failure) {
    return error instanceof Error ? error : new Error(redact(String(error), token));
  }
  const { status } = failure;
  const text = githubText(failure);
  const byHand = context.compareUrl
    ? `; or open the pull request by hand: ${context.compareUrl}`
    : '';

  if (failure.network) {
    return redactedError(
      token,
      `cannot reach ${apiHost} (${networkCode(failure)}); could not ${context.action}`,
      {
        code: GitHubErrorCode.network,
        hint: 'check the network connection, a proxy (HTTPS_PROXY) and --github-api-url; then re-run',
      },
    );
  }
  if (status === 401) {
    return redactedError(
      token,
      'GitHub rejected the token (401): it is missing, expired or revoked',
      {
        code: GitHubErrorCode.unauthorized,
        status,
        hint: token
          ? 'create a new token and pass it with --token, GITHUB_TOKEN or GH_TOKEN'
          : 'no token was given: pass --token, or set GITHUB_TOKEN or GH_TOKEN',
      },
    );
  }
  if (status === 403 || status === 429) {
    const remaining = header(failure, 'x-ratelimit-remaining');
    const reset = Number(header(failure, 'x-ratelimit-reset'));
    if (remaining === '0' && Number.isFinite(reset) && reset > 0) {
      return redactedError(
        token,
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
      return redactedError(
        token,
        `GitHub's ${/secondary/i.test(text) || status === 429 ? 'secondary ' : ''}rate limit stopped the request to ${context.action}${retryAfter ? `; retry after ${retryAfter} s` : ''}`,
        {
          code: GitHubErrorCode.rateLimited,
          status,
          hint: 'wait a few minutes and re-run; avoid running many publishes against GitHub at once',
        },
      );
    }
    if (/actions is not permitted to create or approve pull requests/i.test(text)) {
      return redactedError(
        token,
        `GitHub Actions is not permitted to create or approve pull requests in ${slug}: the repository setting "Allow GitHub Actions to create and approve pull requests" is off`,
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
      return redactedError(
        token,
        `the token cannot ${context.action} in ${slug} (needs ${needs})`,
        {
          code: GitHubErrorCode.permission,
          status,
          hint: `use a token with ${needs} (a fine-grained token or GitHub App permission, or the repo scope of a classic token)${byHand}`,
        },
      );
    }
    return redactedError(token, `the token cannot ${context.action} in ${slug} (403: ${text})`, {
      code: GitHubErrorCode.permission,
      status,
      hint: `the token probably needs ${context.permission}${byHand}`,
    });
  }
  if (status === 404) {
    return redactedError(
      token,
      context.notFound ?? `repository ${slug} not found, or the token cannot see it`,
      {
        code: GitHubErrorCode.notFound,
        status,
        hint: 'check owner/repo in the remote URL, and that the token can access the repository (a fine-grained token must list it)',
      },
    );
  }
  if (status >= 500) {
    return redactedError(
      token,
      `GitHub answered ${status} to every attempt to ${context.action} (${retries + 1} attempts)`,
      {
        code: GitHubErrorCode.serverError,
        status,
        hint: 'GitHub may be having an incident (https://www.githubstatus.com); re-run later',
      },
    );
  }
  if (status === 422) {
    return redactedError(token, `GitHub refused to ${context.action} (422): ${text}`, {
      code: GitHubErrorCode.invalid,
      status,
    });
  }
  return redactedError(
    token,
    `GitHub answered ${status} when asked to ${context.action}: ${text}`,
    {
      code: GitHubErrorCode.refused,
      status,
    },
  );
}
