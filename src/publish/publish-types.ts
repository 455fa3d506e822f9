/**
 * What `publish` takes and gives back: its options (the environment files' `publish` settings
 * and their command-line overrides) and one result per change set. Types only.
 */
import type { FileTree } from '../render/index.js';
import type { ValidationReport } from '../validate/findings.js';
import type { Identity } from './git-workspace.js';
import type { MergeMethod, PullRequestHost } from './pull-request-host.js';

export type PublishMode = 'commit' | 'pr';

export interface PublishOptions {
  configDir: string;
  configDirRequired?: boolean;
  /** Only these environments (all when empty). */
  environments?: readonly string[];
  /** Overrides of the environment files' `publish` settings. */
  repo?: string;
  base?: string;
  path?: string;
  mode?: PublishMode;
  dryRun?: boolean;
  /** First line of the commit message instead of the generated one. */
  message?: string;
  author?: Identity;
  /** Revision of the configuration that was rendered (for the commit trailer). */
  sourceRevision?: string;
  /** GitHub: `owner/name` (default: from the remote URL), API root, token. */
  githubRepo?: string;
  githubApiUrl?: string;
  token?: string;
  labels?: readonly string[];
  reviewers?: readonly string[];
  teamReviewers?: readonly string[];
  draft?: boolean;
  autoMerge?: MergeMethod;
  /** Overwrite foreign commits on the PR branch, reopen a change a human closed. */
  force?: boolean;
  /** Commit mode: overwrite owned files edited by hand since the last publish. */
  overwriteDrift?: boolean;
  /**
   * Go ahead with changes to fields the API server refuses to update: the objects carry what
   * Argo CD and Flux need to delete and recreate them, for this one change.
   */
  allowRecreate?: boolean;
  /** Bound of each git call and GitHub request, in seconds (default 120). */
  timeoutSeconds?: number;
  /** Folder of the cache repositories. */
  cacheDir?: string;
  /** Attempts of the commit-mode race loop (default 10) and its first delay in ms (default 1000). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /**
   * How the rendered tree is validated before anything is written (default: the validate stage
   * on a temporary folder): a port for tests and for front ends with checks of their own.
   */
  validateTree?: (tree: FileTree) => Promise<ValidationReport>;
  /** A pull-request host to use instead of GitHub (tests, other forges). */
  host?: PullRequestHost;
  userAgent?: string;
  /** Progress lines for people ("render", "validate", "push", ...). */
  progress?: (step: string) => void;
}

export type PublishOperation =
  | 'pushed'
  | 'up-to-date'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'closed'
  | 'skipped'
  | 'would-push'
  | 'would-open';

export interface ChangeSetResult {
  mode: PublishMode;
  environments: string[];
  repo: string;
  base: string;
  operation: PublishOperation;
  fingerprint: string;
  branch: string;
  commit?: string;
  pullRequest?: { number: number; url: string };
  /** Added, changed and removed files. */
  counts: { added: number; changed: number; removed: number };
  drift: string[];
  warnings: string[];
  /** The change in words and diffs (dry run and `diff`). */
  report?: string;
}

export interface PublishResult {
  changeSets: ChangeSetResult[];
}
