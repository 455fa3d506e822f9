/**
 * The in-process Kustomize build (src/kustomize) against the real `kubectl kustomize`
 * (kubectl v1.32, kustomize v5.5.0): every overlay of the repository and of the golden custom
 * tree, and every case of test/fixtures/kustomize, must build to the same objects in the same
 * order. Then one test per finding, on an in-memory file system, and the symlink cases of the
 * load restrictor, each built on disk by both.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, type ScalarTag, type Tags } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir, writeFiles } from '../helpers/temp.js';
import {
  buildKustomization,
  nodeFileSystem,
  type BuildCache,
  type KustomizeFileSystem,
  type KustomizeFinding,
} from '../../src/kustomize/index.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/kustomize');

/**
 * kubectl prints through go-yaml v2, which quotes every string a YAML 1.1 reader would take for
 * something else. Read it back as YAML 1.1, timestamps kept as strings, with go-yaml's float
 * pattern (the `yaml` package's 1.1 pattern would read the key `e2` as NaN).
 */
const goFloat: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (source: string) =>
    /nan$/i.test(source)
      ? Number.NaN
      : /inf$/i.test(source)
        ? source.startsWith('-')
          ? -Infinity
          : Infinity
        : Number.parseFloat(source),
};

const outputTags = (tags: Tags): Tags => [
  goFloat,
  ...tags.filter((tag) => {
    const name = typeof tag === 'string' ? tag : tag.tag;
    return name !== 'tag:yaml.org,2002:timestamp' && name !== 'tag:yaml.org,2002:float';
  }),
];

async function kubectlKustomize(dir: string): Promise<unknown[]> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', dir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(stdout, { version: '1.1', customTags: outputTags })
    .map((document) => document.toJS() as unknown)
    .filter((object) => object !== null);
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The folder to build for a fixture case: the case itself, or its `overlay/`. */
async function entryPoint(name: string): Promise<string> {
  const dir = join(fixtures, name);
  const files = await readdir(dir);
  return files.includes('kustomization.yaml') ? dir : join(dir, 'overlay');
}

const repositoryOverlays = [
  ...(await subfolders(join(root, 'overlays'))).map((env) => `overlays/${env}`),
  ...(await subfolders(join(root, 'test/fixtures/golden/custom/overlays'))).map(
    (env) => `test/fixtures/golden/custom/overlays/${env}`,
  ),
];

/** What each fixture case exercises (every folder of test/fixtures/kustomize must be here). */
const fixtureCases: Record<string, string> = {
  'binary-data':
    'non-UTF-8 files in binaryData, `key=path`, base64 line wrapping, an empty generator',
  'common-labels':
    'commonLabels on selectors and templates of every workload kind, commonAnnotations',
  components: 'Components adding resources, merging a generator, patching and annotating',
  'generator-merge':
    'behavior merge and replace in an overlay of base generators, hashes and references',
  'images-digest':
    'images with digest, newName, newTag, containers, initContainers, CRDs left alone',
  'json6902-file': 'patchesJson6902 from YAML and JSON files, JSON patches in patches, renaming',
  'label-selector-targets':
    'patch targets by labelSelector, annotationSelector, regex names, namespace',
  'list-kind': 'v1 List, nested List and DeploymentList resources',
  'name-prefix-references':
    'namePrefix/nameSuffix with ConfigMap, Secret, ServiceAccount, RBAC, PVC, Service references',
  'namespace-rbac': 'namespace with Namespace renaming, RoleBinding subjects, cluster-scoped kinds',
  'nested-bases': 'a diamond of bases with prefixes and namespaces at each level',
  'patch-delete': '$patch: delete in lists, maps and of a whole object; null annotations',
  'patch-options': 'allowNameChange, multi-document patches, labels fields, generator namespaces',
  'patches-strategic-merge': 'patchesStrategicMerge from files and inline, $patch: replace',
  replacements: 'replacements: list selectors, wildcards, delimiters, create, reject, from a file',
  replicas: 'replicas by original and prefixed names',
  'secret-envs': 'secretGenerator with env files, literals, files, type, generatorOptions',
  'smp-merge-keys': 'strategic merge keys: containers, ports, env, volumes, finalizers, list order',
  'smp-schema':
    'which lists merge: built-in types, unknown versions, custom resources, embedded types',
  'sort-fifo': 'sortOptions fifo',
  'sort-legacy': 'the legacy kind order, webhooks last, custom kinds',
  'yaml-quirks': 'YAML 1.1 scalars, timestamps, anchors and merge keys, empty values',
};

