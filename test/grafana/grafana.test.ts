/**
 * Unit: Grafana checks (src/grafana): dashboards, datasource provisioning files, the
 * size of the ConfigMaps that carry them and Grafana variable interpolation. Each invalid
 * fixture under test/fixtures/validate/grafana/ holds one mistake and must produce exactly that
 * finding (code, path, line); the rendered dashboard and datasources must produce none.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/validate/findings.js';
import {
  checkConfigMapSize,
  checkDashboard,
  checkDatasources,
  configMapDataBytes,
  datasourceNamesOf,
  datasourceUidsOf,
  maxConfigMapBytes,
  substituteVariables,
} from '../../src/grafana/index.js';
import { loadSource, type FindingSource } from '../../src/prometheus/index.js';

const fixtures = join('test', 'fixtures', 'validate', 'grafana');
const dashboardFile = join('base', 'dashboards', 'mlflow-monitoring-dashboard.json');
const environments = ['dev', 'staging', 'prod'] as const;
const provisioned = { datasourceUids: ['prometheus'] };

async function load(path: string): Promise<{ value: unknown; source: FindingSource }> {
  const loaded = loadSource(path, await readFile(path, 'utf8'), {
    codePrefix: 'grafana',
    version: path.endsWith('.json') ? '1.2' : '1.1',
  });
  expect(loaded.findings).toEqual([]);
  return loaded;
}

interface Case {
  file: string;
  code: string;
  path: string;
  line: number;
  /** How many findings with this code (default 1). */
  count?: number;
}

const dashboardCases: Case[] = [
  {
    file: 'dashboard-duplicate-panel-id.json',
    code: 'grafana/duplicate-panel-id',
    path: 'panels[0].panels[1].id',
    line: 66,
  },
  {
    file: 'dashboard-unknown-datasource.json',
    code: 'grafana/unknown-datasource',
    path: 'panels[0].datasource.uid',
    line: 33,
    count: 2,
  },
  {
    file: 'dashboard-datasource-input-placeholder.json',
    code: 'grafana/unresolved-datasource-input',
    path: 'panels[0].datasource.uid',
    line: 33,
  },
  {
    file: 'dashboard-bad-promql.json',
    code: 'promql/syntax',
    path: 'panels[0].targets[0].expr',
    line: 48,
  },
  {
    file: 'dashboard-rate-interval-type.json',
    code: 'promql/type-error',
    path: 'panels[0].targets[0].expr',
    line: 48,
  },
  {
    file: 'dashboard-range-vector-query.json',
    code: 'promql/result-type',
    path: 'panels[0].targets[0].expr',
    line: 48,
  },
  {
    file: 'dashboard-undefined-variable.json',
    code: 'grafana/undefined-variable',
    path: 'panels[0].targets[0].expr',
    line: 48,
  },
  {
    file: 'dashboard-bad-variable-query.json',
    code: 'promql/syntax',
    path: 'templating.list[0].query.query',
    line: 17,
  },
  { file: 'dashboard-uid-too-long.json', code: 'grafana/uid-too-long', path: 'uid', line: 3 },
  // Missing keys are located at the object that lacks them.
  { file: 'dashboard-missing-uid.json', code: 'grafana/missing-uid', path: 'uid', line: 1 },
  { file: 'dashboard-no-panels.json', code: 'grafana/missing-panels', path: 'panels', line: 1 },
];

const datasourceCases: Case[] = [
  {
    file: 'datasources-duplicate-uid.yaml',
    code: 'grafana/duplicate-datasource-uid',
    path: 'datasources[1].uid',
    line: 17,
  },
  {
    file: 'datasources-missing-url.yaml',
    code: 'grafana/missing-datasource-url',
    path: 'datasources[0].url',
    line: 4,
  },
  {
    file: 'datasources-two-defaults.yaml',
    code: 'grafana/multiple-default-datasources',
    path: 'datasources[1].isDefault',
    line: 20,
  },
  {
    file: 'datasources-api-version.yaml',
    code: 'grafana/invalid-api-version',
    path: 'apiVersion',
    line: 2,
  },
  {
    file: 'datasources-url-without-scheme.yaml',
    code: 'grafana/invalid-datasource-url',
    path: 'datasources[0].url',
    line: 9,
  },
];

