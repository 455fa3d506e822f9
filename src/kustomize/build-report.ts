/**
 * Where the build's findings go: reporters that locate a finding at an entry of a kustomization
 * file or at a line of another file, and the turning of a `KustomizeError` into a finding.
 */
import type { Kustomization, Path } from './kustomization-types.js';
import type { KustomizeFinding } from './types.js';
import { KustomizeError, formatPath } from './values.js';

export type Reporter = (
  code: string,
  message: string,
  options?: { hint?: string; severity?: 'error' | 'warning'; at?: 'key' | 'value' },
) => void;

/** Reports at an entry of a kustomization file. */
export function reportAt(findings: KustomizeFinding[], k: Kustomization, path: Path): Reporter {
  return (code, message, options = {}) => {
    findings.push({
      code,
      severity: options.severity ?? 'error',
      message,
      file: k.file,
      ...k.locate(path, options.at),
      ...(path.length > 0 ? { path: formatPath(path) } : {}),
      ...(options.hint ? { hint: options.hint } : {}),
    });
  };
}

/** Reports at a file (optionally a line of it). */
export function reportInFile(
  findings: KustomizeFinding[],
  file: string,
  line?: number,
  column?: number,
): Reporter {
  return (code, message, options = {}) => {
    findings.push({
      code,
      severity: options.severity ?? 'error',
      message,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(column !== undefined ? { column } : {}),
      ...(options.hint ? { hint: options.hint } : {}),
    });
  };
}

/** Reports a `KustomizeError` (the build goes on); any other error is a bug and is thrown. */
export function reportError(report: Reporter, error: unknown): void {
  if (!(error instanceof KustomizeError)) throw error;
  report(error.code, error.message, error.hint ? { hint: error.hint } : {});
}
