/**
 * The `publish` and `diff` commands: flags to PublishOptions, results to lines (or JSON).
 * Parsing and printing only; src/publish does the work.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode } from '../errors.js';
import type {
  ChangeSetResult,
  PublishOptions,
  PublishResult,
  parseAuthor as ParseAuthor,
} from '../publish/publish.js';
import { formatReport } from '../validate/formats/index.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';
import { packageVersion } from './version.js';

interface PublishFlags {
  config: string;
  env?: string[];
  repo?: string;
  base?: string;
  path?: string;
  mode?: 'commit' | 'pr';
  dryRun?: boolean;
  message?: string;
  author?: string;
  githubRepo?: string;
  githubApiUrl?: string;
  token?: string;
  label: string[];
  reviewer: string[];
  teamReviewer: string[];
  draft?: boolean;
  autoMerge?: 'merge' | 'squash' | 'rebase';
  force?: boolean;
  overwriteDrift?: boolean;
  allowRecreate?: boolean;
  sourceRevision?: string;
  timeout: number;
}

const repeatable = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
];

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}

/** One line per change set, the way people read it. */
export function describeResult(result: ChangeSetResult): string {
  const envs = result.environments.join(', ');
  const { added, changed, removed } = result.counts;
  const tally = `+${added} ~${changed} -${removed}`;
  const pr = result.pullRequest ? `PR #${result.pullRequest.number}` : 'pull request';
  const url = result.pullRequest ? `: ${result.pullRequest.url}` : '';
  switch (result.operation) {
    case 'pushed':
      return `✔ pushed ${short(result.commit)} to ${result.base} (${envs}: ${tally})`;
    case 'up-to-date':
      return `✔ ${envs}: up to date (${result.fingerprint.slice(0, 15)})`;
    case 'would-push':
      return `would push 1 commit to ${result.base} (${envs}: ${tally})`;
    case 'would-open':
      return `would open a pull request ${result.branch} → ${result.base} (${envs}: ${tally})`;
    case 'created':
    case 'updated':
    case 'unchanged':
      return `✔ ${pr} ${result.operation}${url} (branch ${result.branch}, ${short(result.commit)})`;
    case 'closed':
      return `✔ ${pr} closed: ${result.base} already holds ${envs}${url}`;
    case 'skipped':
      return `✔ skipped: ${pr} with this exact change was closed without merging${url}`;
  }
}

/** `--timeout`: a whole, positive number of seconds (a bound of 0 would fail every call). */
function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('use a whole number of seconds greater than 0, e.g. 120');
  }
  return seconds;
}

