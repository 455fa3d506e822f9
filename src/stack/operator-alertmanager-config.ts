/**
 * Operator mode's optional `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1, named
 * `mlflow-alerts`, in the environment's namespace): the team's receivers, routes, inhibit rules
 * and time intervals for the cluster's own Alertmanager, which the Prometheus Operator merges into
 * its configuration. Routing is the standalone stack's (buildAlertmanagerConfig in
 * alertmanager-config.ts: critical route, team routes, Watchdog sink, inhibitions of the symptoms
 * of a server that is down), translated field by field to the CRD's camelCase shape, so that both
 * modes route alike. Credentials are secretKeySelectors into `alertmanager.secretName` (which
 * must live in the environment's namespace, as the CRD requires); nothing secret is written.
 * Pure. Hand-written: no library holds these CRD types for TypeScript with the Operator's rules.
 *
 * What the Operator does with it (pkg/alertmanager/amcfg.go, v0.93): every receiver and time
 * interval name becomes `<namespace>/mlflow-alerts/<name>` (routes' references too); the top
 * route is put first among the root's children with `continue: true`, so the cluster's own
 * routes still see every alert; and with the default `alertmanagerConfigMatcherStrategy`
 * (OnNamespace) it appends the matcher `namespace="<environment namespace>"` to that top route
 * and to both sides of every inhibit rule. Hence ONLY ALERTS CARRYING THE LABEL
 * `namespace: <environment namespace>` REACH THESE RECEIVERS. Our alerts do not carry it by
 * themselves: most aggregate (`sum(up{...}) == 0`, `histogram_quantile(0.95, sum by (job, le)
 * ...)`) and have no `namespace`; the container alerts have the MLflow or model-server pod's
 * namespace. So each rule of the PrometheusRule needs `labels.namespace: <environment
 * namespace>` (a rule label overrides the series label; annotations still see the series' own
 * `$labels.namespace`, and a templated label such as `pod_namespace: '{{ $labels.namespace }}'`
 * can keep it), unless the Prometheus custom resource sets `enforcedNamespaceLabel: namespace`,
 * which puts the PrometheusRule's namespace on every alert itself. With the strategy `OnNamespaceExceptForAlertmanagerNamespace` and an environment in
 * the Alertmanager's own namespace, no matcher is added and these routes see every alert of the
 * cluster; with `None`, likewise.
 *
 * What the CRD cannot say, reported by alertmanagerConfigGaps for the config stage to refuse at
 * the environment file's line: message templates (no `templates` field: they belong to the
 * Alertmanager custom resource), a time interval's `location` (v1alpha1 and v1beta1 have none:
 * times are UTC), years outside 2000-2999 (the CRD's pattern `^2\d{3}`), and, as a warning,
 * matchers on `namespace` that the injected namespace matcher makes dead.
 */
import type {
  AlertmanagerReceiver,
  AlertmanagerSettings,
  AlertmanagerTimeInterval,
  AlertmanagerUserRoute,
  EnvironmentConfig,
} from '../config/environment.js';
import {
  parseAlertmanagerMatcher,
  type ParsedMatcher,
} from '../config/resolve-alertmanager-routes.js';
import { compileRe2 } from '../prometheus/re2.js';
import {
  buildAlertmanagerConfig,
  type AlertmanagerRoute,
  type InhibitRule,
} from './alertmanager-config.js';
import { partOf } from './components.js';

/** A key of a Secret in the AlertmanagerConfig's own namespace (core/v1 SecretKeySelector). */
export interface SecretKeySelector {
  name: string;
  key: string;
}

/** v1alpha1 Matcher; `matchType` replaces the deprecated `regex` flag (Alertmanager >= 0.22). */
export interface OperatorMatcher {
  name: string;
  value: string;
  matchType: '=' | '!=' | '=~' | '!~';
}

/** v1alpha1 Route; child routes are free JSON to the API server, decoded strictly by the Operator. */
export interface OperatorRoute {
  receiver?: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  matchers?: OperatorMatcher[];
  continue?: boolean;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: OperatorRoute[];
}

interface HttpConfig {
  /** SafeAuthorization; the Operator writes type `Bearer` when none is given. */
  authorization: { credentials: SecretKeySelector };
}

