/**
 * The parts of the environment file's JSON Schema about rules and alerts beyond the spec's seven:
 * the team's own Prometheus rule files (`prometheus.additionalRuleFiles`) and the alert
 * switches (`alerts.metaMonitoring`, `alerts.runbookBaseUrl`). Kept apart from schema.ts only for
 * size; schema.ts assembles the whole.
 */

/** `prometheus.additionalRuleFiles`: the team's own rule files, shipped beside ours. */
export const additionalRuleFilesSchema = {
  type: 'array',
  description:
    'Paths or globs (relative to the environments folder) of Prometheus rule files (alerting and recording rules), shipped in the rules ConfigMap beside ours and checked like ours; a promtool test `<name>.test.yml` next to a rule file is shipped too and run by `validate --rule-tests`.',
  items: { type: 'string', minLength: 1 },
} as const;

/** `alerts.metaMonitoring`: the alerts that watch the monitoring stack itself. */
export const metaMonitoringSchema = {
  type: 'boolean',
  description:
    "Meta-monitoring alerts (default true): Watchdog (always firing, for a dead man's switch), PrometheusTargetDown, rule-evaluation, notification, TSDB and Alertmanager failures.",
} as const;

/** `alerts.runbookBaseUrl`: where each alert's runbook lives. */
export const runbookBaseUrlSchema = {
  type: 'string',
  format: 'http-url',
  description:
    'Every alert gets the annotation `runbook_url: <base>/<AlertName>`; none when unset.',
} as const;