describe('the in-process build equals kubectl kustomize', () => {
  it('covers every fixture case', async () => {
    // fidelity/ holds the cases of fidelity.test.ts.
    const folders = (await subfolders(fixtures)).filter((name) => name !== 'fidelity');
    expect(folders).toEqual(Object.keys(fixtureCases).sort());
  });

  const cases = [
    ...repositoryOverlays.map((dir) => ({ name: dir, dir: join(root, dir) })),
    ...Object.entries(fixtureCases).map(([name, about]) => ({
      name: `${name}: ${about}`,
      dir: name,
    })),
  ];

  it.each(cases)('$name', async ({ dir }) => {
    const folder = dir.startsWith('/') ? dir : await entryPoint(dir);
    const [expected, built] = await Promise.all([
      kubectlKustomize(folder),
      buildKustomization(folder, nodeFileSystem()),
    ]);
    expect(built.resources.map((resource) => resource.object)).toStrictEqual(expected);
    expect(built.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  // One cache across all builds, as validate shares one between the overlays of a run: every
  // base built once is reused by the next includer (and twice in one build, by a diamond).
  const shared: BuildCache = new Map();
  it.each(cases)('$name, with bases reused from earlier builds', async ({ dir }) => {
    const folder = dir.startsWith('/') ? dir : await entryPoint(dir);
    const [expected, built] = await Promise.all([
      kubectlKustomize(folder),
      buildKustomization(folder, nodeFileSystem(), shared),
    ]);
    expect(built.resources.map((resource) => resource.object)).toStrictEqual(expected);
    expect(built.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  it('reports what a reused base reported, for every overlay that includes it', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'base/kustomization.yaml':
        'resources:\n  - cm.yaml\npatches:\n  - target: { kind: Secret }\n    patch: \'[{"op": "remove", "path": "/data"}]\'\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
      'one/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: one-\n',
      'two/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: two-\n',
    });
    const cache: BuildCache = new Map();
    const one = await buildKustomization(join(dir, 'one'), nodeFileSystem(), cache);
    const two = await buildKustomization(join(dir, 'two'), nodeFileSystem(), cache);
    expect(cache.size).toBe(1);
    for (const [built, prefix] of [
      [one, 'one-'],
      [two, 'two-'],
    ] as const) {
      expect(built.resources.map((resource) => resource.object)).toEqual([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}settings` } },
      ]);
      expect(built.findings.map((finding) => [finding.code, finding.file])).toEqual([
        ['kustomize/patch-target-not-found', join(dir, 'base/kustomization.yaml')],
      ]);
    }
  });
});

describe('origins', () => {
  it('point at the file and document of each object, or at the kustomization of a generator', async () => {
    const overlay = join(root, 'overlays/prod');
    const { resources } = await buildKustomization(overlay, nodeFileSystem());
    const origin = (kind: string, prefix: string): { file: string; document: number } => {
      const found = resources.find(
        (resource) =>
          resource.object.kind === kind &&
          (resource.object.metadata as { name: string }).name.startsWith(prefix),
      );
      if (!found) throw new Error(`no ${kind} ${prefix}`);
      return found.origin;
    };
    expect(origin('ConfigMap', 'prometheus-config-')).toEqual({
      file: join(overlay, 'kustomization.yaml'),
      document: 0,
    });
    expect(origin('ConfigMap', 'grafana-dashboards-')).toEqual({
      file: join(root, 'base/kustomization.yaml'),
      document: 0,
    });
    expect(origin('PodDisruptionBudget', 'prometheus')).toEqual({
      file: join(overlay, 'pod-disruption-budget.yaml'),
      document: 0,
    });
    const prometheus = join(root, 'base/prometheus.yaml');
    const documents = parseAllDocuments(await readFile(prometheus, 'utf8'));
    const statefulSet = documents.findIndex((document) => document.get('kind') === 'StatefulSet');
    expect(origin('StatefulSet', 'prometheus')).toEqual({
      file: prometheus,
      document: statefulSet,
    });
  });

  it('give List items the document of their List', async () => {
    const { resources } = await buildKustomization(join(fixtures, 'list-kind'), nodeFileSystem());
    const nested = resources.find(
      (resource) => (resource.object.metadata as { name: string }).name === 'nested',
    );
    expect(nested?.origin).toEqual({ file: join(fixtures, 'list-kind/list.yaml'), document: 1 });
  });
});

/** A file system held in memory: files by path, folders implied by them. */
function memoryFs(files: Record<string, string>): KustomizeFileSystem {
  const contents = new Map(Object.entries(files).map(([path, text]) => [normalize(path), text]));
  const folders = new Set<string>();
  for (const path of contents.keys()) {
    let dir = path;
    while (dir.includes('/')) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      folders.add(dir);
    }
  }
  return {
    readFile: (path) => Promise.resolve(contents.get(normalize(path))),
    isDirectory: (path) => Promise.resolve(folders.has(normalize(path))),
  };
}

const configMap = (name: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value\n`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

async function findingsOf(files: Record<string, string>, dir = 'app'): Promise<KustomizeFinding[]> {
  return (await buildKustomization(dir, memoryFs(files))).findings;
}

function only(findings: KustomizeFinding[], code: string): KustomizeFinding {
  const matching = findings.filter((finding) => finding.code === code);
  expect(matching, JSON.stringify(findings, null, 2)).toHaveLength(1);
  return matching[0] as KustomizeFinding;
}

describe('findings', () => {
  it('kustomize/file-not-found: a resource file that does not exist, at its entry', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - web.yaml\n  - missing.yaml\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/file-not-found')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 3,
      column: 5,
      path: 'resources[1]',
    });
  });

  it('kustomize/file-not-found: a patch file that does not exist', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\npatches:\n  - path: patches/missing.yaml\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/file-not-found')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
      path: 'patches[0]',
    });
  });

  it('kustomize/missing-kustomization: a resource folder without a kustomization', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - ../base\n',
      'base/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/missing-kustomization')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 2,
    });
  });

  it('kustomize/patch-target-not-found: a target that selects nothing', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': [
        'resources:',
        '  - web.yaml',
        'patches:',
        '  - target:',
        '      kind: Deployment',
        '      name: web',
        '    patch: |-',
        '      - op: add',
        '        path: /spec/replicas',
        '        value: 2',
        '  - target:',
        '      kind: Deployment',
        '      name: wbe',
        '    patch: |-',
        '      - op: add',
        '        path: /spec/replicas',
        '        value: 3',
        '',
      ].join('\n'),
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/patch-target-not-found')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 11,
      path: 'patches[1]',
    });
  });

  it('kustomize/patch-target-not-found: a strategic merge patch naming no object', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\npatchesStrategicMerge:\n  - patch.yaml\n',
      'app/web.yaml': deployment,
      'app/patch.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n',
    });
    expect(only(findings, 'kustomize/patch-target-not-found')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
    });
  });

  it('kustomize/duplicate-key: a key given twice in kustomization.yaml', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'namespace: a\nresources:\n  - web.yaml\nnamespace: b\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/duplicate-key')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 4,
      column: 1,
    });
  });

  it('kustomize/unknown-field: at the top level and inside an entry', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\nnamePrefx: app-\nimages:\n  - name: nginx\n    newTags: "1.28"\n',
      'app/web.yaml': deployment,
    });
    const unknown = findings.filter((finding) => finding.code === 'kustomize/unknown-field');
    expect(unknown).toMatchObject([
      { severity: 'error', file: 'app/kustomization.yaml', line: 3, column: 1, path: 'namePrefx' },
      { file: 'app/kustomization.yaml', line: 6, column: 5, path: 'images[0].newTags' },
    ]);
  });

  it('kustomize/common-labels-rewrite-selectors: commonLabels, as a warning', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - web.yaml\ncommonLabels:\n  team: web\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/common-labels-rewrite-selectors')).toMatchObject({
      severity: 'warning',
      file: 'app/kustomization.yaml',
      line: 3,
      column: 1,
    });
  });

  it('kustomize/duplicate-resource: two objects with the same kind, namespace and name', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - a.yaml\n  - b.yaml\n',
      'app/a.yaml': configMap('settings'),
      'app/b.yaml': `${configMap('other')}---\n${configMap('settings')}`,
    });
    expect(only(findings, 'kustomize/duplicate-resource')).toMatchObject({
      severity: 'error',
      file: 'app/b.yaml',
      line: 8,
    });
  });

  it('kustomize/duplicate-resource: a generator clashing with an object, without behavior', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - a.yaml\nconfigMapGenerator:\n  - name: settings\n    literals: [a=b]\n',
      'app/a.yaml': configMap('settings'),
    });
    expect(only(findings, 'kustomize/duplicate-resource')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
    });
  });

  it('kustomize/cycle: a kustomization that includes a folder above it', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - ../lib\n',
      'lib/kustomization.yaml': 'resources:\n  - cm.yaml\n  - ../app\n',
      'lib/cm.yaml': configMap('settings'),
    });
    expect(only(findings, 'kustomize/cycle')).toMatchObject({
      severity: 'error',
      file: 'lib/kustomization.yaml',
      line: 3,
      path: 'resources[1]',
    });
  });

  it('kustomize/cycle: a kustomization that includes itself', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - .\n',
    });
    expect(only(findings, 'kustomize/cycle')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 2,
    });
  });

  it('kustomize/file-outside-root: a file above the kustomization folder', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - ../shared/cm.yaml\n',
      'shared/cm.yaml': configMap('shared'),
    });
    expect(only(findings, 'kustomize/file-outside-root')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 2,
    });
  });

  it('kustomize/generator-target-not-found: behavior merge with nothing to merge into', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'configMapGenerator:\n  - name: settings\n    behavior: merge\n    literals: [a=b]\n',
    });
    expect(only(findings, 'kustomize/generator-target-not-found')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 2,
    });
  });

  it('kustomize/replicas-target-not-found: replicas for an unknown name', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\nreplicas:\n  - name: web\n    count: 2\n  - name: api\n    count: 3\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/replicas-target-not-found')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 6,
      path: 'replicas[1]',
    });
  });

  it('kustomize/invalid-value: a value of the wrong type', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - web.yaml\ncommonAnnotations:\n  build: 42\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/invalid-value')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
      path: 'commonAnnotations.build',
    });
  });

  it('kustomize/unsupported-field: a field the in-process build does not implement', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n',
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/unsupported-field')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 3,
    });
  });

  it('kustomize/deprecated-field: patchesStrategicMerge, as a warning', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'resources:\n  - web.yaml\npatchesStrategicMerge:\n  - patch.yaml\n',
      'app/web.yaml': deployment,
      'app/patch.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
    });
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'kustomize/deprecated-field',
        severity: 'warning',
        file: 'app/kustomization.yaml',
        line: 3,
      }),
    ]);
  });

  it('kustomize/replacement-failed: a replacement whose source or target field is missing', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': [
        'resources:',
        '  - web.yaml',
        'replacements:',
        '  - source:',
        '      kind: Deployment',
        '      name: web',
        '      fieldPath: spec.template.spec.containers.[name=web].image',
        '    targets:',
        '      - select:',
        '          kind: Deployment',
        '        fieldPaths:',
        '          - spec.template.spec.containers.[name=web].image',
        '  - source:',
        '      kind: Deployment',
        '      name: web',
        '    targets:',
        '      - select:',
        '          kind: Deployment',
        '        fieldPaths:',
        '          - spec.template.spec.serviceAccountName',
        '',
      ].join('\n'),
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/replacement-failed')).toMatchObject({
      severity: 'error',
      file: 'app/kustomization.yaml',
      line: 13,
      path: 'replacements[1]',
    });
  });

  it('kustomize/remote-resource: a remote base is not fetched', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - https://github.com/example/repo//deploy?ref=v1\n',
    });
    expect(only(findings, 'kustomize/remote-resource')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 2,
    });
  });

  it('kustomize/yaml-syntax: a resource file that is not YAML, at its line', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - bad.yaml\n',
      'app/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n',
    });
    expect(findings.filter((finding) => finding.code === 'kustomize/yaml-syntax')[0]).toMatchObject(
      {
        severity: 'error',
        file: 'app/bad.yaml',
        line: 5,
      },
    );
  });

  it('kustomize/duplicate-key: a duplicate key in a resource file', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n',
    });
    expect(only(findings, 'kustomize/duplicate-key')).toMatchObject({
      file: 'app/cm.yaml',
      line: 5,
    });
  });

  it('kustomize/invalid-patch: a strategic merge patch without a name', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': [
        'resources:',
        '  - web.yaml',
        'patches:',
        '  - target:',
        '      kind: Deployment',
        '    patch: |-',
        '      apiVersion: apps/v1',
        '      kind: Deployment',
        '      spec:',
        '        replicas: 2',
        '',
      ].join('\n'),
      'app/web.yaml': deployment,
    });
    expect(only(findings, 'kustomize/invalid-patch')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
    });
  });

  it('kustomize/invalid-resource: an object without metadata.name', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
      'app/cm.yaml': `${configMap('ok')}---\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n`,
    });
    expect(only(findings, 'kustomize/invalid-resource')).toMatchObject({
      file: 'app/cm.yaml',
      line: 8,
    });
  });

  it('kustomize/empty-kustomization: a kustomization with nothing in it', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n',
    });
    expect(only(findings, 'kustomize/empty-kustomization')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 1,
    });
  });

  it('kustomize/invalid-generator: a literal without a key', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml':
        'configMapGenerator:\n  - name: settings\n    literals:\n      - just-a-value\n',
    });
    expect(only(findings, 'kustomize/invalid-generator')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 2,
      path: 'configMapGenerator[0]',
    });
  });

  it('kustomize/not-a-component: a Kustomization listed under components', async () => {
    const findings = await findingsOf({
      'app/kustomization.yaml': 'resources:\n  - cm.yaml\ncomponents:\n  - ../feature\n',
      'app/cm.yaml': configMap('settings'),
      'feature/kustomization.yaml': 'commonAnnotations:\n  feature: enabled\n',
    });
    expect(only(findings, 'kustomize/not-a-component')).toMatchObject({
      file: 'app/kustomization.yaml',
      line: 4,
    });
  });

  it('reports a finding and keeps building the rest', async () => {
    const built = await buildKustomization(
      'app',
      memoryFs({
        'app/kustomization.yaml': 'resources:\n  - missing.yaml\n  - web.yaml\nnamespace: web\n',
        'app/web.yaml': deployment,
      }),
    );
    expect(built.findings.map((finding) => finding.code)).toEqual(['kustomize/file-not-found']);
    expect(built.resources.map((resource) => resource.object.metadata)).toEqual([
      { name: 'web', namespace: 'web' },
    ]);
  });
});

