/**
 * Resolves the `alertmanager` section of an environment file: receivers (each kind's Secret keys
 * filled in, fields of another kind named as mistakes), unique receiver names, and the receiver
 * of critical alerts; the team's routes, inhibit rules and templates in
 * resolve-alertmanager-routes.ts. Credentials are only ever keys of the Secret, never values.
 * Pure.
 */
import type { AlertmanagerReceiver, AlertmanagerSettings } from './environment.js';
import { resolveAlertmanagerRouting } from './resolve-alertmanager-routes.js';
import { component, report, type ResolveContext } from './resolve-context.js';
import type { EnvironmentFile } from './schema.js';
import { quoteValue } from '../text-safety.js';

type AlertmanagerInput = NonNullable<EnvironmentFile['alertmanager']>;
type ReceiverInput = NonNullable<AlertmanagerInput['receivers']>[number];

export function resolveAlertmanager(
  defaults: AlertmanagerSettings,
  input: AlertmanagerInput,
  context: ResolveContext,
): AlertmanagerSettings {
  const receivers = input.receivers
    ? input.receivers.map((receiver, index) => resolveReceiver(receiver, index, context))
    : defaults.receivers;
  const names = receivers.map((receiver) => receiver.name);
  names.forEach((receiverName, index) => {
    if (names.indexOf(receiverName) !== index) {
      report(
        context,
        ['alertmanager', 'receivers', String(index), 'name'],
        'config/duplicate-receiver',
        `receiver ${quoteValue(receiverName)} is named twice`,
        'give every receiver its own name',
      );
    }
  });
  const criticalReceiver = input.criticalReceiver ?? names[0] ?? defaults.criticalReceiver;
  if (!names.includes(criticalReceiver)) {
    report(
      context,
      ['alertmanager', 'criticalReceiver'],
      'config/unknown-receiver',
      `criticalReceiver ${quoteValue(criticalReceiver)} is not one of the receivers (${names.join(', ')})`,
      'name one of alertmanager.receivers',
    );
  }
  return {
    ...component(defaults, input),
    enabled: input.enabled ?? defaults.enabled,
    replicas: input.replicas ?? defaults.replicas,
    secretName: input.secretName ?? defaults.secretName,
    receivers,
    criticalReceiver,
    ...resolveAlertmanagerRouting(input, names, context),
  };
}

/** Fills each receiver kind's Secret keys; a field of another kind is a mistake worth naming. */
function resolveReceiver(
  input: ReceiverInput,
  index: number,
  context: ResolveContext,
): AlertmanagerReceiver {
  const path = ['alertmanager', 'receivers', String(index)];
  const allowed: Record<AlertmanagerReceiver['type'], readonly string[]> = {
    slack: ['channel', 'apiUrlKey'],
    pagerduty: ['routingKeyKey'],
    webhook: ['url', 'bearerTokenKey'],
    email: ['to', 'from', 'smarthost', 'authUsername', 'authPasswordKey'],
  };
  const fields = [
    'channel',
    'apiUrlKey',
    'routingKeyKey',
    'url',
    'bearerTokenKey',
    'to',
    'from',
    'smarthost',
    'authUsername',
    'authPasswordKey',
  ] as const;
  for (const key of fields) {
    if (input[key] !== undefined && !allowed[input.type].includes(key)) {
      report(
        context,
        [...path, key],
        'config/receiver-field',
        `${key} does not apply to a ${input.type} receiver`,
        `a ${input.type} receiver takes ${allowed[input.type].join(' and ')}`,
      );
    }
  }
  switch (input.type) {
    case 'slack':
      return {
        name: input.name,
        type: 'slack',
        channel: input.channel ?? '#mlflow-alerts',
        apiUrlKey: input.apiUrlKey ?? 'slack-api-url',
      };
    case 'pagerduty':
      return {
        name: input.name,
        type: 'pagerduty',
        routingKeyKey: input.routingKeyKey ?? 'pagerduty-routing-key',
      };
    case 'email': {
      const missing = (['to', 'from', 'smarthost'] as const).filter(
        (key) => input[key] === undefined,
      );
      if (missing.length > 0) {
        report(
          context,
          [...path, 'type'],
          'config/receiver-email',
          `an email receiver needs ${missing.join(', ')}`,
          'add to: mlops@example.com, from: alertmanager@example.com, smarthost: smtp.example.com:587 (the password goes in the Secret, via authPasswordKey)',
        );
      }
      return {
        name: input.name,
        type: 'email',
        to: input.to ?? '',
        from: input.from ?? '',
        smarthost: input.smarthost ?? '',
        ...(input.authUsername === undefined ? {} : { authUsername: input.authUsername }),
        ...(input.authPasswordKey === undefined ? {} : { authPasswordKey: input.authPasswordKey }),
      };
    }
    case 'webhook':
      if (input.url === undefined) {
        report(
          context,
          [...path, 'type'],
          'config/receiver-url',
          'a webhook receiver needs a url',
          'add url: https://alerts.example.com/hook (credentials go in the Secret, via bearerTokenKey)',
        );
      }
      if (input.url !== undefined) checkWebhookUrl(input.url, [...path, 'url'], context);
      return {
        name: input.name,
        type: 'webhook',
        url: input.url ?? '',
        ...(input.bearerTokenKey === undefined ? {} : { bearerTokenKey: input.bearerTokenKey }),
      };
  }
}

/**
 * Words that make a query parameter a credential, matched against the parameter name split at
 * `_`, `-`, `.` and camelCase humps, case-insensitively: `token`, `access_token`, `apiKey`,
 * `X-Amz-Signature` are credentials; `monkey` and `signal` are not.
 */
export const credentialWords: readonly string[] = [
  'token',
  'accesstoken',
  'authtoken',
  'key',
  'apikey',
  'secret',
  'password',
  'passwd',
  'pwd',
  'auth',
  'sig',
  'signature',
  'credential',
  'credentials',
];

function isCredentialParameter(name: string): boolean {
  return name
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .some((word) => credentialWords.includes(word.toLowerCase()));
}

/**
 * The url is written into alertmanager.yml, which is committed: a user, password or token in it
 * would break the promise that receiver credentials only live in the Secret. Alertmanager 0.25
 * (the oldest this tool supports) has no url_file for webhooks, so the way out is bearerTokenKey.
 */
function checkWebhookUrl(url: string, path: string[], context: ResolveContext): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // the schema's http-url format reports it
  }
  const hint =
    'put the credential in the Secret and name its key in bearerTokenKey (sent as an Authorization: Bearer header), and remove it from the url';
  if (parsed.username !== '' || parsed.password !== '') {
    report(
      context,
      path,
      'config/plaintext-secret',
      'the webhook url carries a user name or password, which would be committed in plaintext',
      hint,
    );
    return;
  }
  for (const [name, value] of parsed.searchParams) {
    if (value !== '' && isCredentialParameter(name)) {
      report(
        context,
        path,
        'config/plaintext-secret',
        `the webhook url carries a credential in its query parameter \`${name}\`, which would be committed in plaintext`,
        hint,
      );
      return;
    }
  }
}
