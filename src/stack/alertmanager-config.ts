/**
 * Builds `alertmanager.yml` for one environment: the routing tree (critical alerts to their own
 * receiver, repeated more often), inhibitions that silence the symptoms of a server that is
 * down, and receivers whose credentials are files from the environment's Secret, so that no
 * URL with a token and no key is ever written to Git. Only fields Alertmanager 0.25 and later
 * understand. Pure.
 */
import type { AlertmanagerReceiver, EnvironmentConfig } from '../config/environment.js';
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
  receiver: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  routes?: AlertmanagerRoute[];
}

export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerConfig {
  route: AlertmanagerRoute;
  inhibit_rules: InhibitRule[];
  receivers: AlertmanagerReceiverConfig[];
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

export function buildAlertmanagerConfig(environment: EnvironmentConfig): AlertmanagerConfig {
  const { receivers, criticalReceiver } = environment.alertmanager;
  const [first] = receivers;
  if (!first) throw new Error('Alertmanager needs at least one receiver');
  return {
    route: {
      receiver: first.name,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: criticalReceiver, matchers: ['severity="critical"'], repeat_interval: '1h' },
      ],
    },
    inhibit_rules: symptomsOfDown.map(([cause, symptom]) => ({
      source_matchers: [`alertname="${cause}"`],
      target_matchers: [`alertname="${symptom}"`],
      equal: [],
    })),
    receivers: receivers.map(receiverConfig),
  };
}
