/**
 * `gitops-gen publish`: plan change sets from the environment files, render and validate
 * them, and hand each to git. Commit mode pushes one commit to the base branch (never forced;
 * on a race it re-reads, re-applies and retries). PR mode pushes a gitops-gen branch with a
 * pinned lease and opens or updates its pull request. Idempotent: unchanged content makes no
 * commit, no push and no pull-request update. Foreign commits and files are never overwritten.
 */
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { loadEnvironments, selectEnvironments } from '../config/index.js';
import { UsageError } from '../errors.js';
import { renderTree } from '../render/index.js';
import { displayRemote, GitWorkspace, type Identity } from './git-workspace.js';
import { publishCommit } from './publish-commit.js';
import { ValidationRefused } from './publish-errors.js';
import { publishPullRequest } from './publish-pull-request.js';
import { planChangeSets, validateTree, type PreparedChangeSet } from './publish-target.js';
import { removeStalePublishTemps } from './stale-temp.js';
import type { ChangeSetResult, PublishOptions, PublishResult } from './publish-types.js';

// The library's and the CLI's entry point to publish: its types and refusals are exported here.
export { PublishRefused, ValidationRefused } from './publish-errors.js';
export type {
  ChangeSetResult,
  PublishMode,
  PublishOperation,
  PublishOptions,
  PublishResult,
} from './publish-types.js';

/** The identity of gitops-gen's commits: --author, else GIT_AUTHOR_NAME/EMAIL, else a bot identity. */
export function parseAuthor(text: string): Identity {
  const match = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (!match?.[1] || !match[2])
    throw new UsageError(`"${text}" is not an author`, 'write it as "Name <mail@example.com>"');
  return { name: match[1], email: match[2] };
}

function defaultAuthor(): Identity {
  const name = process.env.GIT_AUTHOR_NAME;
  const email = process.env.GIT_AUTHOR_EMAIL;
  if (name && email) return { name, email };
  if (process.env.GITHUB_ACTIONS === 'true') {
    return {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
    };
  }
  return { name: 'gitops-gen', email: 'gitops-gen@users.noreply.github.com' };
}

/**
 * The commit of the configuration being rendered, for the commit trailer: HEAD of the git
 * repository around the environments folder, `-dirty` when it has uncommitted changes.
 */
async function configurationRevision(configDir: string): Promise<string | undefined> {
  try {
    const git = simpleGit({ baseDir: configDir });
    const head = (await git.revparse(['HEAD'])).trim();
    const dirty = !(await git.status(['--porcelain', '--', '.'])).isClean();
    return `${head}${dirty ? '-dirty' : ''}`;
  } catch {
    return undefined; // not in a git repository
  }
}

/** Plans, renders, validates and publishes every change set; see the module comment. */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  // Folders of earlier runs that were killed before they could remove them.
  await removeStalePublishTemps();
  const all = await loadEnvironments({
    configDir: options.configDir,
    configDirRequired: options.configDirRequired,
  });
  const selected = selectEnvironments(all, options.environments ?? []);
  const author = options.author ?? defaultAuthor();
  const sourceRevision = options.sourceRevision ?? (await configurationRevision(options.configDir));
  options = { ...options, ...(sourceRevision ? { sourceRevision } : {}) };
  options.progress?.('render');
  // The whole tree, every environment, is validated first: a render with errors writes nothing
  // anywhere. Each change set then takes its own files (see targetFor).
  const tree = renderTree(all);
  options.progress?.('validate');
  const validation = await (options.validateTree ?? validateTree)(tree);
  if (validation.summary.errors > 0) throw new ValidationRefused(validation);
  const results: ChangeSetResult[] = [];
  for (const plan of planChangeSets(selected, options)) {
    const names = plan.environments.map((environment) => environment.name);
    const prepared: PreparedChangeSet = { plan, all, tree, validation, names };
    options.progress?.(`fetch ${displayRemote(plan.repo)}`);
    const workspace = await GitWorkspace.open({
      remote: plan.repo,
      ...(options.cacheDir ? { cacheDir: join(options.cacheDir, String(results.length)) } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    });
    results.push(
      plan.mode === 'commit'
        ? await publishCommit(prepared, workspace, options, author)
        : await publishPullRequest(prepared, workspace, options, author),
    );
  }
  return { changeSets: results };
}