export interface OperatorReceiver {
  name: string;
  slackConfigs?: { apiURL: SecretKeySelector; channel: string; sendResolved: boolean }[];
  pagerdutyConfigs?: { routingKey: SecretKeySelector; sendResolved: boolean }[];
  webhookConfigs?: { url: string; sendResolved: boolean; httpConfig?: HttpConfig }[];
  emailConfigs?: {
    to: string;
    from: string;
    smarthost: string;
    authUsername?: string;
    authPassword?: SecretKeySelector;
    sendResolved: boolean;
  }[];
}

export interface OperatorInhibitRule {
  sourceMatch: OperatorMatcher[];
  targetMatch: OperatorMatcher[];
  equal?: string[];
}

/** v1alpha1 TimeInterval: no `location`; days of the month are numbers. */
export interface OperatorTimeInterval {
  times?: { startTime: string; endTime: string }[];
  weekdays?: string[];
  daysOfMonth?: { start: number; end: number }[];
  months?: string[];
  years?: string[];
}

export interface OperatorMuteTimeInterval {
  name: string;
  timeIntervals: OperatorTimeInterval[];
}

export interface OperatorAlertmanagerConfig {
  apiVersion: 'monitoring.coreos.com/v1alpha1';
  kind: 'AlertmanagerConfig';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    route: OperatorRoute;
    receivers: OperatorReceiver[];
    inhibitRules?: OperatorInhibitRule[];
    muteTimeIntervals?: OperatorMuteTimeInterval[];
  };
}

export const operatorAlertmanagerConfigName = 'mlflow-alerts';

/** Matchers were checked when the environment was resolved; a failure here is a bug. */
export function operatorMatcher(text: string): OperatorMatcher {
  const parsed = parseAlertmanagerMatcher(text);
  if (!parsed.ok) throw new Error(`unchecked Alertmanager matcher ${text}: ${parsed.message}`);
  const { name, operator, value } = parsed.matcher;
  return { name, value, matchType: operator };
}

function operatorRoute(route: AlertmanagerRoute): OperatorRoute {
  return {
    ...(route.receiver === undefined ? {} : { receiver: route.receiver }),
    ...(route.group_by === undefined ? {} : { groupBy: [...route.group_by] }),
    ...(route.group_wait === undefined ? {} : { groupWait: route.group_wait }),
    ...(route.group_interval === undefined ? {} : { groupInterval: route.group_interval }),
    ...(route.repeat_interval === undefined ? {} : { repeatInterval: route.repeat_interval }),
    ...(route.matchers === undefined ? {} : { matchers: route.matchers.map(operatorMatcher) }),
    ...(route.continue === undefined ? {} : { continue: route.continue }),
    ...(route.mute_time_intervals === undefined
      ? {}
      : { muteTimeIntervals: [...route.mute_time_intervals] }),
    ...(route.active_time_intervals === undefined
      ? {}
      : { activeTimeIntervals: [...route.active_time_intervals] }),
    ...(route.routes === undefined ? {} : { routes: route.routes.map(operatorRoute) }),
  };
}

function operatorInhibitRule(rule: InhibitRule): OperatorInhibitRule {
  return {
    sourceMatch: rule.source_matchers.map(operatorMatcher),
    targetMatch: rule.target_matchers.map(operatorMatcher),
    ...(rule.equal.length > 0 ? { equal: [...rule.equal] } : {}),
  };
}

function operatorReceiver(receiver: AlertmanagerReceiver, secretName: string): OperatorReceiver {
  const secret = (key: string): SecretKeySelector => ({ name: secretName, key });
  switch (receiver.type) {
    case 'slack':
      return {
        name: receiver.name,
        slackConfigs: [
          { apiURL: secret(receiver.apiUrlKey), channel: receiver.channel, sendResolved: true },
        ],
      };
    case 'pagerduty':
      return {
        name: receiver.name,
        pagerdutyConfigs: [{ routingKey: secret(receiver.routingKeyKey), sendResolved: true }],
      };
    case 'email':
      return {
        name: receiver.name,
        emailConfigs: [
          {
            to: receiver.to,
            from: receiver.from,
            smarthost: receiver.smarthost,
            ...(receiver.authUsername === undefined ? {} : { authUsername: receiver.authUsername }),
            ...(receiver.authPasswordKey === undefined
              ? {}
              : { authPassword: secret(receiver.authPasswordKey) }),
            sendResolved: true,
          },
        ],
      };
    case 'webhook':
      // The URL is not a credential in the environment file (standalone writes it in
      // alertmanager.yml too); the bearer token is, hence `authorization.credentials`.
      return {
        name: receiver.name,
        webhookConfigs: [
          {
            url: receiver.url,
            sendResolved: true,
            ...(receiver.bearerTokenKey === undefined
              ? {}
              : {
                  httpConfig: { authorization: { credentials: secret(receiver.bearerTokenKey) } },
                }),
          },
        ],
      };
  }
}

