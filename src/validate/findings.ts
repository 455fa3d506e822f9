/**
 * What validation reports: the findings of every check (their shape is shared, see
 * src/findings.ts) and the per-resource verdicts they add up to. Pure.
 */
import type { Finding, ResourceId, Severity } from '../findings.js';

export { formatPath, type Finding, type ResourceId, type Severity } from '../findings.js';

export type ResourceStatus = 'valid' | 'invalid' | 'skipped';

export interface ResourceResult {
  resource: ResourceId;
  file?: string;
  document?: number;
  status: ResourceStatus;
}

export interface ValidationSummary {
  resources: number;
  valid: number;
  invalid: number;
  skipped: number;
  errors: number;
  warnings: number;
}

export interface ValidationReport {
  resources: ResourceResult[];
  findings: Finding[];
  summary: ValidationSummary;
}

export function resourceLabel(resource: ResourceId): string {
  return resource.namespace
    ? `${resource.kind}/${resource.namespace}/${resource.name}`
    : `${resource.kind}/${resource.name}`;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings in a stable order: by file, document, line, column, then severity and code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (finding: Finding): (string | number)[] => [
    finding.file ?? '',
    finding.document ?? -1,
    finding.line ?? 0,
    finding.column ?? 0,
    severityOrder[finding.severity],
    finding.code,
    finding.path ?? '',
  ];
  return [...findings].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    for (let index = 0; index < left.length; index++) {
      const x = left[index] ?? '';
      const y = right[index] ?? '';
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}

/** Verdicts and counts: a resource is invalid when an error-level finding names it. */
export function buildReport(
  resources: readonly ResourceResult[],
  findings: readonly Finding[],
): ValidationReport {
  const sorted = sortFindings(findings);
  const invalid = new Set(
    sorted
      .filter((finding) => finding.severity === 'error' && finding.resource)
      .map(
        (finding) =>
          `${finding.file ?? ''}#${finding.document ?? -1}#${identity(finding.resource)}`,
      ),
  );
  const results = resources.map((result) =>
    result.status === 'skipped'
      ? result
      : {
          ...result,
          status: invalid.has(
            `${result.file ?? ''}#${result.document ?? -1}#${identity(result.resource)}`,
          )
            ? ('invalid' as const)
            : ('valid' as const),
        },
  );
  return {
    resources: results,
    findings: sorted,
    summary: {
      resources: results.length,
      valid: results.filter((result) => result.status === 'valid').length,
      invalid: results.filter((result) => result.status === 'invalid').length,
      skipped: results.filter((result) => result.status === 'skipped').length,
      errors: sorted.filter((finding) => finding.severity === 'error').length,
      warnings: sorted.filter((finding) => finding.severity === 'warning').length,
    },
  };
}

function identity(resource: ResourceId | undefined): string {
  return resource
    ? `${resource.apiVersion}/${resource.kind}/${resource.namespace ?? ''}/${resource.name}`
    : '';
}