/**
 * Symlinks and the load restrictor: each case is built in a temp folder with real symlinks,
 * then by `kubectl kustomize` and in-process. kubectl's verdict (error or not) must be ours, and
 * ours must carry the expected finding code. Kustomize resolves every path to its real path
 * before the restrictor (files in or below the kustomization's real folder) and the cycle check.
 */
interface SymlinkCase {
  name: string;
  files: Record<string, string>;
  /** link path -> target, as `ln -s target link` (relative to the link's folder). */
  links: Record<string, string>;
  /** The finding code kubectl's refusal becomes; undefined when kubectl builds the folder. */
  code: string | undefined;
}

const cmPatch = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: c\n';

async function symlinkCase(
  files: Record<string, string>,
  links: Record<string, string>,
): Promise<string> {
  const dir = await tempDir('gitops-gen-symlink-');
  await writeFiles(dir, files);
  for (const [link, target] of Object.entries(links)) {
    await mkdir(dirname(join(dir, link)), { recursive: true });
    await symlink(target, join(dir, link));
  }
  return join(dir, 'app');
}

async function kubectlFails(dir: string): Promise<boolean> {
  try {
    await kubectlKustomize(dir);
    return false;
  } catch {
    return true;
  }
}

async function expectKubectlVerdict({ files, links, code }: SymlinkCase): Promise<void> {
  const app = await symlinkCase(files, links);
  const [failed, built] = await Promise.all([
    kubectlFails(app),
    buildKustomization(app, nodeFileSystem()),
  ]);
  const errors = built.findings.filter((finding) => finding.severity === 'error');
  expect(failed, 'kubectl kustomize failed').toBe(code !== undefined);
  expect(errors.length > 0, JSON.stringify(errors, null, 2)).toBe(failed);
  if (code !== undefined) expect(errors.map((finding) => finding.code)).toContain(code);
}

