/**
 * Integration: the team's Alertmanager routes, inhibit rules and message templates
 * (alertmanager.routes, .inhibitRules, .templates) rendered into an overlay, then checked by the
 * real tools: `kubectl kustomize` ships the templates in the config ConfigMap, `amtool
 * check-config` loads the config with those templates (written where `templates:` names them,
 * in a temporary folder), and `amtool config routes test` shows alerts reaching the team's
 * receivers, `continue` included. The checks of resolve-alertmanager-routes.ts are compared with
 * amtool's verdicts: what they accept, amtool accepts.
 */
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../src/index.js';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import {
  alertmanagerTemplateOptions,
  parseAlertmanagerMatcher,
} from '../../src/config/resolve-alertmanager-routes.js';
import { checkGoTemplate } from '../../src/prometheus/go-template.js';
import { runCli } from '../helpers/cli.js';
import { findObject, kustomizeBuild } from '../helpers/kubectl.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { missingToolMessage, runTool, type ToolResult } from '../helpers/tools.js';

const amtool = (args: string[], cwd: string): Promise<ToolResult> => runTool('amtool', args, cwd);

const templateText = [
  '{{ define "ml.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ end }}',
  '{{ define "ml.text" }}{{ range .Alerts }}{{ .Labels.SortedPairs.Values | join ", " }}{{ end }}{{ end }}',
  '',
].join('\n');

const environment = [
  'tier: prod',
  'alertmanager:',
  '  receivers:',
  '    - { name: chat, type: slack, channel: "#ml" }',
  '    - { name: pager, type: pagerduty }',
  '    - { name: ml-team, type: webhook, url: "https://hooks.example.com/ml" }',
  '    - { name: ml-leads, type: webhook, url: "https://hooks.example.com/leads" }',
  '    - { name: infra, type: webhook, url: "https://hooks.example.com/infra" }',
  '  criticalReceiver: pager',
  '  routes:',
  '    - receiver: ml-team',
  '      matchers: [\'team="ml"\']',
  '      group_by: [alertname, job]',
  '      group_wait: 10s',
  '      repeat_interval: 3h',
  '      continue: true',
  '      routes:',
  '        - { receiver: ml-leads, matchers: [\'alertname=~"Model.*"\'] }',
  '    - { receiver: infra, matchers: [\'namespace=~"kube-.*|monitoring"\'], group_by: ["..."], mute_time_intervals: [nights] }',
  '  inhibitRules:',
  '    - source_matchers: [\'alertname="MaintenanceWindow"\']',
  '      target_matchers: [\'team="ml"\']',
  '      equal: [namespace]',
  '  templates: ["alertmanager/*.tmpl"]',
  '  timeIntervals:',
  '    - name: nights',
  '      time_intervals:',
  '        - times: [{ start_time: "00:00", end_time: "07:00" }, { start_time: "20:00", end_time: "24:00" }]',
  '          weekdays: [monday:friday]',
  '          location: Europe/Paris',
  '        - weekdays: [saturday, sunday]',
  '',
].join('\n');

let root: string;
const configFile = (): string => join(root, 'overlays', 'team', 'alertmanager', 'alertmanager.yml');

beforeAll(async () => {
  const version = await amtool(['--version'], process.cwd());
  if (version.code !== 0) throw new Error(`${missingToolMessage('amtool')}\n${version.output}`);
  root = await tempDir('gitops-gen-am-routes-');
  await writeFiles(root, {
    'environments/team.yaml': environment,
    'environments/alertmanager/ml.tmpl': templateText,
  });
  await render({ configDir: join(root, 'environments'), outDir: root });
});

/**
 * The ConfigMap's data as Alertmanager sees it: each key written to a folder, and
 * alertmanager.yml's `templates:` pointed there instead of the container's mount path.
 */
