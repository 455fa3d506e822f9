/**
 * The report for people: findings grouped by file, each with line:column, severity, the path
 * inside the object, the message, the object and a hint; then one summary line. Colour only
 * when the caller says so (the CLI decides from the terminal, NO_COLOR and --no-color). Every
 * text from the files (names, paths, messages that quote values) has its control characters
 * escaped, so that a terminal escape sequence in a manifest is shown, never obeyed. Pure.
 */
import { clip, quoteLimit, terminalText } from '../../text-safety.js';
import { resourceLabel, type Finding, type ValidationReport } from '../findings.js';

/** A line break inside a message continues under the message's column. */
const continued = `\n${' '.repeat(11)}`;
const safe = (text: string): string => terminalText(text, continued);

const codes = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
type Style = keyof typeof codes;

export function summaryLine(report: ValidationReport): string {
  const { summary } = report;
  const plural = (count: number, word: string): string =>
    `${count} ${word}${count === 1 ? '' : 's'}`;
  return [
    plural(summary.resources, 'resource'),
    `${summary.valid} valid`,
    `${summary.invalid} invalid`,
    plural(summary.errors, 'error'),
    plural(summary.warnings, 'warning'),
    `${summary.skipped} skipped`,
  ].join(', ');
}

export function formatHuman(report: ValidationReport, options: { color: boolean }): string {
  const paint = (style: Style, text: string): string =>
    options.color ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;
  const groups = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const file = finding.file === undefined ? '(no file)' : terminalText(finding.file);
    groups.set(file, [...(groups.get(file) ?? []), finding]);
  }
  let text = '';
  for (const [file, findings] of groups) {
    text += `${paint('bold', file)}\n`;
    for (const finding of findings) {
      const where = finding.line === undefined ? '' : `${finding.line}:${finding.column ?? 1}`;
      const severity =
        finding.severity === 'error'
          ? paint('red', 'error')
          : finding.severity === 'warning'
            ? paint('yellow', 'warning')
            : paint('cyan', 'info');
      const path = finding.path ? `${safe(clip(finding.path, 2 * quoteLimit))}: ` : '';
      text += `  ${where.padEnd(8)} ${severity.padEnd(options.color ? 16 : 7)} ${path}${safe(finding.message)}  ${paint('dim', safe(finding.code))}\n`;
      const details: string[] = [];
      if (finding.resource)
        details.push(safe(clip(resourceLabel(finding.resource), 2 * quoteLimit)));
      if (finding.document !== undefined && finding.document > 0) {
        details.push(`document ${finding.document + 1}`);
      }
      if (details.length > 0) text += `  ${' '.repeat(8)} ${paint('dim', details.join(', '))}\n`;
      if (finding.hint) text += `  ${' '.repeat(8)} hint: ${safe(finding.hint)}\n`;
    }
    text += '\n';
  }
  const summary = summaryLine(report);
  const failed = report.summary.errors > 0;
  return `${text}${failed ? paint('red', summary) : summary}\n`;
}