/** `start:end` or a single value, as Alertmanager's range syntax (checked at resolve). */
function rangeOf(text: string): [string, string] {
  const [start = text, end = start] = text.split(':');
  return [start, end];
}

/**
 * The CRD's weekday and month patterns are case-insensitive only before the colon, and
 * Alertmanager compares names in lower case anyway: lower-casing keeps the meaning.
 */
const lowerCase = (text: string): string => text.toLowerCase();

function operatorTimeInterval(
  interval: AlertmanagerTimeInterval['time_intervals'][number],
): OperatorTimeInterval {
  return {
    ...(interval.times === undefined
      ? {}
      : {
          times: interval.times.map((time) => ({
            startTime: time.start_time,
            endTime: time.end_time,
          })),
        }),
    ...(interval.weekdays === undefined ? {} : { weekdays: interval.weekdays.map(lowerCase) }),
    ...(interval.days_of_month === undefined
      ? {}
      : {
          daysOfMonth: interval.days_of_month.map((days) => {
            const [start, end] = rangeOf(days);
            return { start: Number(start), end: Number(end) };
          }),
        }),
    ...(interval.months === undefined ? {} : { months: interval.months.map(lowerCase) }),
    ...(interval.years === undefined ? {} : { years: [...interval.years] }),
  };
}

/**
 * The AlertmanagerConfig of an environment. Throws when alertmanagerConfigGaps reports an error
 * (the config stage refuses those first): rendering them would silently change the routing.
 */
export function buildOperatorAlertmanagerConfig(
  environment: EnvironmentConfig,
): OperatorAlertmanagerConfig {
  const blocking = alertmanagerConfigGaps(environment.alertmanager).filter(
    (gap) => gap.severity === 'error',
  );
  if (blocking[0]) throw new Error(`AlertmanagerConfig: ${blocking[0].message}`);
  const { receivers, secretName } = environment.alertmanager;
  const standalone = buildAlertmanagerConfig(environment);
  const configured = new Set(receivers.map((receiver) => receiver.name));
  // Receivers the routing adds without configs (the Watchdog sink): kept as they are.
  const sinks = standalone.receivers.filter((receiver) => !configured.has(receiver.name));
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: operatorAlertmanagerConfigName,
      namespace: environment.namespace,
      labels: { 'app.kubernetes.io/part-of': partOf },
    },
    spec: {
      // The Operator sets `continue: true` and the namespace matcher on this route itself.
      route: operatorRoute(standalone.route),
      receivers: [
        ...receivers.map((receiver) => operatorReceiver(receiver, secretName)),
        ...sinks.map((sink) => ({ name: sink.name })),
      ],
      ...(standalone.inhibit_rules.length > 0
        ? { inhibitRules: standalone.inhibit_rules.map(operatorInhibitRule) }
        : {}),
      ...(standalone.time_intervals === undefined
        ? {}
        : {
            muteTimeIntervals: standalone.time_intervals.map((timeInterval) => ({
              name: timeInterval.name,
              timeIntervals: timeInterval.time_intervals.map(operatorTimeInterval),
            })),
          }),
    },
  };
}

/** Something of `alertmanager` that an AlertmanagerConfig cannot carry as written. */
export interface AlertmanagerConfigGap {
  /** Key path in the environment file, for `report` (resolve-context.ts) to locate. */
  keyPath: string[];
  code: string;
  message: string;
  hint: string;
  /** `error`: cannot be rendered faithfully; `warning`: renders, but likely never matches. */
  severity: 'error' | 'warning';
}

/** The CRD's YearRange pattern (v1alpha1 `+kubebuilder:validation:Pattern`). */
const crdYearRange = /^2\d{3}(?::2\d{3}|$)/;

/** Whether an alert whose label holds `value` passes the matcher (RE2, fully anchored). */
function acceptsValue(matcher: ParsedMatcher, value: string): boolean {
  switch (matcher.operator) {
    case '=':
      return matcher.value === value;
    case '!=':
      return matcher.value !== value;
    default: {
      const compiled = compileRe2(matcher.value);
      const matches = compiled.ok && compiled.matcher.matches(value);
      return matcher.operator === '=~' ? matches : !matches;
    }
  }
}