async function configFromConfigMap(): Promise<{ folder: string; config: string }> {
  const objects = await kustomizeBuild(join(root, 'overlays', 'team'));
  const configMap = findObject(objects, 'ConfigMap', 'alertmanager-config') as {
    data?: Record<string, string>;
  };
  const folder = join(root, 'mounted');
  await mkdir(folder, { recursive: true });
  for (const [key, text] of Object.entries(configMap.data ?? {})) {
    await writeFile(join(folder, key), text, 'utf8');
  }
  const config = parse(configMap.data?.['alertmanager.yml'] ?? '') as { templates?: string[] };
  config.templates = (config.templates ?? []).map((path) =>
    path.replace('/etc/alertmanager/config/', `${folder}/`),
  );
  const file = join(folder, 'alertmanager-local.yml');
  await writeFile(file, stringify(config), 'utf8');
  return { folder, config: file };
}

describe('the rendered overlay', () => {
  it('ships the template in the config ConfigMap, beside alertmanager.yml, where it is mounted', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', 'team'));
    const configMap = findObject(objects, 'ConfigMap', 'alertmanager-config') as {
      data?: Record<string, string>;
    };
    expect(Object.keys(configMap.data ?? {}).sort()).toEqual([
      'alertmanager.yml',
      'user-alertmanager-ml.tmpl',
    ]);
    expect(configMap.data?.['user-alertmanager-ml.tmpl']).toBe(templateText);
    const config = parse(configMap.data?.['alertmanager.yml'] ?? '') as { templates?: string[] };
    expect(config.templates).toEqual(['/etc/alertmanager/config/user-alertmanager-ml.tmpl']);
    const statefulSet = JSON.stringify(findObject(objects, 'StatefulSet', 'alertmanager'));
    expect(statefulSet).toContain('"mountPath":"/etc/alertmanager/config"');
    expect(statefulSet).toMatch(/"name":"alertmanager-config-[a-z0-9]+"/);
  });

  it('passes amtool check-config with the templates where the config names them', async () => {
    const { config } = await configFromConfigMap();
    const result = await amtool(['check-config', config], root);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toMatch(/- 1 templates/);
    expect(result.output).toMatch(/SUCCESS\s*$/m);
  });

  it('passes gitops-gen validate, the template file included', async () => {
    const result = await runCli(['validate', 'overlays/team'], root);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('passes amtool check-config as rendered', async () => {
    const result = await amtool(['check-config', configFile()], root);
    expect(result.code, result.output).toBe(0);
  });
});

describe('routing, by amtool config routes test', () => {
  async function receiversOf(labels: string[]): Promise<string> {
    const result = await amtool(
      ['config', 'routes', 'test', `--config.file=${configFile()}`, ...labels],
      root,
    );
    expect(result.code, result.output).toBe(0);
    return result.output.split('\n')[0]?.trim() ?? '';
  }

  it('sends a team alert to the team route', async () => {
    expect(
      await receiversOf(['alertname=MLflowExperimentFailure', 'team=ml', 'severity=warning']),
    ).toBe('ml-team');
  });

  it('descends into the child route that matches', async () => {
    expect(await receiversOf(['alertname=ModelServerDown', 'team=ml', 'severity=warning'])).toBe(
      'ml-leads',
    );
  });

  it('follows continue: the team route continues to the next sibling', async () => {
    expect(
      await receiversOf([
        'alertname=HighMemory',
        'team=ml',
        'namespace=monitoring',
        'severity=warning',
      ]),
    ).toBe('ml-team,infra');
  });

  it('still pages critical alerts, and the critical route continues to the team route', async () => {
    expect(await receiversOf(['alertname=MLflowServerDown', 'severity=critical'])).toBe('pager');
    expect(await receiversOf(['alertname=MLflowServerDown', 'team=ml', 'severity=critical'])).toBe(
      'pager,ml-team',
    );
  });

  it('leaves unmatched alerts to the catch-all, the first receiver', async () => {
    expect(await receiversOf(['alertname=Other', 'severity=warning'])).toBe('chat');
  });
});

describe('the checks agree with amtool', () => {
  async function amtoolAccepts(
    config: Record<string, unknown>,
    extra: Record<string, string> = {},
  ): Promise<ToolResult> {
    const folder = await tempDir('gitops-gen-am-check-');
    await writeFiles(folder, { 'alertmanager.yml': stringify(config), ...extra });
    return amtool(['check-config', join(folder, 'alertmanager.yml')], folder);
  }

  const accepted = [
    'team="ml"',
    'team = ml',
    'team!="ml ops"',
    'alertname=~"Disk.*|Node.*"',
    'instance!~"10\\\\.0\\\\..*"',
    'summary="say \\"hi\\""',
    'empty=""',
    'severity=~"warning|info"',
  ];

  it('every matcher the check accepts, amtool accepts', async () => {
    for (const matcher of accepted)
      expect(parseAlertmanagerMatcher(matcher).ok, matcher).toBe(true);
    const result = await amtoolAccepts({
      route: {
        receiver: 'a',
        routes: accepted.map((matcher) => ({ receiver: 'a', matchers: [matcher] })),
      },
      receivers: [{ name: 'a' }],
      inhibit_rules: [{ source_matchers: accepted, target_matchers: accepted, equal: ['team'] }],
    });
    expect(result.code, result.output).toBe(0);
  });

  it.each([
    ['a bad regex', 'alertname=~"(unclosed"'],
    ['a bad label name', 'team-name="ml"'],
    ['no operator', 'team'],
  ])('a matcher with %s is refused by both', async (_, matcher) => {
    expect(parseAlertmanagerMatcher(matcher).ok).toBe(false);
    const result = await amtoolAccepts({
      route: { receiver: 'a', routes: [{ receiver: 'a', matchers: [matcher] }] },
      receivers: [{ name: 'a' }],
    });
    expect(result.code, result.output).not.toBe(0);
  });

  it.each([
    ['an unknown receiver', { receiver: 'nobody' }, /undefined receiver "nobody"/],
    ['a zero repeat_interval', { repeat_interval: '0s' }, /repeat_interval cannot be zero/],
    ['a zero group_interval', { group_interval: '0s' }, /group_interval cannot be zero/],
    ['`...` with other labels', { group_by: ['...', 'job'] }, /wildcard/],
    ['a duplicated group_by label', { group_by: ['job', 'job'] }, /duplicated label/],
    ['a bad group_by label', { group_by: ['alert-name'] }, /invalid label name/],
  ])('a route with %s is refused by amtool too', async (_, fields, message) => {
    const result = await amtoolAccepts({
      route: { receiver: 'a', routes: [{ receiver: 'a', ...fields }] },
      receivers: [{ name: 'a' }],
    });
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(message);
  });

  const officeHours = {
    times: [{ start_time: '09:00', end_time: '17:30' }],
    weekdays: ['monday:friday', 'Saturday'],
    days_of_month: ['1:15', '-3:-1', '1:-1'],
    months: ['january:march', '12'],
    years: ['2026:2027'],
    location: 'Europe/Paris',
  };

  it.each([
    ['valid', {}, true],
    ['a time that is not HH:MM', { times: [{ start_time: '9am', end_time: '17:00' }] }, false],
    ['an end before the start', { times: [{ start_time: '18:00', end_time: '08:00' }] }, false],
    ['a weekday range backwards', { weekdays: ['friday:monday'] }, false],
    ['an unknown weekday', { weekdays: ['funday'] }, false],
    ['day 0 of the month', { days_of_month: ['0'] }, false],
    ['a day range from the end to the start', { days_of_month: ['-3:2'] }, false],
    // Month 13 is refused by the check only: amtool 0.25 accepts it, and it never matches.
    ['a month range backwards', { months: ['march:january'] }, false],
    ['a year range backwards', { years: ['2027:2026'] }, false],
    ['an unknown time zone', { location: 'Mars/Olympus' }, false],
  ])('a time interval, %s: the check and amtool agree', async (_, change, ok) => {
    const interval = { ...officeHours, ...change };
    const lines = [
      'tier: prod',
      'alertmanager:',
      '  timeIntervals:',
      `    - { name: office, time_intervals: [${JSON.stringify(interval)}] }`,
      '  routes: [{ receiver: default, active_time_intervals: [office] }]',
    ];
    let checked = true;
    try {
      resolveEnvironmentSources([{ file: 'x.yaml', name: 'x', text: `${lines.join('\n')}\n` }]);
    } catch {
      checked = false;
    }
    expect(checked).toBe(ok);
    const result = await amtoolAccepts({
      route: { receiver: 'a', routes: [{ receiver: 'a', active_time_intervals: ['office'] }] },
      receivers: [{ name: 'a' }],
      time_intervals: [{ name: 'office', time_intervals: [interval] }],
    });
    expect(result.code === 0, result.output).toBe(ok);
  });

  it('a route naming an undefined time interval is refused by amtool too', async () => {
    const result = await amtoolAccepts({
      route: { receiver: 'a', routes: [{ receiver: 'a', mute_time_intervals: ['nope'] }] },
      receivers: [{ name: 'a' }],
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/undefined time interval "nope"/);
  });

  const templates: [string, string, boolean][] = [
    ['the shipped template', templateText, true],
    [
      'Alertmanager functions',
      '{{ define "x" }}{{ .CommonLabels.team | title }}{{ reReplaceAll "a" "b" .Status }}{{ stringSlice "a" "b" | join "," }}{{ end }}',
      true,
    ],
    [
      'the default templates',
      '{{ define "x" }}{{ template "slack.default.title" . }}{{ end }}',
      true,
    ],
    ['a Prometheus-only function', '{{ define "x" }}{{ humanize 1 }}{{ end }}', false],
    ['an unclosed define', '{{ define "x" }}{{ .Status }}', false],
    ['an unclosed action', '{{ define "x" }}{{ .Status }{{ end }}', false],
    ['an undefined variable', '{{ define "x" }}{{ $nope }}{{ end }}', false],
  ];

  it.each(templates)('a template with %s: the check and amtool agree', async (_, text, ok) => {
    expect(checkGoTemplate(text, alertmanagerTemplateOptions) === undefined).toBe(ok);
    const folder = await tempDir('gitops-gen-am-template-');
    await writeFiles(folder, { 'team.tmpl': text });
    const result = await amtool(
      [
        'check-config',
        await (async () => {
          const file = join(folder, 'alertmanager.yml');
          await writeFile(
            file,
            stringify({
              templates: [join(folder, 'team.tmpl')],
              route: { receiver: 'a' },
              receivers: [{ name: 'a' }],
            }),
            'utf8',
          );
          return file;
        })(),
      ],
      folder,
    );
    expect(result.code === 0, result.output).toBe(ok);
  });

  it('the rendered config keeps its secrets out: only _file references', async () => {
    const text = await readFile(configFile(), 'utf8');
    expect(text).not.toMatch(/routing_key:|api_url:/);
  });
});

describe('a bad template through the command line', () => {
  it('fails render at the template line, with a hint, and writes nothing', async () => {
    const dir = await tempDir('gitops-gen-am-bad-');
    await writeFiles(dir, {
      'environments/team.yaml': environment,
      'environments/alertmanager/ml.tmpl':
        '{{ define "ml.title" }}\n{{ .Status | humanize }}\n{{ end }}\n',
    });
    const result = await runCli(['render'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/alertmanager\/ml\.tmpl:2:14/);
    expect(result.stderr).toContain('function "humanize" not defined');
    expect(result.stderr).toContain('amtool check-config');
    await expect(access(join(dir, 'overlays'))).rejects.toThrow();
  });
});

describe('the flat layout', () => {
  it('carries the template in the Alertmanager ConfigMap too', async () => {
    const dir = await tempDir('gitops-gen-am-flat-');
    await writeFiles(dir, {
      'environments/team.yaml': environment,
      'environments/alertmanager/ml.tmpl': templateText,
    });
    const result = await runCli(['render', '--layout', 'flat', '--env', 'team'], dir);
    expect(result.code, result.stderr).toBe(0);
    const folder = join(dir, 'k8s', 'monitoring');
    const objects: {
      kind?: string;
      metadata?: { name?: string };
      data?: Record<string, string>;
    }[] = [];
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.yaml')) continue;
      for (const document of parseAllDocuments(await readFile(join(folder, name), 'utf8'))) {
        objects.push(document.toJS() as (typeof objects)[number]);
      }
    }
    const configMap = objects.find(
      (object) =>
        object.kind === 'ConfigMap' && object.metadata?.name?.startsWith('alertmanager-config'),
    );
    expect(configMap?.data?.['user-alertmanager-ml.tmpl']).toBe(templateText);
  });
});
