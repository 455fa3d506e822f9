/**
 * One error family for the whole tool. Every failure a user can cause carries a stable code,
 * one sentence per problem, and where possible the file, line, column and key path; the CLI maps
 * the exit code. Only InternalError (a bug) is allowed to show a stack trace.
 */

/** The exit-code scheme shared by every command (documented in the README). */
export const ExitCode = {
  ok: 0,
  /** Findings: validation errors, `--check` drift, a non-empty diff. */
  findings: 1,
  /** Usage or input error: a bad flag, a bad environment file. */
  input: 2,
  /** Remote failure: git or GitHub. */
  remote: 3,
  /** Internal error: a bug. */
  internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One thing wrong with the input, located as precisely as the input allows. */
export interface Problem {
  /** Stable, machine-readable code such as `config/unknown-key`. */
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** Dotted key path inside the file, e.g. `prometheus.retention.time`. */
  keyPath?: string;
  hint?: string;
}

export class GitopsGenError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: environment files, flags, paths. Exit code 2. */
export class InputError extends GitopsGenError {
  constructor(message: string, problems: readonly Problem[] = [], code = 'input/invalid') {
    super(code, message, ExitCode.input, problems);
  }
}

/** A usage mistake on the command line (unknown environment, conflicting flags). Exit code 2. */
export class UsageError extends GitopsGenError {
  constructor(message: string, hint?: string) {
    super(
      'usage/invalid',
      message,
      ExitCode.input,
      hint ? [{ code: 'usage/invalid', message, hint }] : [],
    );
  }
}

/** Formats a problem the way compilers do: `file:line:column: key: message (hint)`. */
export function formatProblem(problem: Problem): string {
  const location = [problem.file, problem.line, problem.column]
    .filter((part) => part !== undefined)
    .join(':');
  const parts: string[] = [];
  if (location) parts.push(`${location}:`);
  if (problem.keyPath) parts.push(`${problem.keyPath}:`);
  parts.push(problem.message);
  const text = parts.join(' ');
  return problem.hint ? `${text}\n  hint: ${problem.hint}` : text;
}

/** A git remote or GitHub failed or refused (network, auth, a rejected push). Exit code 3. */
export class RemoteFailure extends GitopsGenError {
  constructor(message: string, hint?: string, code = 'remote/failed') {
    super(code, message, ExitCode.remote, hint ? [{ code, message, hint }] : []);
  }
}
