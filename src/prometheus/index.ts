/**
 * Prometheus engine: what any stage needs to read or check Prometheus material. Owns PromQL
 * parsing and type checks (Prometheus' lezer grammar plus the Go parser's type and regex
 * checks), RE2 regexes, durations, label and metric names, Go templates of alerts, rule files
 * (`{groups: [...]}` or a PrometheusRule spec), relabelling and `prometheus.yml`. Every check is
 * a pure function returning `Finding[]` with codes `promql/...`, `prometheus-rules/...` and
 * `prometheus-config/...`; the promtool runner (promtool.ts, the only module that starts a
 * process) adds `promtool/...` findings. It must not import a stage (config, stack, render,
 * validate, publish, cli); config uses it to check environment files, validate to check trees.
 */
export {
  parsePromql,
  offsetPosition,
  unquotePromql,
  type LabelMatcher,
  type MatchOperator,
  type PromqlError,
  type PromqlOptions,
  type PromqlParseResult,
  type PromqlTree,
  type ValueType,
} from './promql.js';
export { promqlAggregations, promqlFunctions, type FunctionSignature } from './promql-functions.js';
export { compileRe2, type Re2Matcher, type Re2Result } from './re2.js';
export { parseDuration, durationOf } from './duration.js';
export {
  alertTemplateOptions,
  checkGoTemplate,
  type TemplateError,
  type TemplateOptions,
} from './go-template.js';
export {
  checkRuleGroups,
  requiredAnnotations,
  severityLabel,
  type RuleCheckOptions,
} from './rules.js';
export {
  checkPrometheusConfig,
  kubernetesRoles,
  defaultScrapeIntervalMs,
  defaultScrapeTimeoutMs,
  type PrometheusConfigOptions,
} from './config.js';
export { relabelActions } from './relabel.js';
export { isValidLabelName, isValidMetricName, type NameValidation } from './names.js';
export {
  loadSource,
  makeFinding,
  type FindingSource,
  type LoadedSource,
  type ObjectPath,
  type Position,
} from './source.js';
export {
  PromtoolRuleChecks,
  runPromtool,
  runPromtoolRules,
  runRuleTests,
  type PromtoolOptions,
  type PromtoolResult,
} from './promtool.js';
