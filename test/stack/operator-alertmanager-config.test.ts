/**
 * Operator mode's AlertmanagerConfig (src/stack/operator-alertmanager-config.ts): every receiver
 * type with its credentials as secretKeySelectors, the standalone routing (critical route, team
 * routes and child routes, Watchdog sink), matchers, inhibit rules and time intervals in the
 * CRD's shape; strictly valid against the generated prometheus-operator schemas and against the
 * real v1alpha1 CRD (its enums and patterns, the case-insensitive ones through RE2); and, once
 * converted the way the Operator does (test/helpers/operator-amcfg.ts), accepted by the real
 * `amtool check-config`, routing alerts like the standalone alertmanager.yml does, and, in the
 * real Alertmanager, reaching the receivers only with the environment's `namespace` label.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { buildAlertmanagerConfig } from '../../src/stack/alertmanager-config.js';
import {
  alertmanagerConfigGaps,
  buildOperatorAlertmanagerConfig,
  operatorMatcher,
  type OperatorAlertmanagerConfig,
} from '../../src/stack/operator-alertmanager-config.js';
import { loadSchemaBundles, SchemaValidator } from '../../src/validate/schemas.js';
import { convertOperatorAlertmanagerConfig, type SecretValues } from '../helpers/operator-amcfg.js';
import { freePort, startProcess, stopAll, waitFor } from '../helpers/processes.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { missingToolMessage, runTool, type ToolResult } from '../helpers/tools.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { environmentFromFile } from './environment.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'operator-alertmanager-config');
const namespace = 'mlflow-monitoring-team';

const teamEnvironment = [
  'tier: prod',
  `namespace: ${namespace}`,
  'alertmanager:',
  '  secretName: am-creds',
  '  receivers:',
  '    - { name: chat, type: slack, channel: "#ml" }',
  '    - { name: pager, type: pagerduty }',
  '    - { name: ml-team, type: webhook, url: "https://hooks.example.com/ml", bearerTokenKey: ml-token }',
  '    - { name: leads, type: webhook, url: "https://hooks.example.com/leads" }',
  '    - { name: mail, type: email, to: data@example.com, from: am@example.com, smarthost: "smtp.example.com:587", authUsername: am, authPasswordKey: smtp-password }',
  '  criticalReceiver: pager',
  '  routes:',
  '    - receiver: ml-team',
  '      matchers: [\'team="ml"\']',
  '      group_by: [alertname, job]',
  '      group_wait: 10s',
  '      group_interval: 2m',
  '      repeat_interval: 3h',
  '      continue: true',
  '      routes:',
  '        - receiver: leads',
  '          matchers: [\'alertname=~"Model.*"\', \'severity!="info"\', \'job!~"test-\\\\d+"\']',
  '          active_time_intervals: [office]',
  '    - { receiver: mail, matchers: [\'team="data"\'], mute_time_intervals: [nights] }',
  '  inhibitRules:',
  '    - source_matchers: [\'alertname="MaintenanceWindow"\', \'reason="say \\"hi\\""\']',
  '      target_matchers: [\'team="ml"\']',
  '      equal: [job]',
  '  timeIntervals:',
  '    - name: nights',
  '      time_intervals:',
  '        - times: [{ start_time: "00:00", end_time: "07:00" }, { start_time: "20:00", end_time: "24:00" }]',
  '          weekdays: [Monday:Friday]',
  '        - weekdays: [saturday, sunday]',
  '    - name: office',
  '      time_intervals:',
  '        - weekdays: [monday:friday]',
  '          days_of_month: ["1:15", "-3:-1", "20"]',
  '          months: [January:March, "7", "10:12"]',
  '          years: ["2026:2027"]',
  '',
].join('\n');

const environment = environmentFromFile('team', teamEnvironment);
const resource = buildOperatorAlertmanagerConfig(environment);

/** The Secret `am-creds` as the Operator would read it (fake values of the right form). */
const secrets: SecretValues = {
  'am-creds/slack-api-url': 'https://hooks.slack.com/services/T000/B000/XXXX',
  'am-creds/pagerduty-routing-key': 'routing-key-0123456789',
  'am-creds/ml-token': 'ml-bearer-token',
  'am-creds/smtp-password': 'smtp-secret',
};

