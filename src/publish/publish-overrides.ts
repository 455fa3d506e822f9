/**
 * The options that override an environment file's `publish` settings (`--repo`, `--base`,
 * `--path`, and the GitHub repository, API root, labels and reviewers) get the checks the file's
 * keys get, with the same formats (src/config/schema.ts), before anything reaches git or a host:
 * a bad value is an input error (exit 2) with a hint, never a branch named `-x` or a remote
 * failure. Pure.
 */
import { formatPatterns, type FormatName } from '../config/schema.js';
import { formatHint } from '../config/hints.js';
import { UsageError } from '../errors.js';
import type { PublishOptions } from './publish-types.js';

/** Control characters would reach the terminal (and git) raw: never echo them. */
function shown(value: string): string {
  const escaped = JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  return escaped.replace(
    /[\u007f-\u009f]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Each override and the environment key (and so the format) it stands for. */
const overrides = [
  { option: 'repo', flag: '--repo', key: 'publish.repo', format: 'git-remote' },
  { option: 'base', flag: '--base', key: 'publish.branch', format: 'git-branch' },
  { option: 'path', flag: '--path', key: 'publish.path', format: 'repo-path' },
] as const satisfies readonly {
  option: keyof PublishOptions;
  flag: string;
  key: string;
  format: FormatName;
}[];

// GitHub's own rules: logins of at most 39 letters, digits and hyphens; repository names and
// team slugs of letters, digits, ".", "_" and "-".
const githubLogin = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const githubRepoPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const githubTeamSlug = /^[A-Za-z0-9._-]{1,100}$/;

/** Throws a UsageError for the first override that its environment key would refuse. */
export function checkPublishOverrides(options: PublishOptions): void {
  for (const { option, flag, key, format } of overrides) {
    const value = options[option];
    if (value !== undefined && !formatPatterns[format].test(value)) {
      throw new UsageError(
        `${flag} ${shown(value)} is not a valid ${key}`,
        formatHint(format, value),
      );
    }
  }
  if (options.githubRepo !== undefined && !githubRepoPattern.test(options.githubRepo)) {
    throw new UsageError(
      `--github-repo ${shown(options.githubRepo)} is not a GitHub repository`,
      'give owner/name, such as acme/gitops',
    );
  }
  if (
    options.githubApiUrl !== undefined &&
    !formatPatterns['http-url'].test(options.githubApiUrl)
  ) {
    throw new UsageError(
      `--github-api-url ${shown(options.githubApiUrl)} is not an http:// or https:// URL`,
      'give the API root, such as https://api.github.com or https://github.example.com/api/v3',
    );
  }
  const people = [
    ['--reviewer', options.reviewers ?? [], githubLogin, 'a login such as octocat'],
    [
      '--team-reviewer',
      options.teamReviewers ?? [],
      githubTeamSlug,
      'a team slug such as platform',
    ],
  ] as const;
  for (const [flag, values, pattern, example] of people) {
    for (const value of values) {
      if (!pattern.test(value)) {
        throw new UsageError(`${flag} ${shown(value)} is not valid here`, `give ${example}`);
      }
    }
  }
  for (const label of options.labels ?? []) {
    // GitHub refuses labels over 50 characters; control characters never belong in one.
    if (label.length > 50 || hasControlCharacter(label)) {
      throw new UsageError(
        `--label ${shown(label)} is not a usable label`,
        'give a label of at most 50 printable characters',
      );
    }
  }
}
