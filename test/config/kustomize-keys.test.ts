/**
 * `kustomize.resources` and `kustomize.patches` resolved from memory (no disk): what kustomize
 * accepts resolves silently, in the order the keys give; each mistake is one problem at the
 * environment key or at the team file's own line.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnvironmentSources } from '../../src/config/index.js';
import { memoryFileReader } from '../../src/config/user-files.js';
import { InputError, type Problem } from '../../src/errors.js';
import { customOverlayPart } from '../../src/render/overlay-custom.js';
import { scaffoldEnvironments } from '../../src/config/scaffold.js';

const dev = (text: string) => [{ file: 'environments/dev.yaml', name: 'dev', text }];

function problems(text: string, files: Record<string, string>): readonly Problem[] {
  try {
    resolveEnvironmentSources(dev(text), memoryFileReader(files));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the environment to fail');
}

const object = (kind: string, name: string) =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;

describe('kustomize keys that kustomize accepts', () => {
  it('resolve in key order, deduplicated, and map to custom/ entries', () => {
    const [environment] = resolveEnvironmentSources(
      dev(
        [
          'kustomize:',
          '  resources:',
          '    - team/b.yaml',
          '    - team/*.yaml',
          '  patches:',
          '    - path: patches/json.json',
          '      target: {kind: StatefulSet, name: prometheus}',
          '    - path: patches/sm.yaml',
          '',
        ].join('\n'),
      ),
      memoryFileReader({
        // Empty documents around objects, and a List of objects, as kustomize reads them.
        'team/a.yaml': `---\n${object('ConfigMap', 'a')}---\n`,
        'team/b.yaml': `apiVersion: v1\nkind: ConfigMapList\nitems:\n  - ${object('ConfigMap', 'b').trimEnd().replace(/\n/g, '\n    ')}\n`,
        // A JSON 6902 patch written as JSON.
        'patches/json.json': '[{"op": "add", "path": "/spec/replicas", "value": 2}]',
        'patches/sm.yaml': `${object('Service', 'grafana')}  namespace: mlflow-monitoring\n`,
      }),
    );
    expect(environment?.kustomize?.resources.map((file) => file.path)).toEqual([
      'team/b.yaml',
      'team/a.yaml',
    ]);
    expect(environment?.kustomize?.resources[1]?.key).toEqual({
      file: 'environments/dev.yaml',
      line: 4,
      column: 7,
      keyPath: 'kustomize.resources.1',
    });
    if (!environment) throw new Error('dev did not resolve');
    const part = customOverlayPart(environment);
    expect(part.resources).toEqual(['custom/team/b.yaml', 'custom/team/a.yaml']);
    expect(part.patches).toEqual([
      { path: 'custom/patches/json.json', target: { kind: 'StatefulSet', name: 'prometheus' } },
      { path: 'custom/patches/sm.yaml' },
    ]);
    expect([...part.files.keys()]).toEqual([
      'custom/team/b.yaml',
      'custom/team/a.yaml',
      'custom/patches/json.json',
      'custom/patches/sm.yaml',
    ]);
  });

  it('an absent or empty kustomize key leaves the environment without custom material', () => {
    for (const text of ['', 'kustomize: {}\n', 'kustomize:\n  resources: []\n']) {
      const [environment] = resolveEnvironmentSources(dev(text), memoryFileReader({}));
      expect(environment?.kustomize).toBeUndefined();
    }
  });
});

describe('kustomize key mistakes', () => {
  it('an unknown key of a patch target is a schema error at its line', () => {
    const found = problems(
      [
        'kustomize:',
        '  patches:',
        '    - path: patches/sm.yaml',
        '      target:',
        '        kinds: Service',
        '',
      ].join('\n'),
      { 'patches/sm.yaml': object('Service', 'grafana') },
    );
    expect(found).toEqual([
      expect.objectContaining({
        code: 'config/unknown-key',
        file: 'environments/dev.yaml',
        line: 5,
        keyPath: 'kustomize.patches.0.target.kinds',
      }),
    ]);
  });

  it('a patch entry without a path is a schema error', () => {
    const found = problems('kustomize:\n  patches:\n    - target: {kind: Service}\n', {});
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'environments/dev.yaml', line: 3 });
  });

  it('a resource document without apiVersion, at the document of that file', () => {
    const found = problems('kustomize:\n  resources:\n    - team/x.yaml\n', {
      'team/x.yaml': `${object('ConfigMap', 'a')}---\nkind: Secret\nmetadata:\n  name: s\n`,
    });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'config/kustomize-not-an-object',
        file: 'environments/team/x.yaml',
        line: 6,
        column: 1,
        message:
          'document 2 of team/x.yaml has no apiVersion: every Kubernetes object names its apiVersion and kind',
      }),
    ]);
  });

  it('a resource file that is a list of scalars; one of comments only is silent, as in kustomize', () => {
    const found = problems('kustomize:\n  resources:\n    - team/*.yaml\n', {
      'team/list.yaml': '- a\n- b\n',
      'team/empty.yaml': '# nothing yet\n',
    });
    expect(found.map((problem) => [problem.code, problem.file, problem.line])).toEqual([
      ['config/kustomize-not-an-object', 'environments/team/list.yaml', 1],
    ]);
  });

  it('an empty patch file and a patch that is a scalar', () => {
    const found = problems(
      'kustomize:\n  patches:\n    - path: patches/empty.yaml\n    - path: patches/scalar.yaml\n',
      { 'patches/empty.yaml': '', 'patches/scalar.yaml': 'just text\n' },
    );
    expect(found.map((problem) => [problem.code, problem.file, problem.line])).toEqual([
      ['config/kustomize-empty-patch', 'environments/patches/empty.yaml', 1],
      ['config/kustomize-invalid-patch', 'environments/patches/scalar.yaml', 1],
    ]);
  });

  it('a file whose name render cannot write, at the key', () => {
    const found = problems('kustomize:\n  resources:\n    - team/*.yaml\n', {
      'team/my settings.yaml': object('ConfigMap', 'a'),
    });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'config/kustomize-file-name',
        line: 3,
        keyPath: 'kustomize.resources.0',
      }),
    ]);
  });

  it('a file that does not exist is a problem at the key that names it', () => {
    const found = problems('kustomize:\n  resources:\n    - team/x.yaml\n', {});
    expect(found[0]).toMatchObject({
      code: 'config/file-not-found',
      line: 3,
      keyPath: 'kustomize.resources.0',
    });
  });
});

describe('the example `init` writes', () => {
  it('resolves once uncommented, with the files it names', () => {
    const text = scaffoldEnvironments(['dev']).get('dev.yaml') ?? '';
    const example = text.split('\n').find((line) => line.startsWith('# kustomize:'));
    expect(example).toBeDefined();
    const [environment] = resolveEnvironmentSources(
      dev(`${(example ?? '').replace(/^# /, '')}\n`),
      memoryFileReader({
        'kustomize/team.yaml': object('ConfigMap', 'team'),
        'kustomize/patch.yaml': `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: prometheus\nspec:\n  replicas: 1\n`,
      }),
    );
    expect(environment?.kustomize?.resources.map((file) => file.path)).toEqual([
      'kustomize/patch.yaml',
      'kustomize/team.yaml',
    ]);
    expect(environment?.kustomize?.patches.map((patch) => patch.path)).toEqual([
      'kustomize/patch.yaml',
    ]);
  });
});
