/**
 * JUnit XML (the Ant/Jenkins dialect CI systems read): one test suite per file, one test case
 * per resource; error-level findings are failures, skipped resources are skipped. Findings that
 * belong to no resource (a YAML syntax error) get a test case of their own. Pure.
 */
import { escapeControls } from '../../text-safety.js';
import { resourceLabel, type Finding, type ValidationReport } from '../findings.js';

function escapeXml(text: string): string {
  return (
    // XML 1.0 forbids most control characters, even escaped: they are shown as `\x1b`, as are
    // C1 and bidi controls (CI systems print these reports).
    escapeControls(text, '\n')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface TestCase {
  name: string;
  failures: Finding[];
  skipped: boolean;
}

function describe(finding: Finding): string {
  const where = finding.line === undefined ? '' : `${finding.line}:${finding.column ?? 1} `;
  const path = finding.path ? `${finding.path}: ` : '';
  return `${where}${path}${finding.message} [${finding.code}]${finding.hint ? `\nhint: ${finding.hint}` : ''}`;
}

export function formatJunit(report: ValidationReport): string {
  const suites = new Map<string, TestCase[]>();
  const suite = (file: string | undefined): TestCase[] => {
    const key = file ?? '(no file)';
    const cases = suites.get(key) ?? [];
    suites.set(key, cases);
    return cases;
  };
  const errors = report.findings.filter((finding) => finding.severity === 'error');
  const claimed = new Set<Finding>();
  for (const result of report.resources) {
    const failures = errors.filter(
      (finding) =>
        finding.file === result.file &&
        finding.document === result.document &&
        finding.resource?.kind === result.resource.kind &&
        finding.resource.name === result.resource.name &&
        finding.resource.namespace === result.resource.namespace,
    );
    for (const failure of failures) claimed.add(failure);
    suite(result.file).push({
      name: resourceLabel(result.resource),
      failures,
      skipped: result.status === 'skipped',
    });
  }
  for (const finding of errors) {
    if (claimed.has(finding)) continue;
    suite(finding.file).push({ name: finding.code, failures: [finding], skipped: false });
  }
  const count = (cases: TestCase[]): { tests: number; failures: number; skipped: number } => ({
    tests: cases.length,
    failures: cases.filter((test) => test.failures.length > 0).length,
    skipped: cases.filter((test) => test.skipped).length,
  });
  const all = [...suites.values()].flat();
  const totals = count(all);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gitops-gen validate" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}">`,
  ];
  let id = 0;
  for (const [file, cases] of suites) {
    const counts = count(cases);
    lines.push(
      `  <testsuite id="${id++}" name="${escapeXml(file)}" tests="${counts.tests}" failures="${counts.failures}" errors="0" skipped="${counts.skipped}">`,
    );
    for (const test of cases) {
      const open = `    <testcase classname="${escapeXml(file)}" name="${escapeXml(test.name)}"`;
      if (test.failures.length === 0 && !test.skipped) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (test.skipped) lines.push('      <skipped/>');
      for (const failure of test.failures) {
        lines.push(
          `      <failure message="${escapeXml(failure.message)}" type="${escapeXml(failure.code)}">${escapeXml(describe(failure))}</failure>`,
        );
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
