/**
 * promtool rule unit tests (`promtool test rules` format), generated with the rules they test:
 * each alert brings scenarios that make it fire after its `for` and that keep it silent just
 * under its threshold. Expected annotations are the rule's templates rendered here with the
 * scenario's labels and value, so a template change that breaks an alert's text fails the
 * test. Pure.
 */

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

export interface RuleTestCase {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertRuleTest[];
}

export interface RuleTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: RuleTestCase[];
}

/** What a scenario expects at one evaluation time: the alerts firing, with labels and value. */
export interface ExpectedFiring {
  labels: Record<string, string>;
  value: number;
}

export interface Scenario {
  name: string;
  series: InputSeries[];
  /** Minutes; every check is evaluated at that many minutes after the first sample. */
  checks: { atMinute: number; firing: ExpectedFiring[] }[];
}

/** Samples one minute apart: `start`, then `step` added `count` times (promtool's `a+bxN`). */
export function ramp(start: number, step: number, count: number): string {
  return `${formatNumber(start)}+${formatNumber(step)}x${String(count)}`;
}

/** The same value `count + 1` times. */
export function flat(value: number, count: number): string {
  return `${formatNumber(value)}x${String(count)}`;
}

/** A number as promtool and Prometheus read it back: no exponent, no float noise. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** A series selector of a test input, labels sorted. */
export function seriesOf(metric: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}="${value}"`);
  return `${metric}{${pairs.join(', ')}}`;
}

/** Go's `%.<digits>g`: significant digits, trailing zeros dropped. */
function formatSignificant(value: number, digits: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= digits) {
    const [mantissa = '', power = '0'] = value.toExponential(digits - 1).split('e');
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const sign = power.startsWith('-') ? '-' : '+';
    return `${trimmed}e${sign}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, digits - 1 - exponent));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Prometheus' `humanizeDuration` template function (seconds in, text out). */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatSignificant(seconds, 4);
  if (seconds === 0) return '0s';
  if (Math.abs(seconds) >= 1) {
    const sign = seconds < 0 ? '-' : '';
    const whole = Math.trunc(Math.abs(seconds));
    const secs = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${secs}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${secs}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${secs}s`;
    return `${sign}${formatSignificant(Math.abs(seconds), 4)}s`;
  }
  let scaled = seconds;
  let prefix = '';
  for (const next of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(scaled) >= 1) break;
    prefix = next;
    scaled *= 1000;
  }
  return `${formatSignificant(scaled, 4)}${prefix}s`;
}

/** Prometheus' `humanizePercentage`: a ratio as a percentage, four significant digits. */
export function humanizePercentage(ratio: number): string {
  return `${formatSignificant(ratio * 100, 4)}%`;
}

/**
 * Renders the template subset the rules use: `{{ $labels.name }}`, `{{ $value }}`,
 * `{{ printf "%.Nf" $value }}`, `{{ humanizeDuration $value }}` and
 * `{{ humanizePercentage $value }}`. Anything else is a programming error.
 */
export function renderTemplate(
  template: string,
  labels: Record<string, string>,
  value: number,
): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_whole, action: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action);
    if (label) return labels[label[1] ?? ''] ?? '';
    const printf = /^printf "%\.(\d)f" \$value$/.exec(action);
    if (printf) return value.toFixed(Number(printf[1]));
    if (action === 'humanizeDuration $value') return humanizeDuration(value);
    if (action === 'humanizePercentage $value') return humanizePercentage(value);
    throw new Error(`template action not supported by the test generator: {{ ${action} }}`);
  });
}

export interface TestedRule {
  alert: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The promtool test file for a rule file, from each alert's scenarios. */
export function buildRuleTests(
  ruleFile: string,
  alerts: { rule: TestedRule; scenarios: Scenario[] }[],
): RuleTestFile {
  const tests: RuleTestCase[] = [];
  for (const { rule, scenarios } of alerts) {
    for (const scenario of scenarios) {
      tests.push({
        name: `${rule.alert}: ${scenario.name}`,
        interval: '1m',
        input_series: scenario.series,
        alert_rule_test: scenario.checks.map((check) => ({
          eval_time: `${String(check.atMinute)}m`,
          alertname: rule.alert,
          exp_alerts: check.firing.map((firing) => {
            const labels = { ...firing.labels, ...rule.labels };
            return {
              exp_labels: labels,
              // Prometheus expands annotations with the series' labels, not the rule's own.
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations).map(([key, template]) => [
                  key,
                  renderTemplate(template, firing.labels, firing.value),
                ]),
              ),
            };
          }),
        })),
      });
    }
  }
  return { rule_files: [ruleFile], evaluation_interval: '1m', tests };
}

/** Minutes of a `for` such as `5m` or `4h`. */
export function minutesOf(duration: string | undefined): number {
  if (duration === undefined) return 0;
  const hours = /^(\d+)h$/.exec(duration);
  return hours ? Number(hours[1]) * 60 : Number(duration.replace(/m$/, ''));
}

/**
 * Checks that an alert is silent one minute before `for` can have passed since its condition
 * first held, and firing one minute after it surely held for `for`. `holdsFrom` is the first
 * minute the condition may hold, `surelyFrom` the first minute it must (they differ for rates,
 * which are exact only once the window is full).
 */
export function firesAfterFor(
  rule: { for?: string },
  holdsFrom: number,
  surelyFrom: number,
  firing: Scenario['checks'][number]['firing'],
): Scenario['checks'] {
  const wait = minutesOf(rule.for);
  return [
    ...(wait > 0 ? [{ atMinute: holdsFrom + wait - 1, firing: [] }] : []),
    { atMinute: surelyFrom + wait + 1, firing },
  ];
}

/** Halfway between a threshold and the ceiling, to one decimal: never a rounding tie. */
export function aboveThreshold(threshold: number, ceiling: number): number {
  return Math.round((threshold + (ceiling - threshold) / 2) * 10) / 10;
}

/** Just under a threshold: one point below, or half of it when it is small. */
export function justUnder(threshold: number): number {
  return threshold > 2 ? threshold - 1 : threshold / 2;
}
