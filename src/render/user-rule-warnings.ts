/**
 * Render-time warnings for the team's rule files (`prometheus.additionalRuleFiles`): the
 * catalogue cross-check of validate (validate/catalogue.ts) run on each rule's `expr` against
 * the environment's own prometheus.yml, so that an alert on a job nobody scrapes, or on a metric
 * no configured target exports, is reported at the rule file's line as soon as it is rendered
 * (validate reports the same on the rendered ConfigMap). Prometheus itself loads such rules:
 * they are warnings here, never a reason to refuse the render. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import type { Finding } from '../findings.js';
import { loadSource, type ObjectPath } from '../prometheus/index.js';
import { buildPrometheusConfig } from '../stack/prometheus-config.js';
import { checkQueries, scrapeJobs, type QueryUse } from '../validate/catalogue.js';

/** Structurally a RenderWarning of render/index.ts (which imports this module). */
export interface UserRuleWarning {
  environment: string;
  code: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The alert and record expressions of a parsed rule file, with where each lies. */
function queriesOf(file: string, text: string): QueryUse[] {
  const { value, source } = loadSource(file, text, { codePrefix: 'prometheus-rules' });
  if (!isRecord(value) || !Array.isArray(value.groups)) return [];
  const uses: QueryUse[] = [];
  value.groups.forEach((group: unknown, groupIndex) => {
    if (!isRecord(group) || !Array.isArray(group.rules)) return;
    group.rules.forEach((rule: unknown, ruleIndex) => {
      if (!isRecord(rule) || typeof rule.expr !== 'string') return;
      const kind = typeof rule.alert === 'string' ? 'alert' : 'record';
      const name = typeof rule.alert === 'string' ? rule.alert : String(rule.record);
      const path: ObjectPath = ['groups', groupIndex, 'rules', ruleIndex, 'expr'];
      uses.push({
        expr: rule.expr,
        kind,
        name,
        where: () => ({ file, ...source.locate?.(path) }),
      });
    });
  });
  return uses;
}

function located(finding: Finding): string {
  const position =
    finding.line === undefined ? '' : `:${String(finding.line)}:${String(finding.column ?? 1)}`;
  return `${finding.file ?? ''}${position}: ${finding.message} (${finding.hint ?? ''})`;
}

export function userRuleWarnings(environment: EnvironmentConfig): UserRuleWarning[] {
  const files = environment.prometheus.additionalRuleFiles;
  // In operator mode the cluster's Prometheus scrapes jobs this tree does not describe.
  if (files.length === 0 || environment.mode === 'operator') return [];
  const jobs = scrapeJobs(buildPrometheusConfig(environment));
  const uses = files.flatMap((file) => queriesOf(file.path, file.text));
  return checkQueries(uses, jobs).map((finding) => ({
    environment: environment.name,
    code: finding.code,
    message: located(finding),
  }));
}
