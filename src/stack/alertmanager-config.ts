/**
 * Builds `alertmanager.yml` for one environment: the routing tree (critical alerts to their own
 * receiver, repeated more often), inhibitions that silence the symptoms of a server that is
 * down, and receivers whose credentials are files from the environment's Secret, so that no
 * URL with a token and no key is ever written to Git. The team's routes, inhibit rules, message
 * templates and time intervals (alertmanager.routes, .inhibitRules, .templates, .timeIntervals)
 * join ours. Only fields Alertmanager 0.25 and later understand. Pure.
 */
import type {
  AlertmanagerReceiver,
  AlertmanagerTimeInterval,
  EnvironmentConfig,
} from '../config/environment.js';
import { alertmanagerComponent } from './components.js';

interface HttpConfig {
  authorization: { credentials_file: string };
}

export interface AlertmanagerReceiverConfig {
  name: string;
  slack_configs?: { api_url_file: string; channel: string; send_resolved: boolean }[];
  pagerduty_configs?: { routing_key_file: string; send_resolved: boolean }[];
  webhook_configs?: { url: string; send_resolved: boolean; http_config?: HttpConfig }[];
  email_configs?: {
    to: string;
    from: string;
    smarthost: string;
    auth_username?: string;
    auth_password_file?: string;
    send_resolved: boolean;
  }[];
}

export interface AlertmanagerRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: AlertmanagerRoute[];
}

export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerConfig {
  /** Files of message templates, where the config ConfigMap is mounted; absent when none. */
  templates?: string[];
  route: AlertmanagerRoute;
  inhibit_rules: InhibitRule[];
  receivers: AlertmanagerReceiverConfig[];
  /** The team's named time intervals; absent when none. */
  time_intervals?: AlertmanagerTimeInterval[];
}

/** Where a key of the receivers' Secret appears inside the container. */
export function secretFile(key: string): string {
  return `${alertmanagerComponent.secretsDir}/${key}`;
}

function receiverConfig(receiver: AlertmanagerReceiver): AlertmanagerReceiverConfig {
  switch (receiver.type) {
    case 'slack':
      return {
        name: receiver.name,
        slack_configs: [
          {
            api_url_file: secretFile(receiver.apiUrlKey),
            channel: receiver.channel,
            send_resolved: true,
          },
        ],
      };
    case 'pagerduty':
      return {
        name: receiver.name,
        pagerduty_configs: [
          { routing_key_file: secretFile(receiver.routingKeyKey), send_resolved: true },
        ],
      };
    case 'email':
      return {
        name: receiver.name,
        email_configs: [
          {
            to: receiver.to,
            from: receiver.from,
            smarthost: receiver.smarthost,
            ...(receiver.authUsername === undefined
              ? {}
              : { auth_username: receiver.authUsername }),
            ...(receiver.authPasswordKey === undefined
              ? {}
              : { auth_password_file: secretFile(receiver.authPasswordKey) }),
            send_resolved: true,
          },
        ],
      };
    case 'webhook':
      return {
        name: receiver.name,
        webhook_configs: [
          {
            url: receiver.url,
            send_resolved: true,
            ...(receiver.bearerTokenKey === undefined
              ? {}
              : {
                  http_config: {
                    authorization: { credentials_file: secretFile(receiver.bearerTokenKey) },
                  },
                }),
          },
        ],
      };
  }
}

/** A server that is down also fails its requests and its latency: page for the cause only. */
const symptomsOfDown: [cause: string, symptom: string][] = [
  ['MLflowServerDown', 'MLflowExperimentFailure'],
  ['ModelServerDown', 'HighModelLatency'],
];

/** Where a template shipped in the config ConfigMap appears inside the container. */
export function templateFile(key: string): string {
  return `${alertmanagerComponent.configDir}/${key}`;
}

/**
 * Alertmanager tries sibling routes in order and stops at the first match unless it has
 * `continue: true`; an alert no child matches stays with the root (the catch-all, the first
 * receiver). The team's routes come after the critical route, and the critical route gets
 * `continue: true` when they exist: a critical alert still pages the critical receiver and then
 * also reaches the first team route that matches it (its team's channel). Put before, a team
 * route would silently take critical alerts away from the pager; put after without `continue`,
 * it would never see them.
 */
function childRoutes(environment: EnvironmentConfig): AlertmanagerRoute[] {
  const { criticalReceiver, routes } = environment.alertmanager;
  const critical: AlertmanagerRoute = {
    receiver: criticalReceiver,
    matchers: ['severity="critical"'],
    repeat_interval: '1h',
    ...(routes.length > 0 ? { continue: true } : {}),
  };
  const watchdog = watchdogSink(environment);
  return [
    ...(watchdog ? [{ receiver: watchdog, matchers: ['alertname="Watchdog"'] }] : []),
    critical,
    ...routes,
  ];
}

/**
 * The always-firing Watchdog (meta-monitoring) is for a dead man's switch, not for people: unless
 * a team route sends it somewhere, the first route takes it to a receiver without configs, as
 * kube-prometheus-stack's "null" receiver does; else the catch-all would repeat it every 4 hours.
 */
function watchdogSink(environment: EnvironmentConfig): string | undefined {
  if (!environment.alerts.metaMonitoring) return undefined;
  const routed = (route: AlertmanagerRoute): boolean =>
    (route.matchers ?? []).some((matcher) => matcher.includes('Watchdog')) ||
    (route.routes ?? []).some(routed);
  if (environment.alertmanager.routes.some(routed)) return undefined;
  const names = new Set(environment.alertmanager.receivers.map((receiver) => receiver.name));
  return names.has('null') ? 'watchdog-null' : 'null';
}

export function buildAlertmanagerConfig(environment: EnvironmentConfig): AlertmanagerConfig {
  const { receivers, inhibitRules, templates, timeIntervals } = environment.alertmanager;
  const [first] = receivers;
  if (!first) throw new Error('Alertmanager needs at least one receiver');
  const sink = watchdogSink(environment);
  return {
    ...(templates.length > 0
      ? { templates: templates.map((template) => templateFile(template.key)) }
      : {}),
    route: {
      receiver: first.name,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: childRoutes(environment),
    },
    inhibit_rules: [
      ...symptomsOfDown.map(([cause, symptom]) => ({
        source_matchers: [`alertname="${cause}"`],
        target_matchers: [`alertname="${symptom}"`],
        equal: [],
      })),
      ...inhibitRules,
    ],
    receivers: [...receivers.map(receiverConfig), ...(sink === undefined ? [] : [{ name: sink }])],
    ...(timeIntervals.length > 0 ? { time_intervals: timeIntervals } : {}),
  };
}