function expectOnly(findings: Finding[], expected: Case): void {
  const matching = findings.filter((finding) => finding.code === expected.code);
  expect(matching, JSON.stringify(findings, null, 2)).toHaveLength(expected.count ?? 1);
  const match = matching.find((finding) => finding.path === expected.path);
  expect(match, JSON.stringify(matching, null, 2)).toBeDefined();
  expect(match?.severity).toBe('error');
  expect(match?.line).toBe(expected.line);
  expect(match?.column).toBeGreaterThan(0);
  expect(match?.file).toContain(expected.file);
  const others = findings.filter((finding) => finding.code !== expected.code);
  expect(others, JSON.stringify(others, null, 2)).toEqual([]);
}

describe('dashboard fixtures', () => {
  it('has a fixture file for every case and a case for every fixture', async () => {
    const files = (await readdir(fixtures)).filter((file) => file.startsWith('dashboard-'));
    expect(files.sort()).toEqual(dashboardCases.map((testCase) => testCase.file).sort());
  });

  it.each(dashboardCases)('$file: $code at $path, line $line', async (testCase) => {
    const { value, source } = await load(join(fixtures, testCase.file));
    expectOnly(checkDashboard(value, source, provisioned), testCase);
  });

  it('points PromQL errors at the original query text, variables included', async () => {
    const { value, source } = await load(join(fixtures, 'dashboard-bad-promql.json'));
    const [finding] = checkDashboard(value, source, provisioned);
    // The unclosed `(` of `by (status` is character 83 of the query as written.
    expect(finding?.message).toContain('at 1:83: unclosed left parenthesis');
  });
});

describe('datasource provisioning fixtures', () => {
  it('has a fixture file for every case and a case for every fixture', async () => {
    const files = (await readdir(fixtures)).filter((file) => file.startsWith('datasources-'));
    expect(files.sort()).toEqual(datasourceCases.map((testCase) => testCase.file).sort());
  });

  it.each(datasourceCases)('$file: $code at $path, line $line', async (testCase) => {
    const { value, source } = await load(join(fixtures, testCase.file));
    expectOnly(checkDatasources(value, source), testCase);
  });
});

describe('the rendered dashboard and datasources', () => {
  it.each(environments)(
    'overlays/%s/grafana/datasources.yaml has no findings',
    async (environment) => {
      const { value, source } = await load(
        join('overlays', environment, 'grafana', 'datasources.yaml'),
      );
      expect(checkDatasources(value, source)).toEqual([]);
      expect(datasourceUidsOf(value)).toEqual(['prometheus']);
      expect(datasourceNamesOf(value)).toEqual(['Prometheus']);
    },
  );

  it.each(environments)(
    'the dashboard has no findings against overlays/%s datasources',
    async (environment) => {
      const datasources = await load(join('overlays', environment, 'grafana', 'datasources.yaml'));
      const { value, source } = await load(dashboardFile);
      expect(
        checkDashboard(value, source, { datasourceUids: datasourceUidsOf(datasources.value) }),
      ).toEqual([]);
    },
  );

  it('fits in a ConfigMap, even for client-side apply', async () => {
    const text = await readFile(dashboardFile, 'utf8');
    const bytes = configMapDataBytes({ 'mlflow-monitoring-dashboard.json': text });
    expect(bytes).toBeGreaterThan(text.length);
    expect(checkConfigMapSize(bytes, { file: dashboardFile })).toEqual([]);
  });
});