describe('the AlertmanagerConfig object', () => {
  it('is named mlflow-alerts, in the environment namespace', () => {
    expect(resource.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(resource.kind).toBe('AlertmanagerConfig');
    expect(resource.metadata).toEqual({
      name: 'mlflow-alerts',
      namespace,
      labels: { 'app.kubernetes.io/part-of': 'mlflow-monitoring' },
    });
  });

  it('has every receiver type, each credential a key of alertmanager.secretName', () => {
    const secret = (key: string) => ({ name: 'am-creds', key });
    expect(resource.spec.receivers).toEqual([
      {
        name: 'chat',
        slackConfigs: [{ apiURL: secret('slack-api-url'), channel: '#ml', sendResolved: true }],
      },
      {
        name: 'pager',
        pagerdutyConfigs: [{ routingKey: secret('pagerduty-routing-key'), sendResolved: true }],
      },
      {
        name: 'ml-team',
        webhookConfigs: [
          {
            url: 'https://hooks.example.com/ml',
            sendResolved: true,
            httpConfig: { authorization: { credentials: secret('ml-token') } },
          },
        ],
      },
      {
        name: 'leads',
        webhookConfigs: [{ url: 'https://hooks.example.com/leads', sendResolved: true }],
      },
      {
        name: 'mail',
        emailConfigs: [
          {
            to: 'data@example.com',
            from: 'am@example.com',
            smarthost: 'smtp.example.com:587',
            authUsername: 'am',
            authPassword: secret('smtp-password'),
            sendResolved: true,
          },
        ],
      },
      // The Watchdog sink of meta-monitoring, as in standalone mode: a receiver without configs.
      { name: 'null' },
    ]);
    // No file path of the standalone container, no inline credential field.
    const text = JSON.stringify(resource);
    expect(text).not.toMatch(/_file|\/etc\/alertmanager|apiURL":"|routingKey":"|password":"/);
  });

  it('routes as standalone: catch-all first receiver, Watchdog sink, critical route, team routes', () => {
    const eq = (name: string, value: string) => ({ name, value, matchType: '=' });
    expect(resource.spec.route).toEqual({
      receiver: 'chat',
      groupBy: ['alertname', 'namespace'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        { receiver: 'null', matchers: [eq('alertname', 'Watchdog')] },
        {
          receiver: 'pager',
          repeatInterval: '1h',
          matchers: [eq('severity', 'critical')],
          continue: true,
        },
        {
          receiver: 'ml-team',
          groupBy: ['alertname', 'job'],
          groupWait: '10s',
          groupInterval: '2m',
          repeatInterval: '3h',
          matchers: [eq('team', 'ml')],
          continue: true,
          routes: [
            {
              receiver: 'leads',
              matchers: [
                { name: 'alertname', value: 'Model.*', matchType: '=~' },
                { name: 'severity', value: 'info', matchType: '!=' },
                { name: 'job', value: 'test-\\d+', matchType: '!~' },
              ],
              activeTimeIntervals: ['office'],
            },
          ],
        },
        { receiver: 'mail', matchers: [eq('team', 'data')], muteTimeIntervals: ['nights'] },
      ],
    });
  });

  it('has no namespace matcher of its own: the Operator adds it', () => {
    expect(resource.spec.route.matchers).toBeUndefined();
  });

  it('converts matcher strings to name, value and matchType, unquoting and unescaping', () => {
    expect(operatorMatcher('severity="critical"')).toEqual({
      name: 'severity',
      value: 'critical',
      matchType: '=',
    });
    expect(operatorMatcher('team!=ml')).toEqual({ name: 'team', value: 'ml', matchType: '!=' });
    expect(operatorMatcher('job=~"a|b"')).toEqual({ name: 'job', value: 'a|b', matchType: '=~' });
    expect(operatorMatcher('job !~ "x\\\\d"')).toEqual({
      name: 'job',
      value: 'x\\d',
      matchType: '!~',
    });
    expect(operatorMatcher('reason="say \\"hi\\""').value).toBe('say "hi"');
    expect(() => operatorMatcher('no operator')).toThrow(/unchecked Alertmanager matcher/);
  });

  it('keeps the generated inhibit rules and adds the team ones', () => {
    const eq = (name: string, value: string) => ({ name, value, matchType: '=' });
    expect(resource.spec.inhibitRules).toEqual([
      {
        sourceMatch: [eq('alertname', 'MLflowServerDown')],
        targetMatch: [eq('alertname', 'MLflowExperimentFailure')],
      },
      {
        sourceMatch: [eq('alertname', 'ModelServerDown')],
        targetMatch: [eq('alertname', 'HighModelLatency')],
      },
      {
        sourceMatch: [eq('alertname', 'MaintenanceWindow'), eq('reason', 'say "hi"')],
        targetMatch: [eq('team', 'ml')],
        equal: ['job'],
      },
    ]);
  });

  it('turns time intervals into muteTimeIntervals: names lower-cased, days of month as numbers', () => {
    expect(resource.spec.muteTimeIntervals).toEqual([
      {
        name: 'nights',
        timeIntervals: [
          {
            times: [
              { startTime: '00:00', endTime: '07:00' },
              { startTime: '20:00', endTime: '24:00' },
            ],
            weekdays: ['monday:friday'],
          },
          { weekdays: ['saturday', 'sunday'] },
        ],
      },
      {
        name: 'office',
        timeIntervals: [
          {
            weekdays: ['monday:friday'],
            daysOfMonth: [
              { start: 1, end: 15 },
              { start: -3, end: -1 },
              { start: 20, end: 20 },
            ],
            months: ['january:march', '7', '10:12'],
            years: ['2026:2027'],
          },
        ],
      },
    ]);
  });

  it('has neither inhibit-rule nor time-interval fields it does not need', () => {
    const minimal = buildOperatorAlertmanagerConfig(
      environmentFromFile(
        'small',
        [
          'alerts: { metaMonitoring: false }',
          'alertmanager:',
          '  receivers: [{ name: hook, type: webhook, url: "https://hooks.example.com/x" }]',
          '  criticalReceiver: hook',
          '',
        ].join('\n'),
      ),
    );
    expect(minimal.spec.muteTimeIntervals).toBeUndefined();
    expect(minimal.spec.receivers.map((receiver) => receiver.name)).toEqual(['hook']);
    expect(minimal.spec.route.routes).toEqual([
      {
        receiver: 'hook',
        repeatInterval: '1h',
        matchers: [{ name: 'severity', value: 'critical', matchType: '=' }],
      },
    ]);
  });
});

describe('what an AlertmanagerConfig cannot say', () => {
  const gapsOf = (lines: string[]) =>
    alertmanagerConfigGaps(
      environmentFromFile('gaps', ['alertmanager:', ...lines, ''].join('\n')).alertmanager,
      namespace,
    ).map((gap) => `${gap.severity} ${gap.code} ${gap.keyPath.join('.')}`);
  const receivers = [
    '  receivers: [{ name: hook, type: webhook, url: "https://hooks.example.com/x" }]',
    '  criticalReceiver: hook',
  ];

  it('is silent on the team environment, which the CRD and the Operator accept', () => {
    expect(alertmanagerConfigGaps(environment.alertmanager, namespace)).toEqual([]);
  });

  it('refuses message templates, a time zone and a year the CRD pattern refuses', () => {
    expect(
      gapsOf([
        ...receivers,
        '  timeIntervals:',
        '    - name: weekends',
        '      time_intervals:',
        '        - { weekdays: [saturday], location: Europe/Paris, years: ["1999", "2026"] }',
      ]),
    ).toEqual([
      'error config/operator-alertmanager-time-zone alertmanager.timeIntervals.0.time_intervals.0.location',
      'error config/operator-alertmanager-year alertmanager.timeIntervals.0.time_intervals.0.years.0',
    ]);
    const withTemplate = environmentFromFile('team', teamEnvironment);
    withTemplate.alertmanager.templates = [{ key: 'user-ml.tmpl', path: 'ml.tmpl', text: '' }];
    const [gap] = alertmanagerConfigGaps(withTemplate.alertmanager);
    expect(gap).toMatchObject({
      code: 'config/operator-alertmanager-templates',
      keyPath: ['alertmanager', 'templates'],
      severity: 'error',
    });
    expect(gap?.hint).toContain('alertmanager.templateFiles');
    expect(() => buildOperatorAlertmanagerConfig(withTemplate)).toThrow(
      /AlertmanagerConfig: an AlertmanagerConfig cannot carry message templates/,
    );
  });

  it('warns of namespace matchers that the injected namespace matcher makes dead', () => {
    expect(
      gapsOf([
        ...receivers,
        '  routes:',
        '    - receiver: hook',
        `      matchers: ['namespace="monitoring"', 'namespace=~"mlflow-.*"']`,
        `      routes: [{ receiver: hook, matchers: ['namespace!="${namespace}"'] }]`,
        `    - { receiver: hook, matchers: ['namespace="${namespace}"', 'namespace!~"kube-.*"'] }`,
        '  inhibitRules:',
        `    - { source_matchers: ['alertname="A"'], target_matchers: ['namespace=~"kube-.*"'] }`,
      ]),
    ).toEqual([
      'warning config/operator-alertmanager-namespace-matcher alertmanager.routes.0.matchers.0',
      'warning config/operator-alertmanager-namespace-matcher alertmanager.routes.0.routes.0.matchers.0',
      'warning config/operator-alertmanager-namespace-matcher alertmanager.inhibitRules.0.target_matchers.0',
    ]);
  });
});

describe('the prometheus-operator CRD schemas', () => {
  let strict: SchemaValidator;
  beforeAll(() => {
    strict = new SchemaValidator({ bundles: loadSchemaBundles(), strict: true });
  });

  const errorsOf = (object: object): string[] => {
    const check = strict.validatorFor('monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig');
    if (!check) throw new Error('no schema for monitoring.coreos.com/v1alpha1 AlertmanagerConfig');
    return check(object) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
  };

  /**
   * The CRD types child routes as free JSON; the Operator decodes each strictly as a Route.
   * Validating each child in the place of the top route checks it against that same schema.
   */
  const everyRoute = (object: OperatorAlertmanagerConfig): OperatorAlertmanagerConfig[] => {
    const routes = [object.spec.route];
    for (let index = 0; index < routes.length; index++)
      routes.push(...(routes[index]?.routes ?? []));
    return routes.map((route) => ({ ...object, spec: { ...object.spec, route } }));
  };

  it('accepts the object in strict mode (unknown fields are errors), every child route too', () => {
    for (const object of everyRoute(resource)) expect(errorsOf(object)).toEqual([]);
  });

  it('is not vacuous: a misspelt field is an error', () => {
    const wrong = structuredClone(resource) as unknown as { spec: Record<string, unknown> };
    wrong.spec.inhibitRule = [];
    expect(errorsOf(wrong)).toEqual(['/spec additionalProperties']);
  });

  async function validateWithRealCrd(object: object): Promise<string[]> {
    const folder = await tempDir('gitops-gen-amcfg-crd-');
    const file = join(folder, 'alertmanagerconfig.yaml');
    await writeFile(file, stringify(object), 'utf8');
    const report = await validate({
      paths: [file],
      crdDirs: [fixtures],
      promtool: 'never',
      displayRoot: folder,
    });
    return report.findings.map((finding) => `${finding.code} ${finding.path ?? ''}`);
  }

  it('passes the real v1alpha1 CRD (enums, patterns, minLength) in validate', async () => {
    for (const object of everyRoute(resource))
      expect(await validateWithRealCrd(object)).toEqual([]);
  });

  it('is caught by the real CRD when a matchType is not one it knows', async () => {
    const wrong = structuredClone(resource);
    const [rule] = wrong.spec.inhibitRules ?? [];
    if (!rule?.sourceMatch[0]) throw new Error('no inhibit rule');
    (rule.sourceMatch[0] as { matchType: string }).matchType = '~=';
    expect(await validateWithRealCrd(wrong)).toEqual([
      'schema/invalid-enum spec.inhibitRules[0].sourceMatch[0].matchType',
    ]);
  });

  it("matches the CRD's RE2 patterns for times, weekdays, months and years", async () => {
    // validate drops patterns that JavaScript cannot read (`(?i)`); RE2 reads them as Go does.
    const crd = await readFile(join(fixtures, 'alertmanagerconfigs-crd.yaml'), 'utf8');
    const patternOf = (field: string): RE2JS => {
      const match = new RegExp(`\\n(\\s+)${field}:\\n(?:\\1 .*\\n)*?\\1\\s+pattern: (.*)\\n`).exec(
        crd,
      );
      if (!match?.[2]) throw new Error(`no pattern for ${field} in the CRD`);
      return RE2JS.compile(match[2]);
    };
    const intervals = (resource.spec.muteTimeIntervals ?? []).flatMap(
      (named) => named.timeIntervals,
    );
    const values = {
      weekdays: intervals.flatMap((interval) => interval.weekdays ?? []),
      months: intervals.flatMap((interval) => interval.months ?? []),
      years: intervals.flatMap((interval) => interval.years ?? []),
      startTime: intervals.flatMap((interval) => (interval.times ?? []).map((t) => t.startTime)),
      endTime: intervals.flatMap((interval) => (interval.times ?? []).map((t) => t.endTime)),
    };
    for (const [field, list] of Object.entries(values)) {
      expect(list.length, field).toBeGreaterThan(0);
      const pattern = patternOf(field);
      for (const value of list)
        expect(pattern.matcher(value).find(), `${field} ${value}`).toBe(true);
    }
    // Why the names are lower-cased: the pattern is case-insensitive only before the colon.
    expect(patternOf('weekdays').matcher('Monday:Friday').find()).toBe(false);
    expect(patternOf('years').matcher('1999').find()).toBe(false);
  });
});

describe('converted as the Operator does, in the real amtool', () => {
  let folder: string;
  const amtool = (args: string[]): Promise<ToolResult> => runTool('amtool', args, folder);

  beforeAll(async () => {
    const version = await runTool('amtool', ['--version'], process.cwd());
    if (version.code !== 0) throw new Error(`${missingToolMessage('amtool')}\n${version.output}`);
    folder = await tempDir('gitops-gen-amcfg-amtool-');
    await writeFiles(folder, {
      'operator.yml': stringify(convertOperatorAlertmanagerConfig(resource, secrets)),
      'standalone.yml': stringify(buildAlertmanagerConfig(environment)),
    });
  });

  it('passes amtool check-config', async () => {
    const result = await amtool(['check-config', join(folder, 'operator.yml')]);
    expect(result.code, result.output).toBe(0);
    // The cluster's `null`, then ours: five of the environment and the Watchdog sink.
    expect(result.output).toMatch(/- 7 receivers/);
    expect(result.output).toMatch(/- 3 inhibit rules/);
  });

  async function receiversOf(file: string, labels: string[]): Promise<string[]> {
    const result = await amtool([
      'config',
      'routes',
      'test',
      `--config.file=${join(folder, file)}`,
      ...labels,
    ]);
    expect(result.code, result.output).toBe(0);
    return (result.output.split('\n')[0] ?? '').trim().split(',');
  }

  const alerts: string[][] = [
    ['alertname=MLflowServerDown', 'severity=critical'],
    ['alertname=ModelServerDown', 'team=ml', 'severity=warning', 'job=model-server'],
    ['alertname=ModelServerDown', 'team=ml', 'severity=critical', 'job=test-1'],
    ['alertname=HighModelLatency', 'team=ml', 'severity=info'],
    ['alertname=Watchdog', 'severity=none'],
    ['alertname=Backlog', 'team=data', 'severity=warning'],
    ['alertname=Other', 'severity=warning'],
  ];

  it('routes every alert of the environment namespace to the receivers standalone picks', async () => {
    const prefix = `${namespace}/mlflow-alerts/`;
    const reached = new Set<string>();
    for (const labels of alerts) {
      const standalone = await receiversOf('standalone.yml', labels);
      standalone.forEach((name) => reached.add(name));
      const operator = await receiversOf('operator.yml', [...labels, `namespace=${namespace}`]);
      const ours = operator.filter((name) => name.startsWith(prefix));
      expect(
        ours.map((name) => name.slice(prefix.length)),
        labels.join(' '),
      ).toEqual(standalone);
    }
    // The alerts exercise every receiver, continue included (pager then leads).
    expect([...reached].sort()).toEqual(['chat', 'leads', 'mail', 'ml-team', 'null', 'pager']);
  });

  it('leaves alerts without the namespace label, or of another namespace, to the cluster routes', async () => {
    for (const labels of alerts) {
      expect(await receiversOf('operator.yml', labels)).not.toContain(
        `${namespace}/mlflow-alerts/chat`,
      );
      const elsewhere = await receiversOf('operator.yml', [...labels, 'namespace=mlflow']);
      expect(
        elsewhere.every((name) => !name.startsWith(`${namespace}/`)),
        labels.join(' '),
      ).toBe(true);
    }
    expect(await receiversOf('operator.yml', ['alertname=Other'])).toEqual(['null']);
  });
});

describe('in the real Alertmanager, as the Operator would configure it', () => {
  afterAll(stopAll);

  interface ApiAlert {
    labels: Record<string, string>;
    receivers: { name: string }[];
    status: { state: string; inhibitedBy: string[] };
    fingerprint: string;
  }

  it('delivers with the bearer token, inhibits within the namespace, ignores other namespaces', async () => {
    const hook = await startWebhookReceiver();
    const hooked = environmentFromFile(
      'hooked',
      [
        `namespace: ${namespace}`,
        'alertmanager:',
        '  secretName: am-creds',
        '  receivers:',
        `    - { name: team-hook, type: webhook, url: "${hook.url}", bearerTokenKey: hook-token }`,
        `    - { name: pager-hook, type: webhook, url: "${hook.url}" }`,
        '  criticalReceiver: pager-hook',
        '',
      ].join('\n'),
    );
    const config = convertOperatorAlertmanagerConfig(buildOperatorAlertmanagerConfig(hooked), {
      'am-creds/hook-token': 'hook-secret',
    }) as { route: { routes: Record<string, unknown>[] } };
    // Group after 1 s instead of 30 s, so the test takes seconds.
    const [ours] = config.route.routes;
    if (!ours) throw new Error('no AlertmanagerConfig route');
    Object.assign(ours, { group_wait: '1s', group_interval: '1s' });

    const work = await tempDir('gitops-gen-amcfg-am-');
    const port = await freePort();
    await writeFiles(work, { 'alertmanager.yml': stringify(config) });
    await startProcess({
      name: 'alertmanager',
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${join(work, 'alertmanager.yml')}`,
        `--storage.path=${join(work, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      cwd: work,
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
    });
    const api = `http://127.0.0.1:${port}/api/v2/alerts`;
    const alert = (labels: Record<string, string>) => ({ labels, annotations: {} });
    const posted = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'MLflowServerDown', severity: 'critical', namespace }),
        alert({ alertname: 'MLflowExperimentFailure', severity: 'warning', namespace }),
        alert({ alertname: 'Backlog', severity: 'warning', namespace }),
        alert({ alertname: 'Unlabelled', severity: 'warning' }),
      ]),
    });
    expect(posted.status).toBe(200);

    await hook.waitForAlert('MLflowServerDown', 'firing', 20_000);
    await hook.waitForAlert('Backlog', 'firing', 20_000);
    const byName = await waitFor(
      'MLflowExperimentFailure inhibited by MLflowServerDown',
      async () => {
        const listed = (await (await fetch(api)).json()) as ApiAlert[];
        const found = new Map(listed.map((item) => [item.labels.alertname ?? '', item]));
        return found.get('MLflowExperimentFailure')?.status.state === 'suppressed'
          ? found
          : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const receiverNames = (name: string) =>
      byName.get(name)?.receivers.map((receiver) => receiver.name);
    expect(receiverNames('MLflowServerDown')).toEqual([`${namespace}/mlflow-alerts/pager-hook`]);
    expect(receiverNames('Backlog')).toEqual([`${namespace}/mlflow-alerts/team-hook`]);
    expect(receiverNames('Unlabelled')).toEqual(['null']);
    expect(byName.get('MLflowExperimentFailure')?.status.inhibitedBy).toEqual([
      byName.get('MLflowServerDown')?.fingerprint,
    ]);

    const payloads = hook.received();
    const tokens = hook.authorizations();
    payloads.forEach((payload, index) => {
      const names = payload.alerts.map((item) => item.labels.alertname);
      expect(names).not.toContain('Unlabelled');
      expect(names).not.toContain('MLflowExperimentFailure');
      expect(tokens[index]).toBe(
        payload.receiver.endsWith('/team-hook') ? 'Bearer hook-secret' : undefined,
      );
    });
  }, 60_000);
});
