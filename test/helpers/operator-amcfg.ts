/**
 * What the Prometheus Operator makes of an AlertmanagerConfig, for tests that then load the
 * result in the real amtool and Alertmanager. Follows pkg/alertmanager/amcfg.go of
 * prometheus-operator v0.93 (ConfigBuilder.AddAlertmanagerConfigs with the default matcher
 * strategy OnNamespace, Alertmanager >= 0.22): receiver and time interval names become
 * `<namespace>/<name>/<name>` (route references too, makeNamespacedString), the top route gets
 * `continue: true` and the matcher `namespace="<namespace>"` and goes first among the root's
 * children, every inhibit rule gets that matcher on both sides, matchers are written
 * `name<op>"value"` with OpenMetrics escaping (Matcher.String), secretKeySelectors are replaced
 * by the Secret's values, and the time intervals are appended to `mute_time_intervals`. Only the
 * fields gitops-gen renders are converted; an unexpected field fails the conversion.
 */
import type {
  OperatorAlertmanagerConfig,
  OperatorInhibitRule,
  OperatorMatcher,
  OperatorReceiver,
  OperatorRoute,
  OperatorTimeInterval,
  SecretKeySelector,
} from '../../src/stack/operator-alertmanager-config.js';

/** The cluster's own alertmanager.yml, as kube-prometheus-stack ships it by default. */
export const kubePrometheusStackBase = {
  route: {
    receiver: 'null',
    group_by: ['namespace'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '12h',
    routes: [{ receiver: 'null', matchers: ['alertname="Watchdog"'] }],
  },
  receivers: [{ name: 'null' }],
  inhibit_rules: [] as Record<string, unknown>[],
};

/** The values of the Secrets the selectors read: `<secret name>/<key>` -> value. */
export type SecretValues = Record<string, string>;

type YamlObject = Record<string, unknown>;

function openMetricsEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function matcherString(matcher: OperatorMatcher): string {
  return `${matcher.name}${matcher.matchType}"${openMetricsEscape(matcher.value)}"`;
}

export function convertOperatorAlertmanagerConfig(
  resource: OperatorAlertmanagerConfig,
  secrets: SecretValues,
  base: typeof kubePrometheusStackBase = kubePrometheusStackBase,
): YamlObject {
  const { namespace, name } = resource.metadata;
  const prefixed = (text: string): string => `${namespace}/${name}/${text}`;
  const namespaceMatcher = matcherString({ name: 'namespace', value: namespace, matchType: '=' });
  const secret = (selector: SecretKeySelector): string => {
    const value = secrets[`${selector.name}/${selector.key}`];
    if (value === undefined)
      throw new Error(`secret ${namespace}/${selector.name} has no key ${selector.key}`);
    return value;
  };

  const route = (input: OperatorRoute): YamlObject => {
    const known = new Set([
      'receiver',
      'groupBy',
      'groupWait',
      'groupInterval',
      'repeatInterval',
      'matchers',
      'continue',
      'muteTimeIntervals',
      'activeTimeIntervals',
      'routes',
    ]);
    // The Operator decodes child routes with DisallowUnknownFields.
    const unknown = Object.keys(input).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new Error(`route has unknown fields ${unknown.join(', ')}`);
    return {
      ...(input.receiver ? { receiver: prefixed(input.receiver) } : {}),
      ...(input.groupBy ? { group_by: input.groupBy } : {}),
      ...(input.groupWait ? { group_wait: input.groupWait } : {}),
      ...(input.groupInterval ? { group_interval: input.groupInterval } : {}),
      ...(input.repeatInterval ? { repeat_interval: input.repeatInterval } : {}),
      ...(input.continue ? { continue: true } : {}),
      ...(input.matchers ? { matchers: input.matchers.map(matcherString) } : {}),
      ...(input.routes ? { routes: input.routes.map(route) } : {}),
      ...(input.muteTimeIntervals
        ? { mute_time_intervals: input.muteTimeIntervals.map(prefixed) }
        : {}),
      ...(input.activeTimeIntervals
        ? { active_time_intervals: input.activeTimeIntervals.map(prefixed) }
        : {}),
    };
  };

  const receiver = (input: OperatorReceiver): YamlObject => ({
    name: prefixed(input.name),
    ...(input.slackConfigs
      ? {
          slack_configs: input.slackConfigs.map((config) => ({
            send_resolved: config.sendResolved,
            channel: config.channel,
            api_url: secret(config.apiURL),
          })),
        }
      : {}),
    ...(input.pagerdutyConfigs
      ? {
          pagerduty_configs: input.pagerdutyConfigs.map((config) => ({
            send_resolved: config.sendResolved,
            routing_key: secret(config.routingKey),
          })),
        }
      : {}),
    ...(input.webhookConfigs
      ? {
          webhook_configs: input.webhookConfigs.map((config) => ({
            send_resolved: config.sendResolved,
            url: config.url,
            ...(config.httpConfig
              ? {
                  http_config: {
                    authorization: {
                      type: 'Bearer',
                      credentials: secret(config.httpConfig.authorization.credentials),
                    },
                  },
                }
              : {}),
          })),
        }
      : {}),
    ...(input.emailConfigs
      ? {
          email_configs: input.emailConfigs.map((config) => ({
            send_resolved: config.sendResolved,
            to: config.to,
            from: config.from,
            smarthost: config.smarthost,
            ...(config.authUsername ? { auth_username: config.authUsername } : {}),
            ...(config.authPassword ? { auth_password: secret(config.authPassword) } : {}),
          })),
        }
      : {}),
  });

  const inhibitRule = (input: OperatorInhibitRule): YamlObject => ({
    source_matchers: [...input.sourceMatch.map(matcherString), namespaceMatcher],
    target_matchers: [...input.targetMatch.map(matcherString), namespaceMatcher],
    ...(input.equal ? { equal: input.equal } : {}),
  });

  const range = ({ start, end }: { start: number; end: number }): string =>
    start === end ? String(start) : `${String(start)}:${String(end)}`;
  const timeInterval = (input: OperatorTimeInterval): YamlObject => ({
    ...(input.times
      ? {
          times: input.times.map((time) => ({
            start_time: time.startTime,
            end_time: time.endTime,
          })),
        }
      : {}),
    ...(input.weekdays ? { weekdays: input.weekdays } : {}),
    ...(input.daysOfMonth ? { days_of_month: input.daysOfMonth.map(range) } : {}),
    ...(input.months ? { months: input.months } : {}),
    ...(input.years ? { years: input.years } : {}),
  });

  // ValidateAlertmanagerConfig (pkg/alertmanager/validation/v1alpha1): "root route must define
  // a receiver"; the other references are checked by amtool once the names are prefixed.
  if (!resource.spec.route.receiver) throw new Error('root route must define a receiver');
  const top = { ...route(resource.spec.route), continue: true } as YamlObject & {
    matchers?: string[];
  };
  top.matchers = [...(top.matchers ?? []), namespaceMatcher];
  return {
    route: { ...base.route, routes: [top, ...base.route.routes] },
    receivers: [...base.receivers, ...resource.spec.receivers.map(receiver)],
    inhibit_rules: [...base.inhibit_rules, ...(resource.spec.inhibitRules ?? []).map(inhibitRule)],
    ...(resource.spec.muteTimeIntervals
      ? {
          mute_time_intervals: resource.spec.muteTimeIntervals.map((interval) => ({
            name: prefixed(interval.name),
            time_intervals: interval.timeIntervals.map(timeInterval),
          })),
        }
      : {}),
  };
}
