/**
 * The ways publish refuses, as errors the CLI turns into exit codes: a change that needs a
 * person to decide (exit code 3), a render that fails validation and a change the API server
 * would refuse to apply (exit code 1).
 */
import { ExitCode, GitopsGenError } from '../errors.js';
import type { ValidationReport } from '../validate/findings.js';
import { immutableChangeText } from './change-entries.js';
import type { ImmutableFieldChange } from './types.js';

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

/**
 * The change edits fields the API server refuses to update (a StatefulSet's volume claim
 * templates, a selector, ...): the sync would fail on the cluster. Exit code 1.
 */
export class ImmutableFieldsRefused extends GitopsGenError {
  constructor(readonly changes: readonly ImmutableFieldChange[]) {
    super(
      'publish/immutable-field',
      `${changes.length === 1 ? 'a field' : `${changes.length} fields`} the API server refuses to update would change; nothing was published`,
      ExitCode.findings,
      changes.map((change) => ({
        code: 'publish/immutable-field',
        message: `${immutableChangeText(change)} (${change.rule})`,
        hint: change.advice.includes('--allow-recreate')
          ? change.advice
          : `${change.advice}; or publish with --allow-recreate to have Argo CD and Flux delete and recreate it`,
      })),
    );
  }
}
