/**
 * `grafana.additionalDashboards` and `grafana.dashboardFolder` (issue 15, point 3) in the config
 * stage: exported dashboards' `${DS_...}` inputs pointed at the provisioned datasource, and
 * every bad input a problem with a clear message at the dashboard file's own line and column
 * (or at the environment key, for the pattern and the file name), checked as Grafana's file
 * provisioning loads a dashboard.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { explainKey, formatExplanation } from '../../src/config/explain.js';
import { isConfigMapKey } from '../../src/config/resolve-dashboards.js';
import { memoryFileReader } from '../../src/config/user-files.js';
import { InputError, type Problem } from '../../src/errors.js';
import { exportedDashboard, plainDashboard } from '../grafana/dashboard-samples.js';

const devFile = (patterns: string[], folder?: string): string =>
  [
    'grafana:',
    '  additionalDashboards:',
    ...patterns.map((pattern) => `    - ${JSON.stringify(pattern)}`),
    ...(folder === undefined ? [] : [`  dashboardFolder: ${JSON.stringify(folder)}`]),
    '',
  ].join('\n');

function resolveDev(text: string, files: Record<string, string>) {
  const [environment] = resolveEnvironmentSources(
    [{ file: 'environments/dev.yaml', name: 'dev', text }],
    memoryFileReader(files),
  );
  if (!environment) throw new Error('no environment');
  return environment;
}

function problemsOf(text: string, files: Record<string, string>): Problem[] {
  try {
    resolveDev(text, files);
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  throw new Error('expected problems, got none');
}

/** `code file:line:column message` of each problem, for compact assertions. */
const where = (problems: readonly Problem[]): string[] =>
  problems.map(
    (problem) =>
      `${problem.code} ${problem.file ?? '?'}:${problem.line ?? '?'}:${problem.column ?? '?'}`,
  );