function namespaceMatcherGaps(
  matchers: readonly string[] | undefined,
  keyPath: string[],
  namespace: string,
  where: string,
): AlertmanagerConfigGap[] {
  return (matchers ?? []).flatMap((text, index) => {
    const parsed = parseAlertmanagerMatcher(text);
    if (!parsed.ok || parsed.matcher.name !== 'namespace') return [];
    if (acceptsValue(parsed.matcher, namespace)) return [];
    return [
      {
        keyPath: [...keyPath, String(index)],
        code: 'config/operator-alertmanager-namespace-matcher',
        message: `${where} matcher ${text}: the Prometheus Operator only lets alerts labelled namespace="${namespace}" into this AlertmanagerConfig (its default alertmanagerConfigMatcherStrategy OnNamespace), so this matcher, which refuses that namespace, never matches`,
        hint: `drop the namespace matcher, or route alerts of other namespaces in the cluster's own Alertmanager configuration`,
        severity: 'warning',
      },
    ];
  });
}

function routeGaps(
  routes: readonly AlertmanagerUserRoute[],
  keyPath: string[],
  namespace: string,
): AlertmanagerConfigGap[] {
  return routes.flatMap((route, index) => {
    const at = [...keyPath, String(index)];
    return [
      ...namespaceMatcherGaps(route.matchers, [...at, 'matchers'], namespace, 'route'),
      ...routeGaps(route.routes ?? [], [...at, 'routes'], namespace),
    ];
  });
}

/**
 * What of `alertmanager` an AlertmanagerConfig cannot say (see the header), for the config stage
 * to report when operator mode renders one. `namespace` is the environment's namespace.
 */
export function alertmanagerConfigGaps(
  alertmanager: AlertmanagerSettings,
  namespace?: string,
): AlertmanagerConfigGap[] {
  const gaps: AlertmanagerConfigGap[] = [];
  if (alertmanager.templates.length > 0) {
    gaps.push({
      keyPath: ['alertmanager', 'templates'],
      code: 'config/operator-alertmanager-templates',
      message:
        'an AlertmanagerConfig cannot carry message templates (the CRD has no templates field): the cluster Alertmanager loads templates itself',
      hint: "add the template files to the cluster's Alertmanager (kube-prometheus-stack: alertmanager.templateFiles) and remove alertmanager.templates, or set operator.alertmanagerConfig: false",
      severity: 'error',
    });
  }
  alertmanager.timeIntervals.forEach((timeInterval, index) => {
    timeInterval.time_intervals.forEach((interval, intervalIndex) => {
      const at = ['alertmanager', 'timeIntervals', String(index), 'time_intervals'];
      const keyPath = [...at, String(intervalIndex)];
      if (interval.location !== undefined) {
        gaps.push({
          keyPath: [...keyPath, 'location'],
          code: 'config/operator-alertmanager-time-zone',
          message: `time interval ${timeInterval.name}: an AlertmanagerConfig time interval has no location (monitoring.coreos.com/v1alpha1 and v1beta1 lack the field), so the Operator would evaluate it in UTC, not ${interval.location}`,
          hint: 'write the times in UTC and remove location',
          severity: 'error',
        });
      }
      interval.years?.forEach((years, yearIndex) => {
        if (crdYearRange.test(years)) return;
        gaps.push({
          keyPath: [...keyPath, 'years', String(yearIndex)],
          code: 'config/operator-alertmanager-year',
          message: `time interval ${timeInterval.name}: the AlertmanagerConfig CRD accepts only years 2000 to 2999 (pattern ^2\\d{3}), not ${years}`,
          hint: 'give years such as 2026 or 2026:2027',
          severity: 'error',
        });
      });
    });
  });
  if (namespace !== undefined) {
    gaps.push(...routeGaps(alertmanager.routes, ['alertmanager', 'routes'], namespace));
    alertmanager.inhibitRules.forEach((rule, index) => {
      const at = ['alertmanager', 'inhibitRules', String(index)];
      for (const key of ['source_matchers', 'target_matchers'] as const) {
        gaps.push(...namespaceMatcherGaps(rule[key], [...at, key], namespace, 'inhibit rule'));
      }
    });
  }
  return gaps;
}