describe('dashboard datasource references', () => {
  const dashboard = (datasource: unknown, extra: Record<string, unknown> = {}): unknown => ({
    uid: 'x',
    title: 'x',
    panels: [{ id: 1, type: 'timeseries', datasource, targets: [{ refId: 'A', expr: 'up' }] }],
    ...extra,
  });
  const codes = (value: unknown): string[] =>
    checkDashboard(
      value,
      { file: 'd.json' },
      { ...provisioned, datasourceNames: ['Prometheus'] },
    ).map((finding) => finding.code);

  it.each([
    ['a provisioned uid', { type: 'prometheus', uid: 'prometheus' }],
    ['the default datasource', null],
    ['Mixed', { type: 'datasource', uid: '-- Mixed --' }],
    ['the built-in Grafana datasource', { type: 'datasource', uid: 'grafana' }],
    ['a legacy name', 'Prometheus'],
    ['the legacy Grafana name', '-- Grafana --'],
  ])('accepts %s', (_, datasource) => {
    expect(codes(dashboard(datasource))).toEqual([]);
  });

  it('accepts a datasource variable and rejects other variables', () => {
    const templating = {
      templating: {
        list: [
          { name: 'ds', type: 'datasource', query: 'prometheus' },
          { name: 'namespace', type: 'custom', query: 'a,b' },
        ],
      },
    };
    expect(codes(dashboard({ uid: '${ds}' }, templating))).toEqual([]);
    expect(codes(dashboard({ uid: '$namespace' }, templating))).toEqual([
      'grafana/undefined-variable',
    ]);
    expect(codes(dashboard({ uid: '$nothing' }, templating))).toEqual([
      'grafana/undefined-variable',
    ]);
  });

  it('rejects a string import placeholder too', () => {
    expect(codes(dashboard('${DS_PROMETHEUS}'))).toEqual(['grafana/unresolved-datasource-input']);
  });

  it('skips queries of other datasource types', () => {
    const value = {
      uid: 'x',
      title: 'x',
      panels: [
        {
          id: 1,
          datasource: { type: 'datasource', uid: '-- Mixed --' },
          targets: [
            {
              refId: 'A',
              datasource: { type: 'loki', uid: 'prometheus' },
              expr: '{app="x"} |= "y"',
            },
            { refId: 'B', datasource: { type: 'prometheus', uid: 'prometheus' }, expr: 'rate(up)' },
          ],
        },
      ],
    };
    expect(codes(value)).toEqual(['promql/type-error']);
  });

  it('warns about a database id and rejects a missing title', () => {
    const findings = checkDashboard(
      { id: 12, uid: 'x', panels: [] },
      { file: 'd.json' },
      provisioned,
    );
    expect(findings.map((finding) => [finding.code, finding.severity])).toEqual([
      ['grafana/missing-title', 'error'],
      ['grafana/dashboard-id-set', 'warning'],
    ]);
  });
});

describe('Grafana variables in PromQL', () => {
  const variables = new Map([
    ['namespace', { name: 'namespace', type: 'query' }],
    ['window', { name: 'window', type: 'interval' }],
    ['top', { name: 'top', type: 'custom', current: '5' }],
    ['metric', { name: 'metric', type: 'query' }],
  ]);

  it.each([
    ['rate(x{namespace="$namespace"}[$__rate_interval])', 'rate(x{namespace="x"}[5m])'],
    ['rate(x{namespace=~"${namespace:regex}"}[${window}])', 'rate(x{namespace=~"x"}[5m])'],
    [
      'rate(x{namespace="[[namespace]]"}[$__interval]) offset $window',
      'rate(x{namespace="x"}[5m]) offset 5m',
    ],
    ['topk($top, x) * $__range_s', 'topk(5, x) * 300'],
    ['sum($metric) by (pod)', 'sum(grafana_var_metric) by (pod)'],
    ['x{job=~"a$"}', 'x{job=~"a$"}'],
  ])('%s', (expr, expected) => {
    const result = substituteVariables(expr, variables);
    expect(result.text).toBe(expected);
    expect(result.undefinedVariables).toEqual([]);
    expect(result.originalOffsets).toHaveLength(result.text.length + 1);
  });

  it('lists undefined variables with their offset', () => {
    expect(substituteVariables('x{a="$cluster"}', variables).undefinedVariables).toEqual([
      { name: 'cluster', offset: 5 },
    ]);
  });
});

describe('ConfigMap size', () => {
  it.each([
    [262_144, []],
    [262_145, [['grafana/configmap-too-large-for-client-side-apply', 'warning']]],
    [maxConfigMapBytes, [['grafana/configmap-too-large-for-client-side-apply', 'warning']]],
    [maxConfigMapBytes + 1, [['grafana/configmap-too-large', 'error']]],
  ])('%i bytes', (bytes, expected) => {
    const findings = checkConfigMapSize(
      bytes,
      { file: 'kustomization.yaml' },
      { name: 'grafana-dashboards' },
    );
    expect(findings.map((finding) => [finding.code, finding.severity])).toEqual(expected);
    for (const finding of findings) expect(finding.path).toBe('data');
  });

  it('counts keys and values in UTF-8 bytes, binaryData decoded', () => {
    expect(
      configMapDataBytes({ 'a.json': 'é' }, { 'b.bin': Buffer.from('xyz').toString('base64') }),
    ).toBe(6 + 2 + 5 + 3);
  });
});
