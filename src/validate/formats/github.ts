/**
 * GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per finding,
 * so findings show up as annotations on the pull request's files. Pure.
 */
import { escapeControls } from '../../text-safety.js';
import type { Finding, ValidationReport } from '../findings.js';
import { summaryLine } from './human.js';

/**
 * Workflow command escaping: data escapes %, CR, LF; properties also `:` and `,`. Other control
 * characters are shown as escapes (`\x1b`): the commands land in a log that a terminal may show.
 */
const escapeData = (text: string): string =>
  escapeControls(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
const escapeProperty = (text: string): string =>
  escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

const commands = { error: 'error', warning: 'warning', info: 'notice' } as const;

function annotation(finding: Finding): string {
  const properties: string[] = [];
  if (finding.file) properties.push(`file=${escapeProperty(finding.file)}`);
  if (finding.line !== undefined) properties.push(`line=${finding.line}`);
  if (finding.column !== undefined) properties.push(`col=${finding.column}`);
  properties.push(`title=${escapeProperty(finding.code)}`);
  const message = [finding.path ? `${finding.path}: ${finding.message}` : finding.message];
  if (finding.hint) message.push(`hint: ${finding.hint}`);
  return `::${commands[finding.severity]} ${properties.join(',')}::${escapeData(message.join('\n'))}`;
}

export function formatGithub(report: ValidationReport): string {
  return [...report.findings.map(annotation), summaryLine(report)].join('\n') + '\n';
}
