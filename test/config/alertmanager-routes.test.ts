/**
 * `alertmanager.routes`, `alertmanager.inhibitRules` and `alertmanager.templates` through the
 * pure entry point resolveEnvironmentSources with an in-memory environments folder: a valid
 * configuration resolves into alertmanager.yml's routing tree, and each mistake Alertmanager
 * would refuse (or that would silently mute everything) is one problem at the environment
 * file's line, or for a template at the template file's own line.
 */
import { describe, expect, it } from 'vitest';
import {
  memoryFileReader,
  resolveEnvironmentSources,
  type EnvironmentConfig,
} from '../../src/config/index.js';
import { parseAlertmanagerMatcher } from '../../src/config/resolve-alertmanager-routes.js';
import { InputError, type Problem } from '../../src/errors.js';
import { scaffoldEnvironments } from '../../src/config/scaffold.js';
import { buildAlertmanagerConfig } from '../../src/stack/alertmanager-config.js';

const file = 'environments/team.yaml';

const receivers = [
  'tier: prod',
  'alertmanager:',
  '  receivers:',
  '    - { name: chat, type: slack, channel: "#ml" }',
  '    - { name: pager, type: pagerduty }',
  '    - { name: ml-team, type: webhook, url: "https://hooks.example.com/ml" }',
  '  criticalReceiver: pager',
];

const templateText = [
  '{{ define "ml.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ end }}',
  '{{ define "ml.text" }}{{ range $index, $alert := .Alerts }}{{ $alert.Labels.SortedPairs.Values | join ", " }} {{ $.Receiver }}{{ end }}{{ template "ml.title" . }}{{ end }}',
  '',
].join('\n');

function resolve(lines: string[], files: Record<string, string> = {}): EnvironmentConfig {
  const [environment] = resolveEnvironmentSources(
    [{ file, name: 'team', text: `${lines.join('\n')}\n` }],
    memoryFileReader(files),
  );
  if (!environment) throw new Error('nothing resolved');
  return environment;
}

