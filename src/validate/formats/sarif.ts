/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per finding code, one result per finding,
 * located by file (relative to the repository root) and line. Typed with the SARIF schema's
 * own TypeScript definitions (@types/sarif). Pure.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { jsonSafe } from '../../text-safety.js';
import type { Finding, ValidationReport } from '../findings.js';

const levels = { error: 'error', warning: 'warning', info: 'note' } as const;

export interface SarifOptions {
  toolVersion: string;
}

export function buildSarif(report: ValidationReport, options: SarifOptions): Log {
  const codes = [...new Set(report.findings.map((finding) => finding.code))].sort();
  const rules: ReportingDescriptor[] = codes.map((code) => {
    const first = report.findings.find((finding) => finding.code === code);
    return {
      id: code,
      name: code.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) =>
        (next ?? '').toUpperCase(),
      ),
      shortDescription: { text: code },
      defaultConfiguration: { level: levels[first?.severity ?? 'error'] },
    };
  });
  const result = (finding: Finding): Result => ({
    ruleId: finding.code,
    ruleIndex: codes.indexOf(finding.code),
    level: levels[finding.severity],
    message: {
      text: [
        finding.path ? `${finding.path}: ${finding.message}` : finding.message,
        finding.hint ? `Hint: ${finding.hint}` : '',
      ]
        .filter((part) => part !== '')
        .join(' '),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.file ?? '.', uriBaseId: '%SRCROOT%' },
          ...(finding.line === undefined
            ? {}
            : { region: { startLine: finding.line, startColumn: finding.column ?? 1 } }),
        },
      },
    ],
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitops-gen',
            version: options.toolVersion,
            informationUri: 'https://github.com/gitops-gen/gitops-gen',
            rules,
          },
        },
        results: report.findings.map(result),
      },
    ],
  };
}

export function formatSarif(report: ValidationReport, options: SarifOptions): string {
  // No raw C1 or bidi character: JSON.stringify escapes only C0.
  return jsonSafe(`${JSON.stringify(buildSarif(report, options), null, 2)}\n`);
}
