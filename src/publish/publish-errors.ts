/**
 * The two ways publish refuses, as errors the CLI turns into exit codes: a change that needs a
 * person to decide (exit code 3) and a render that fails validation (exit code 1).
 */
import { ExitCode, GitopsGenError } from '../errors.js';
import type { ValidationReport } from '../validate/findings.js';

/** A publish that needs a person to decide (foreign commits, hand edits, policy). Exit code 3. */
export class PublishRefused extends GitopsGenError {
  constructor(message: string, hint: string, code = 'publish/refused') {
    super(code, message, ExitCode.remote, [{ code, message, hint }]);
  }
}

/** Validation refused the render: nothing was written anywhere. Exit code 1. */
export class ValidationRefused extends GitopsGenError {
  constructor(
    readonly report: ValidationReport,
    what = 'the rendered tree',
  ) {
    super(
      'publish/invalid',
      `${what} has ${report.summary.errors} validation error(s): nothing was published`,
      ExitCode.findings,
    );
  }
}