function addShared(command: Command): Command {
  return command
    .option('-c, --config <dir>', 'folder of environment files (<env>.yaml)', 'environments')
    .addOption(
      new Option('-e, --env <name...>', 'only these environments (repeatable)').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .option(
      '--repo <url|path>',
      'the GitOps repository (default: publish.repo of the environments)',
    )
    .option('--base <branch>', 'branch controllers sync from (default: publish.branch, else main)')
    .option('--path <dir>', 'folder of the tree in the repository (default: publish.path)')
    .option('--token <token>', 'GitHub token (default: GITHUB_TOKEN or GH_TOKEN)')
    .option(
      '--allow-recreate',
      'go ahead with changes to fields the API server will not update (a StatefulSet volume size, a selector): Argo CD and Flux delete and recreate those objects',
    )
    .option(
      '--timeout <seconds>',
      'give up on a git call or GitHub request after this many seconds (exit 3)',
      parseTimeout,
      120,
    );
}

function toOptions(
  flags: PublishFlags,
  io: CliIo,
  parseAuthor: typeof ParseAuthor,
  output: Output,
): PublishOptions {
  const token = flags.token ?? io.env?.GITHUB_TOKEN ?? io.env?.GH_TOKEN;
  const local = (path: string): string =>
    /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(path) ? path : resolve(io.cwd, path);
  return {
    configDir: resolve(io.cwd, flags.config),
    environments: flags.env ?? [],
    ...(flags.repo ? { repo: local(flags.repo) } : {}),
    ...(flags.base ? { base: flags.base } : {}),
    ...(flags.path !== undefined ? { path: flags.path } : {}),
    ...(flags.mode ? { mode: flags.mode } : {}),
    dryRun: flags.dryRun === true,
    ...(flags.message ? { message: flags.message } : {}),
    ...(flags.author ? { author: parseAuthor(flags.author) } : {}),
    ...(flags.githubRepo ? { githubRepo: flags.githubRepo } : {}),
    ...((flags.githubApiUrl ?? io.env?.GITHUB_API_URL)
      ? { githubApiUrl: flags.githubApiUrl ?? io.env?.GITHUB_API_URL }
      : {}),
    ...(token ? { token } : {}),
    labels: flags.label,
    reviewers: flags.reviewer,
    teamReviewers: flags.teamReviewer,
    draft: flags.draft === true,
    ...(flags.autoMerge ? { autoMerge: flags.autoMerge } : {}),
    force: flags.force === true,
    overwriteDrift: flags.overwriteDrift === true,
    allowRecreate: flags.allowRecreate === true,
    ...(flags.sourceRevision ? { sourceRevision: flags.sourceRevision } : {}),
    timeoutSeconds: flags.timeout,
    userAgent: `gitops-gen/${packageVersion()}`,
    progress: output.step,
  };
}

/**
 * Runs publish, loading src/publish (Octokit, simple-git) only now so that `validate` and
 * `render` start without it. A refused render prints its validation report before the error.
 */
async function runPublish(
  io: CliIo,
  flags: PublishFlags,
  output: Output,
  overrides: Partial<PublishOptions> = {},
): Promise<PublishResult> {
  const { publish, parseAuthor, ValidationRefused } = await import('../publish/publish.js');
  output.step('load environments');
  try {
    const result = await publish({ ...toOptions(flags, io, parseAuthor, output), ...overrides });
    output.end(true);
    return result;
  } catch (error) {
    output.end(false);
    if (error instanceof ValidationRefused && !output.flags.json) {
      io.stderr(
        formatReport(error.report, 'human', { color: false, toolVersion: packageVersion() }),
      );
    }
    throw error;
  }
}

export function addPublishCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  exitCodeHelp: string,
  outputOf: (command: Command, multiStep: boolean) => Output,
): void {
  addShared(program.command('publish'))
    .description(
      'Render, validate and write the tree into the GitOps repository: one commit, or a pull request.',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'commit, or pr (default: publish.mode: commit for dev, pr otherwise)',
      ).choices(['commit', 'pr']),
    )
    .option('--dry-run', 'read the remote, write nothing, print the plan')
    .option('--message <text>', 'first line of the commit message')
    .option('--author <author>', 'commit author, "Name <mail@example.com>"')
    .option(
      '--github-repo <owner/name>',
      'GitHub repository of the pull request (default: from the remote URL)',
    )
    .option('--github-api-url <url>', 'GitHub API root (GitHub Enterprise: https://host/api/v3)')
    .option(
      '--label <labels>',
      'labels of the pull request (repeatable, comma-separated)',
      repeatable,
      [],
    )
    .option(
      '--reviewer <logins>',
      'reviewers to request (repeatable, comma-separated)',
      repeatable,
      [],
    )
    .option(
      '--team-reviewer <slugs>',
      'team reviewers to request (repeatable, comma-separated)',
      repeatable,
      [],
    )
    .option('--draft', 'open the pull request as a draft')
    .addOption(
      new Option('--auto-merge <method>', 'merge when the checks pass').choices([
        'merge',
        'squash',
        'rebase',
      ]),
    )
    .option(
      '--force',
      'replace foreign commits on the PR branch, take over foreign files, reopen a closed change',
    )
    .option(
      '--overwrite-drift',
      'commit mode: replace owned files edited by hand since the last publish',
    )
    .option(
      '--source-revision <rev>',
      'revision of the configuration, recorded in the commit trailer',
    )
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: PublishFlags, command: Command) => {
      const output = outputOf(command, true);
      const result = await runPublish(io, flags, output);
      if (output.flags.json) {
        io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      for (const changeSet of result.changeSets) {
        io.stdout(`${describeResult(changeSet)}\n`);
        for (const warning of changeSet.warnings) io.stderr(`warning: ${warning}\n`);
        if (changeSet.report && !output.flags.quiet) io.stdout(`${changeSet.report}\n`);
      }
    });

  addShared(program.command('diff'))
    .description(
      'Show what publish would change in the GitOps repository, per resource and as a unified diff; exit 1 when anything would change.',
    )
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: PublishFlags, command: Command) => {
      const output = outputOf(command, true);
      const result = await runPublish(io, flags, output, {
        dryRun: true,
        mode: 'commit',
        overwriteDrift: true,
        force: true,
      });
      const { json, quiet } = output.flags;
      if (json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      let changed = false;
      for (const changeSet of result.changeSets) {
        if (changeSet.operation === 'up-to-date') {
          if (!json && !quiet) io.stdout(`${describeResult(changeSet)}\n`);
          continue;
        }
        changed = true;
        if (!json) io.stdout(`${changeSet.report ?? describeResult(changeSet)}\n`);
      }
      if (changed) setExitCode(ExitCode.findings);
    });
}
