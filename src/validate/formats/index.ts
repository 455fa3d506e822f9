/** Report formats of `gitops-gen validate`: human, json, junit, sarif and github. Pure. */
import type { ValidationReport } from '../findings.js';
import { formatGithub } from './github.js';
import { formatHuman } from './human.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';

export const outputFormats = ['human', 'json', 'junit', 'sarif', 'github'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface FormatOptions {
  color: boolean;
  toolVersion: string;
}

export function formatReport(
  report: ValidationReport,
  format: OutputFormat,
  options: FormatOptions,
): string {
  switch (format) {
    case 'human':
      return formatHuman(report, { color: options.color });
    case 'json':
      return formatJson(report);
    case 'junit':
      return formatJunit(report);
    case 'sarif':
      return formatSarif(report, { toolVersion: options.toolVersion });
    case 'github':
      return formatGithub(report);
  }
}

export { summaryLine } from './human.js';
