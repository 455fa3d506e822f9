/**
 * Machine-readable report. Field names follow kubeconform's `-output json` where the two
 * overlap (`resources[].filename/kind/name/version/status/msg/validationErrors`,
 * `summary.valid/invalid/errors/skipped`), with gitops-gen's full findings beside them. No raw
 * C1 or bidi character reaches the output (jsonSafe). Pure.
 */
import { jsonSafe } from '../../text-safety.js';
import type { Finding, ValidationReport } from '../findings.js';

const kubeconformStatus = {
  valid: 'statusValid',
  invalid: 'statusInvalid',
  skipped: 'statusSkipped',
} as const;

export function formatJson(report: ValidationReport): string {
  const findingsOf = (
    file: string | undefined,
    document: number | undefined,
    name: string,
    kind: string,
  ): Finding[] =>
    report.findings.filter(
      (finding) =>
        finding.file === file &&
        finding.document === document &&
        finding.resource?.name === name &&
        finding.resource.kind === kind,
    );
  const resources = report.resources.map((result) => {
    const findings = findingsOf(
      result.file,
      result.document,
      result.resource.name,
      result.resource.kind,
    );
    const errors = findings.filter((finding) => finding.severity === 'error');
    return {
      filename: result.file ?? '',
      kind: result.resource.kind,
      name: result.resource.name,
      namespace: result.resource.namespace ?? '',
      version: result.resource.apiVersion,
      status: kubeconformStatus[result.status],
      msg: errors.map((finding) => finding.message).join('; '),
      validationErrors: errors.map((finding) => ({
        path: finding.path ?? '',
        msg: finding.message,
      })),
    };
  });
  return jsonSafe(
    `${JSON.stringify(
      {
        resources,
        findings: report.findings,
        summary: {
          resources: report.summary.resources,
          valid: report.summary.valid,
          invalid: report.summary.invalid,
          errors: report.summary.errors,
          warnings: report.summary.warnings,
          skipped: report.summary.skipped,
        },
      },
      null,
      2,
    )}\n`,
  );
}