function problems(lines: string[], files: Record<string, string> = {}): readonly Problem[] {
  try {
    resolve(lines, files);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the environment to fail');
}

function problem(lines: string[], files: Record<string, string> = {}): Problem {
  const found = problems(lines, files);
  expect(found, JSON.stringify(found)).toHaveLength(1);
  return found[0] as Problem;
}

describe('a valid configuration', () => {
  const lines = [
    ...receivers,
    '  routes:',
    '    - receiver: ml-team',
    '      matchers: [\'team="ml"\', "severity=~\\"warning|info\\""]',
    '      group_by: [alertname, job]',
    '      group_wait: 10s',
    '      group_interval: 2m',
    '      repeat_interval: 3h',
    '      continue: true',
    '      routes:',
    '        - { receiver: chat, matchers: [env=prod], group_by: ["..."] }',
    '    - { receiver: chat, matchers: [\'namespace!~"kube-.*"\'] }',
    '  inhibitRules:',
    '    - source_matchers: [\'alertname="MaintenanceWindow"\']',
    '      target_matchers: [\'team="ml"\']',
    '      equal: [namespace]',
    '  templates: [alertmanager/*.tmpl]',
  ];
  const files = { 'alertmanager/ml.tmpl': templateText };

  it('resolves routes, inhibit rules and templates', () => {
    const { alertmanager } = resolve(lines, files);
    expect(alertmanager.routes).toEqual([
      {
        receiver: 'ml-team',
        matchers: ['team="ml"', 'severity=~"warning|info"'],
        group_by: ['alertname', 'job'],
        group_wait: '10s',
        group_interval: '2m',
        repeat_interval: '3h',
        continue: true,
        routes: [{ receiver: 'chat', matchers: ['env=prod'], group_by: ['...'] }],
      },
      { receiver: 'chat', matchers: ['namespace!~"kube-.*"'] },
    ]);
    expect(alertmanager.inhibitRules).toEqual([
      {
        source_matchers: ['alertname="MaintenanceWindow"'],
        target_matchers: ['team="ml"'],
        equal: ['namespace'],
      },
    ]);
    expect(alertmanager.templates).toEqual([
      { key: 'user-alertmanager-ml.tmpl', path: 'alertmanager/ml.tmpl', text: templateText },
    ]);
  });

  it('puts the team routes after the critical route, which continues to them', () => {
    const config = buildAlertmanagerConfig(resolve(lines, files));
    expect(config.templates).toEqual(['/etc/alertmanager/config/user-alertmanager-ml.tmpl']);
    expect(config.route.receiver).toBe('chat');
    // The meta-monitoring Watchdog first, to a receiver without configs (for a dead man's switch).
    expect(config.route.routes?.[0]).toEqual({
      receiver: 'null',
      matchers: ['alertname="Watchdog"'],
    });
    expect(config.receivers.at(-1)).toEqual({ name: 'null' });
    expect(config.route.routes?.[1]).toEqual({
      receiver: 'pager',
      matchers: ['severity="critical"'],
      repeat_interval: '1h',
      continue: true,
    });
    expect(config.route.routes?.slice(2).map((route) => route.receiver)).toEqual([
      'ml-team',
      'chat',
    ]);
    expect(config.inhibit_rules).toHaveLength(3);
    expect(config.inhibit_rules[2]?.equal).toEqual(['namespace']);
  });

  it('leaves the configuration of an environment without them as it was', () => {
    const config = buildAlertmanagerConfig(resolve(receivers));
    expect(config.templates).toBeUndefined();
    expect(config.route.routes).toEqual([
      { receiver: 'null', matchers: ['alertname="Watchdog"'] },
      { receiver: 'pager', matchers: ['severity="critical"'], repeat_interval: '1h' },
    ]);
    expect(config.inhibit_rules).toHaveLength(2);
  });

  it("sends the Watchdog nowhere unless a team route takes it to a dead man's switch", () => {
    const withoutMeta = buildAlertmanagerConfig(
      resolve([...receivers, 'alerts:', '  metaMonitoring: false']),
    );
    expect(withoutMeta.route.routes?.map((route) => route.receiver)).toEqual(['pager']);
    expect(withoutMeta.receivers.map((receiver) => receiver.name)).not.toContain('null');
    const deadMansSwitch = buildAlertmanagerConfig(
      resolve([
        ...receivers,
        '  routes:',
        `    - { receiver: ml-team, matchers: ['alertname="Watchdog"'], repeat_interval: 1m }`,
      ]),
    );
    expect(deadMansSwitch.route.routes?.map((route) => route.receiver)).toEqual([
      'pager',
      'ml-team',
    ]);
  });
});

describe('matchers, as Alertmanager parses them', () => {
  it.each([
    ['team="ml"', 'team', '=', 'ml'],
    ['team = ml', 'team', '=', 'ml'],
    ['team!="ml ops"', 'team', '!=', 'ml ops'],
    ['alertname=~"Disk.*|Node.*"', 'alertname', '=~', 'Disk.*|Node.*'],
    ['instance!~"10\\\\.0\\\\..*"', 'instance', '!~', '10\\.0\\..*'],
    ['summary="say \\"hi\\""', 'summary', '=', 'say "hi"'],
    ['empty=""', 'empty', '=', ''],
  ])('accepts %s', (text, name, operator, value) => {
    expect(parseAlertmanagerMatcher(text)).toEqual({
      ok: true,
      matcher: { name, operator, value },
    });
  });

  it.each([
    ['team', /no operator/],
    ['team-name="ml"', /not a valid label name/],
    ['__name__ == "x"', /needs double quotes/],
    ['team=ml ops', /needs double quotes/],
    ['team="ml", env="prod"', /text follows the closing double quote/],
    ['team="ml', /no closing quote/],
    ['instance=~"10\\.0"', /not an escape/],
    ['alertname=~"(unclosed"', /not valid RE2/],
    ['alertname=~"(?=x)"', /not valid RE2/],
  ])('refuses %s', (text, message) => {
    const parsed = parseAlertmanagerMatcher(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(message);
      expect(parsed.hint.length).toBeGreaterThan(0);
    }
  });
});

describe('mistakes, each at the environment file line', () => {
  const route = (...fields: string[]): string[] => [...receivers, '  routes:', ...fields];

  it('a route naming an unknown receiver', () => {
    const found = problem(route('    - receiver: ml-teem', '      matchers: [\'team="ml"\']'));
    expect(found).toMatchObject({
      code: 'config/unknown-receiver',
      file,
      line: 9,
      keyPath: 'alertmanager.routes.0.receiver',
      hint: 'did you mean `ml-team`?',
    });
    expect(found.message).toContain('ml-teem');
  });

  it('an unknown receiver in a child route', () => {
    expect(
      problem(route('    - receiver: chat', '      routes:', '        - receiver: nobody')),
    ).toMatchObject({
      code: 'config/unknown-receiver',
      line: 11,
      keyPath: 'alertmanager.routes.0.routes.0.receiver',
    });
  });

  it('a matcher Alertmanager cannot parse', () => {
    expect(problem(route('    - { receiver: chat, matchers: [\'team=~"(ml"\'] }'))).toMatchObject({
      code: 'config/alertmanager-matcher',
      line: 9,
      keyPath: 'alertmanager.routes.0.matchers.0',
    });
  });

  it('a bad duration (schema) and a zero interval', () => {
    expect(problem(route('    - { receiver: chat, group_wait: 5 minutes }'))).toMatchObject({
      code: 'config/invalid-duration',
      line: 9,
      keyPath: 'alertmanager.routes.0.group_wait',
    });
    expect(problem(route('    - { receiver: chat, repeat_interval: 0s }'))).toMatchObject({
      code: 'config/zero-duration',
      line: 9,
      keyPath: 'alertmanager.routes.0.repeat_interval',
    });
  });

  it('group_by labels: invalid, duplicated, or `...` with others', () => {
    const found = problems(
      route(
        '    - receiver: chat',
        '      group_by:',
        '        - alert-name',
        '        - job',
        '        - job',
        '    - receiver: chat',
        '      group_by: [..., job]',
      ),
    );
    expect(found.map((item) => [item.code, item.line, item.keyPath])).toEqual([
      ['config/invalid-label-name', 11, 'alertmanager.routes.0.group_by.0'],
      ['config/duplicate-label', 13, 'alertmanager.routes.0.group_by.2'],
      ['config/alertmanager-group-by', 15, 'alertmanager.routes.1.group_by.0'],
    ]);
  });

  it('an unknown route field (Alertmanager would refuse it too)', () => {
    expect(problem(route('    - { receiver: chat, match: { team: ml } }'))).toMatchObject({
      code: 'config/unknown-key',
      line: 9,
    });
  });

  it('inhibit rules without target (or source) matchers, and bad equal labels', () => {
    const found = problems([
      ...receivers,
      '  inhibitRules:',
      '    - source_matchers: [\'alertname="Maintenance"\']',
      '    - target_matchers: [\'severity="warning"\']',
      '      equal: [name-space]',
      '    - source_matchers: [\'alertname="A"\']',
      "      target_matchers: ['severity=warning critical']",
    ]);
    expect(found.map((item) => [item.code, item.line, item.keyPath])).toEqual([
      ['config/inhibit-rule-matchers', 9, 'alertmanager.inhibitRules.0'],
      ['config/inhibit-rule-matchers', 10, 'alertmanager.inhibitRules.1'],
      ['config/invalid-label-name', 11, 'alertmanager.inhibitRules.1.equal.0'],
      ['config/alertmanager-matcher', 13, 'alertmanager.inhibitRules.2.target_matchers.0'],
    ]);
    expect(found[0]?.message).toContain('without target_matchers');
  });
});

describe('templates', () => {
  const withTemplates = (...patterns: string[]): string[] => [
    ...receivers,
    `  templates: [${patterns.join(', ')}]`,
  ];

  it('a pattern that matches nothing is reported at the key', () => {
    expect(problem(withTemplates('alertmanager/*.tmpl'), {})).toMatchObject({
      code: 'config/file-not-found',
      file,
      line: 8,
      keyPath: 'alertmanager.templates.0',
    });
  });

  it('a pattern leaving the folder is refused', () => {
    expect(problem(withTemplates('../secrets.tmpl'), {})).toMatchObject({
      code: 'config/file-outside-folder',
      line: 8,
    });
  });

  it('a Go template syntax error is reported at the template file line and column', () => {
    const broken = [
      '{{ define "ml.title" }}',
      '{{ .Status | toUpper }}',
      '{{ .CommonLabels.alertname | humanize }}',
      '{{ end }}',
      '',
    ].join('\n');
    const found = problem(withTemplates('alertmanager/ml.tmpl'), {
      'alertmanager/ml.tmpl': broken,
    });
    expect(found).toMatchObject({
      code: 'alertmanager-template/syntax',
      file: 'environments/alertmanager/ml.tmpl',
      line: 3,
      column: 30,
      message: 'template: function "humanize" not defined',
    });
  });

  it('an unclosed define is reported at the end of the file', () => {
    const found = problem(withTemplates('a.tmpl'), {
      'a.tmpl': '{{ define "x" }}\n{{ .Status }}\n',
    });
    expect(found).toMatchObject({ code: 'alertmanager-template/syntax', line: 3 });
    expect(found.message).toContain('unexpected EOF');
  });

  it('two patterns naming one file ship it once', () => {
    const { alertmanager } = resolve(withTemplates('a.tmpl', '"*.tmpl"'), {
      'a.tmpl': templateText,
    });
    expect(alertmanager.templates.map((template) => template.key)).toEqual(['user-a.tmpl']);
  });

  it('files whose ConfigMap keys clash are refused', () => {
    expect(
      problem(withTemplates('a/b-c.tmpl', 'a-b/c.tmpl'), {
        'a/b-c.tmpl': templateText,
        'a-b/c.tmpl': templateText,
      }),
    ).toMatchObject({
      code: 'config/template-name-clash',
      line: 8,
      keyPath: 'alertmanager.templates.1',
    });
  });
});

describe('the example `init` writes', () => {
  it('resolves once uncommented', () => {
    const text = scaffoldEnvironments(['prod']).get('prod.yaml') ?? '';
    const lines = text
      .split('\n')
      .map((line) =>
        line.replace(/^ {2}# (receivers|routes|inhibitRules|templates|timeIntervals):/, '  $1:'),
      );
    expect(
      lines.filter((line) => /^ {2}(routes|inhibitRules|templates|timeIntervals):/.test(line)),
    ).toHaveLength(4);
    const { alertmanager } = resolve(lines, { 'alertmanager/team.tmpl': templateText });
    expect(alertmanager.routes).toEqual([
      { receiver: 'team', matchers: ['team="ml"'], group_by: ['alertname'] },
    ]);
    expect(alertmanager.inhibitRules).toHaveLength(1);
    expect(alertmanager.timeIntervals.map((timeInterval) => timeInterval.name)).toEqual(['nights']);
    expect(alertmanager.templates.map((template) => template.key)).toEqual([
      'user-alertmanager-team.tmpl',
    ]);
  });
});

describe('time intervals', () => {
  const withIntervals = (...fields: string[]): string[] => [
    ...receivers,
    '  timeIntervals:',
    '    - name: office-hours',
    '      time_intervals:',
    ...fields,
    '  routes:',
    '    - receiver: ml-team',
    '      active_time_intervals: [office-hours]',
  ];

  it('resolves and renders them, with the routes that name them', () => {
    const environment = resolve(
      withIntervals(
        '        - times: [{ start_time: "09:00", end_time: "17:30" }]',
        '          weekdays: [monday:friday, Saturday]',
        '          days_of_month: ["1:15", "-3:-1", "1:-1"]',
        '          months: [january:march, "12"]',
        '          years: ["2026:2027"]',
        '          location: Europe/Paris',
        '        - times: [{ start_time: "22:00", end_time: "24:00" }]',
      ),
    );
    const config = buildAlertmanagerConfig(environment);
    expect(config.time_intervals).toEqual([
      {
        name: 'office-hours',
        time_intervals: [
          {
            times: [{ start_time: '09:00', end_time: '17:30' }],
            weekdays: ['monday:friday', 'Saturday'],
            days_of_month: ['1:15', '-3:-1', '1:-1'],
            months: ['january:march', '12'],
            years: ['2026:2027'],
            location: 'Europe/Paris',
          },
          { times: [{ start_time: '22:00', end_time: '24:00' }] },
        ],
      },
    ]);
    // After the Watchdog's and the critical route.
    expect(config.route.routes?.[2]).toEqual({
      receiver: 'ml-team',
      active_time_intervals: ['office-hours'],
    });
  });

  it('each bad field is reported at its line', () => {
    const found = problems(
      withIntervals(
        '        - times:',
        '            - { start_time: "9:00", end_time: "17:00" }',
        '            - { start_time: "18:00", end_time: "08:00" }',
        '          weekdays: [friday:monday, funday]',
        '          days_of_month: ["0", "-3:2", "5:1", "1:2:3"]',
        '          months: [march:january, "13"]',
        '          years: ["2027:2026"]',
        '          location: Mars/Olympus',
      ),
    );
    expect(found.map((item) => [item.line, item.keyPath])).toEqual([
      [12, 'alertmanager.timeIntervals.0.time_intervals.0.times.0.start_time'],
      [13, 'alertmanager.timeIntervals.0.time_intervals.0.times.1.end_time'],
      [14, 'alertmanager.timeIntervals.0.time_intervals.0.weekdays.0'],
      [14, 'alertmanager.timeIntervals.0.time_intervals.0.weekdays.1'],
      [15, 'alertmanager.timeIntervals.0.time_intervals.0.days_of_month.0'],
      [15, 'alertmanager.timeIntervals.0.time_intervals.0.days_of_month.1'],
      [15, 'alertmanager.timeIntervals.0.time_intervals.0.days_of_month.2'],
      [15, 'alertmanager.timeIntervals.0.time_intervals.0.days_of_month.3'],
      [16, 'alertmanager.timeIntervals.0.time_intervals.0.months.0'],
      [16, 'alertmanager.timeIntervals.0.time_intervals.0.months.1'],
      [17, 'alertmanager.timeIntervals.0.time_intervals.0.years.0'],
      [18, 'alertmanager.timeIntervals.0.time_intervals.0.location'],
    ]);
    expect(found.every((item) => item.code === 'config/alertmanager-time-interval')).toBe(true);
    expect(found.every((item) => item.file === file && (item.hint ?? '').length > 0)).toBe(true);
  });

  it('a route naming an undefined interval, and a name used twice', () => {
    const found = problems([
      ...receivers,
      '  timeIntervals:',
      '    - { name: nights, time_intervals: [{ times: [{ start_time: "00:00", end_time: "06:00" }] }] }',
      '    - { name: nights, time_intervals: [{ weekdays: [sunday] }] }',
      '  routes:',
      '    - { receiver: chat, mute_time_intervals: [night] }',
    ]);
    expect(found.map((item) => [item.code, item.line, item.keyPath, item.hint])).toEqual([
      [
        'config/duplicate-time-interval',
        10,
        'alertmanager.timeIntervals.1.name',
        expect.any(String),
      ],
      [
        'config/unknown-time-interval',
        12,
        'alertmanager.routes.0.mute_time_intervals.0',
        'did you mean `nights`?',
      ],
    ]);
  });
});