describe('grafana.additionalDashboards (config)', () => {
  it('resolves globs, rewrites ${DS_PROMETHEUS} inputs and keeps plain uids', () => {
    const environment = resolveDev(devFile(['dashboards/*.json'], 'Team dashboards'), {
      'dashboards/exported.json': exportedDashboard,
      'dashboards/plain.json': plainDashboard,
    });
    const { additionalDashboards, dashboardFolder } = environment.grafana;
    expect(dashboardFolder).toBe('Team dashboards');
    expect(additionalDashboards.map((dashboard) => [dashboard.key, dashboard.uid])).toEqual([
      ['exported.json', 'team-exported'],
      ['plain.json', 'team-plain'],
    ]);
    const exported = additionalDashboards[0]?.model ?? {};
    const text = JSON.stringify(exported);
    expect(text).not.toContain('DS_PROMETHEUS');
    expect(exported.__inputs).toBeUndefined();
    expect(exported.id).toBeNull();
    expect(text).toContain('{"type":"prometheus","uid":"prometheus"}');
    // The legacy string reference became a {type, uid} reference too.
    const panels = exported.panels as { datasource: unknown }[];
    expect(panels[1]?.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    expect(JSON.stringify(additionalDashboards[1]?.model)).toContain('"uid":"prometheus"');
  });

  it('defaults: no dashboards, the folder of ours; one file named twice ships once', () => {
    const none = resolveDev('', {});
    expect(none.grafana.additionalDashboards).toEqual([]);
    expect(none.grafana.dashboardFolder).toBe('MLflow');
    const twice = resolveDev(devFile(['dashboards/*.json', 'dashboards/plain.json']), {
      'dashboards/plain.json': plainDashboard,
    });
    expect(twice.grafana.additionalDashboards.map((dashboard) => dashboard.key)).toEqual([
      'plain.json',
    ]);
  });

  it('invalid JSON: the first syntax error at its line and column', () => {
    const problems = problemsOf(devFile(['dashboards/broken.json']), {
      'dashboards/broken.json': '{\n  "uid": "x",\n  "title": "X",\n  "panels": [],\n}\n',
    });
    expect(where(problems)).toEqual([
      'grafana/json-syntax environments/dashboards/broken.json:5:1',
    ]);
    expect(problems[0]?.message).toMatch(/trailing comma/);
    const comment = problemsOf(devFile(['d.json']), { 'd.json': '{\n  // no\n}' });
    expect(where(comment)).toEqual(['grafana/json-syntax environments/d.json:2:3']);
    expect(comment[0]?.message).toMatch(/comment/);
    const unclosed = problemsOf(devFile(['d.json']), { 'd.json': '{"uid": "a\n' });
    // Go's decoder refuses the line break inside the string, where the string should close.
    expect(where(unclosed)).toEqual(['grafana/json-syntax environments/d.json:1:11']);
    expect(unclosed[0]?.message).toMatch(/control character/);
  });

  it('not a dashboard: no panels, no title, no uid, a list', () => {
    const problems = problemsOf(devFile(['d/*.json']), {
      'd/a.json': '{\n  "uid": "a",\n  "title": "A"\n}\n',
      'd/b.json': '{\n  "uid": "b",\n  "title": "",\n  "panels": []\n}\n',
      'd/c.json': '{\n  "title": "C",\n  "panels": []\n}\n',
      'd/d.json': '[1, 2]\n',
    });
    // A missing key is reported at the object that lacks it (line 1, the dashboard itself).
    expect(where(problems)).toEqual([
      'grafana/missing-panels environments/d/a.json:1:1',
      'grafana/missing-uid environments/d/c.json:1:1',
      'grafana/invalid-dashboard environments/d/d.json:1:1',
      'grafana/missing-title environments/d/b.json:3:12',
    ]);
    expect(problems.map((problem) => problem.hint)).toEqual([
      expect.stringMatching(/"panels"/),
      expect.stringMatching(/fixed uid/),
      expect.stringMatching(/Grafana refuses/),
      expect.stringMatching(/title/),
    ]);
  });

  it('a uid used twice, by theirs or by ours, at the uid line', () => {
    const second = plainDashboard.replace('Team plain', 'Team copy');
    const problems = problemsOf(devFile(['dashboards/*.json']), {
      'dashboards/a.json': plainDashboard,
      'dashboards/b.json': second,
      'dashboards/c.json': plainDashboard.replace('"team-plain"', '"mlflow-monitoring"'),
    });
    expect(where(problems)).toEqual([
      'grafana/duplicate-dashboard-uid environments/dashboards/b.json:2:10',
      'grafana/duplicate-dashboard-uid environments/dashboards/c.json:2:10',
    ]);
    expect(problems[0]?.message).toMatch(/already used by environments\/dashboards\/a\.json/);
    expect(problems[1]?.message).toMatch(/built-in mlflow-monitoring-dashboard\.json/);
  });

  it('bad PromQL in a target and an unknown datasource uid, at their lines', () => {
    const badQuery = plainDashboard.replace('up{job=\\"prometheus\\"}', 'sum(rate(up[5m])');
    const unknown = plainDashboard.replace('"uid": "prometheus"', '"uid": "thanos"');
    const problems = problemsOf(devFile(['q.json', 'u.json']), {
      'q.json': badQuery,
      'u.json': unknown,
    });
    expect(where(problems)).toEqual([
      'grafana/unknown-datasource environments/u.json:10:52',
      'promql/syntax environments/q.json:15:19',
    ]);
    expect(problems[1]?.message).toMatch(
      /^panel "Prometheus up" \(id 1\) query A: invalid PromQL at 1:/,
    );
    expect(problems[0]?.hint).toBe('provisioned datasource uids: prometheus');
  });

  it('an input of another plugin is not rewritten, and is reported', () => {
    const loki = exportedDashboard
      .replace('"pluginId": "prometheus"', '"pluginId": "loki"')
      .replace('"uid": "${DS_PROMETHEUS}"', '"uid": "${DS_PROMETHEUS}" ');
    const problems = problemsOf(devFile(['l.json']), { 'l.json': loki });
    expect(problems.map((problem) => problem.code)).toContain(
      'grafana/unresolved-datasource-input',
    );
  });

  it('patterns and names: a glob matching nothing, a name that is no ConfigMap key, two files with one name, not .json', () => {
    const problems = problemsOf(
      devFile(['missing/*.json', 'odd/*', 'a/*.json', 'b/*.json', 'x/team.dash']),
      {
        'odd/team dashboard.json': plainDashboard,
        'a/same.json': plainDashboard,
        'b/same.json': plainDashboard.replace('team-plain', 'team-other'),
        'x/team.dash': plainDashboard,
      },
    );
    expect(where(problems)).toEqual([
      'config/file-not-found environments/dev.yaml:3:7',
      'config/dashboard-name-not-configmap-key environments/dev.yaml:4:7',
      'config/duplicate-dashboard-name environments/dev.yaml:6:7',
      'config/dashboard-not-json environments/dev.yaml:7:7',
    ]);
    expect(problems.map((problem) => problem.keyPath)).toEqual([
      'grafana.additionalDashboards.0',
      'grafana.additionalDashboards.1',
      'grafana.additionalDashboards.3',
      'grafana.additionalDashboards.4',
    ]);
    expect(problems[1]?.message).toMatch(/"team dashboard\.json" becomes a ConfigMap key/);
    expect(problems[2]?.message).toMatch(/both become ConfigMap key "same\.json"/);
  });

  it('schema: the key types and a blank folder, at the environment file line', () => {
    const problems = problemsOf(
      'grafana:\n  additionalDashboards: dashboards/*.json\n  dashboardFolder: "  "\n',
      {},
    );
    expect(where(problems)).toEqual([
      expect.stringMatching(/^config\/\S+ environments\/dev\.yaml:2:25$/),
      expect.stringMatching(/^config\/\S+ environments\/dev\.yaml:3:20$/),
    ]);
  });

  it('refuses dashboards when grafana.enabled is false, at the key', () => {
    const problems = problemsOf(
      'grafana:\n  enabled: false\n  additionalDashboards: [plain.json]\n',
      { 'plain.json': plainDashboard },
    );
    expect(where(problems)).toEqual(['config/needs-grafana environments/dev.yaml:3:25']);
  });

  it('gitops-gen explain describes both keys', () => {
    expect(formatExplanation(explainKey('grafana.additionalDashboards'))).toMatch(
      /Grafana dashboard JSON files/,
    );
    expect(formatExplanation(explainKey('grafana.dashboardFolder'))).toMatch(/default MLflow/);
  });

  it('ConfigMap keys as Kubernetes validates them (IsConfigMapKey)', () => {
    for (const key of ['a.json', 'team-1_x.json', '.hidden.json', 'A.B.json'])
      expect(isConfigMapKey(key)).toBe(true);
    for (const key of ['a b.json', 'ü.json', '..x.json', '.', '..', '', `${'a'.repeat(249)}.json`])
      expect(isConfigMapKey(key)).toBe(false);
  });
});