describe('symlinks and the load restrictor, as kubectl kustomize decides', () => {
  // Each of these was built wrong before the restrictor looked at real paths.
  const refused: SymlinkCase[] = [
    {
      name: 'a resource file symlinked to a file outside the folder',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'shared/cm.yaml': configMap('settings'),
      },
      links: { 'app/cm.yaml': '../shared/cm.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a chain of symlinks inside the folder that ends outside',
      files: {
        'app/kustomization.yaml': 'resources:\n  - a.yaml\n',
        'shared/cm.yaml': configMap('settings'),
      },
      links: { 'app/b.yaml': '../shared/cm.yaml', 'app/a.yaml': 'b.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a file read through a folder symlink that points outside',
      files: {
        'app/kustomization.yaml': 'resources:\n  - link/cm.yaml\n',
        'shared/cm.yaml': configMap('settings'),
      },
      links: { 'app/link': '../shared' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a patches path symlinked outside',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\npatches:\n  - path: p.yaml\n',
        'app/cm.yaml': configMap('settings'),
        'shared/p.yaml': cmPatch,
      },
      links: { 'app/p.yaml': '../shared/p.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a patchesStrategicMerge file symlinked outside',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\npatchesStrategicMerge:\n  - p.yaml\n',
        'app/cm.yaml': configMap('settings'),
        'shared/p.yaml': cmPatch,
      },
      links: { 'app/p.yaml': '../shared/p.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a patchesJson6902 path symlinked outside',
      files: {
        'app/kustomization.yaml':
          'resources:\n  - cm.yaml\npatchesJson6902:\n  - target: { version: v1, kind: ConfigMap, name: settings }\n    path: j.yaml\n',
        'app/cm.yaml': configMap('settings'),
        'shared/j.yaml': '- op: add\n  path: /data/b\n  value: c\n',
      },
      links: { 'app/j.yaml': '../shared/j.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a configMapGenerator files: entry symlinked outside',
      files: {
        'app/kustomization.yaml': 'configMapGenerator:\n  - name: g\n    files:\n      - f.txt\n',
        'shared/f.txt': 'secret\n',
      },
      links: { 'app/f.txt': '../shared/f.txt' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a configMapGenerator envs: entry symlinked outside',
      files: {
        'app/kustomization.yaml': 'configMapGenerator:\n  - name: g\n    envs:\n      - e.env\n',
        'shared/e.env': 'A=1\n',
      },
      links: { 'app/e.env': '../shared/e.env' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a secretGenerator env: file symlinked outside',
      files: {
        'app/kustomization.yaml': 'secretGenerator:\n  - name: g\n    env: e.env\n',
        'shared/e.env': 'A=1\n',
      },
      links: { 'app/e.env': '../shared/e.env' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a replacements path symlinked outside',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\nreplacements:\n  - path: r.yaml\n',
        'app/cm.yaml': configMap('settings'),
        'shared/r.yaml':
          '- source: { kind: ConfigMap, name: settings, fieldPath: data.key }\n  targets:\n    - select: { kind: ConfigMap }\n      fieldPaths: [data.copy]\n      options: { create: true }\n',
      },
      links: { 'app/r.yaml': '../shared/r.yaml' },
      code: 'kustomize/file-outside-root',
    },
    {
      name: 'a kustomization.yaml symlinked outside (counts as missing)',
      files: { 'shared/k.yaml': 'resources:\n  - cm.yaml\n', 'app/cm.yaml': configMap('settings') },
      links: { 'app/kustomization.yaml': '../shared/k.yaml' },
      code: 'kustomize/missing-kustomization',
    },
    {
      name: "a base's kustomization.yaml symlinked outside the base",
      files: {
        'app/kustomization.yaml': 'resources:\n  - ../base\n',
        'base/cm.yaml': configMap('settings'),
        'shared/k.yaml': 'resources:\n  - cm.yaml\n',
      },
      links: { 'base/kustomization.yaml': '../shared/k.yaml' },
      code: 'kustomize/missing-kustomization',
    },
    {
      name: 'a folder symlink to the parent folder (cycle)',
      files: { 'app/kustomization.yaml': 'resources:\n  - up\n' },
      links: { 'app/up': '..' },
      code: 'kustomize/cycle',
    },
    {
      name: 'a folder symlink to the folder itself (cycle)',
      files: { 'app/kustomization.yaml': 'resources:\n  - self\n' },
      links: { 'app/self': '.' },
      code: 'kustomize/cycle',
    },
    {
      name: 'a symlinked base whose ../ entries resolve from its real folder',
      files: {
        'app/kustomization.yaml': 'resources:\n  - base\n',
        'real/base/kustomization.yaml': 'resources:\n  - ../other\n',
        'real/other/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'real/other/cm.yaml': configMap('settings'),
      },
      links: { 'app/base': '../real/base' },
      code: undefined,
    },
  ];
  it.each(refused)('$name', (testCase) => expectKubectlVerdict(testCase));

  // Guards: these already matched kubectl before the fix and must keep matching.
  const unchanged: SymlinkCase[] = [
    {
      name: 'a resource file symlinked to a file inside the folder',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'app/sub/real.yaml': configMap('settings'),
      },
      links: { 'app/cm.yaml': 'sub/real.yaml' },
      code: undefined,
    },
    {
      name: 'a chain that leaves the folder and comes back (the real path decides)',
      files: {
        'app/kustomization.yaml': 'resources:\n  - a.yaml\n',
        'app/real.yaml': configMap('settings'),
      },
      links: { 'shared/l.yaml': '../app/real.yaml', 'app/a.yaml': '../shared/l.yaml' },
      code: undefined,
    },
    {
      name: 'a folder symlink to a base outside the folder, as a resource',
      files: {
        'app/kustomization.yaml': 'resources:\n  - base\n',
        'base/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'base/cm.yaml': configMap('settings'),
      },
      links: { 'app/base': '../base' },
      code: undefined,
    },
    {
      name: 'a folder symlink to a component outside the folder',
      files: {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\ncomponents:\n  - comp\n',
        'app/cm.yaml': configMap('settings'),
        'comp/kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  a: b\n',
      },
      links: { 'app/comp': '../comp' },
      code: undefined,
    },
    {
      name: 'a dangling symlink',
      files: { 'app/kustomization.yaml': 'resources:\n  - a.yaml\n' },
      links: { 'app/a.yaml': 'nowhere.yaml' },
      code: 'kustomize/file-not-found',
    },
    {
      name: 'resources: [.]',
      files: { 'app/kustomization.yaml': 'resources:\n  - .\n' },
      links: {},
      code: 'kustomize/cycle',
    },
    {
      name: 'resources: [./]',
      files: { 'app/kustomization.yaml': 'resources:\n  - ./\n' },
      links: {},
      code: 'kustomize/cycle',
    },
    {
      name: 'a base that lists its parent folder',
      files: {
        'app/kustomization.yaml': 'resources:\n  - base\n',
        'app/base/kustomization.yaml': 'resources:\n  - cm.yaml\n  - ..\n',
        'app/base/cm.yaml': configMap('settings'),
      },
      links: {},
      code: 'kustomize/cycle',
    },
  ];
  it.each(unchanged)('$name', (testCase) => expectKubectlVerdict(testCase));

  it('checks the real path before reading: the outside file is never read', async () => {
    const app = await symlinkCase(
      {
        'app/kustomization.yaml': 'resources:\n  - cm.yaml\n',
        'shared/cm.yaml': configMap('settings'),
      },
      { 'app/cm.yaml': '../shared/cm.yaml' },
    );
    const disk = nodeFileSystem();
    const read: string[] = [];
    const spy: KustomizeFileSystem = {
      ...disk,
      readFile: (path) => {
        read.push(path);
        return disk.readFile(path);
      },
    };
    const built = await buildKustomization(app, spy);
    expect(only(built.findings, 'kustomize/file-outside-root').message).toContain('cm.yaml');
    expect(read.filter((path) => path.includes('cm.yaml'))).toEqual([]);
  });
});

describe('generated names', () => {
  it('carry the hash suffix kubectl kustomize computes', async () => {
    const files = {
      'kustomization.yaml': [
        'configMapGenerator:',
        '  - name: cfg',
        '    literals: [a=1]',
        'secretGenerator:',
        '  - name: token',
        '    type: kubernetes.io/basic-auth',
        '    literals: [username=admin, password=<&>]',
        '',
      ].join('\n'),
    };
    const dir = await tempDir('kustomize-hash-');
    await writeFiles(dir, files);
    const names = (objects: unknown[]): string[] =>
      objects.map((object) => (object as { metadata: { name: string } }).metadata.name);
    const built = await buildKustomization(
      'app',
      memoryFs({ 'app/kustomization.yaml': files['kustomization.yaml'] }),
    );
    expect(names(built.resources.map((resource) => resource.object))).toEqual(
      names(await kubectlKustomize(dir)),
    );
    // The ConfigMap's suffix, as kubectl prints it: the hash covers kind and data only.
    expect(names(built.resources.map((resource) => resource.object))[0]).toBe('cfg-h29d89cmmt');
  });
});
