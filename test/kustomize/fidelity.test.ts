/**
 * Kustomize fidelity (issue 14, point 11): cases where the in-process build once printed other
 * objects than `kubectl kustomize` (kustomize v5.5.0, api v0.18.0) without a finding, or
 * accepted what kubectl refuses. Each case of test/fixtures/kustomize/fidelity is built by
 * both: the same objects in the same order, or both refusing.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubectlOutputTags } from '../helpers/kubectl.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { buildKustomization, nodeFileSystem } from '../../src/kustomize/index.js';

const execFileAsync = promisify(execFile);
const fixtures = fileURLToPath(new URL('../fixtures/kustomize/fidelity', import.meta.url));

type KubectlResult = { objects: unknown[] } | { error: string };

async function kubectl(dir: string): Promise<KubectlResult> {
  try {
    const { stdout } = await execFileAsync('kubectl', ['kustomize', dir], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const objects = parseAllDocuments(stdout, { version: '1.1', customTags: kubectlOutputTags })
      .map((document) => document.toJS() as unknown)
      .filter((object) => object !== null);
    return { objects };
  } catch (error) {
    return { error: String((error as { stderr?: unknown }).stderr ?? error) };
  }
}

async function expectSameBuild(dir: string): Promise<void> {
  const [expected, built] = await Promise.all([
    kubectl(dir),
    buildKustomization(dir, nodeFileSystem()),
  ]);
  if ('error' in expected) throw new Error(`kubectl kustomize ${dir} failed: ${expected.error}`);
  expect(built.resources.map((resource) => resource.object)).toStrictEqual(expected.objects);
  expect(built.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
}

/** Cases kubectl builds: folder (entry point) and what it once got wrong. */
const agreeing: { dir: string; about: string }[] = [
  {
    dir: 'generator-options-merged/overlay',
    about: "(a) the overlay's generatorOptions reach generators merged into or replacing a base's",
  },
  {
    dir: 'generator-options-merged/per-generator',
    about: '(a) one merged generator disables its hash, the others keep theirs',
  },
  {
    dir: 'nested-affix-references/top',
    about: '(b) references to generated objects follow prefixes, suffixes and hashes of each level',
  },
  {
    dir: 'affix-candidates/top',
    about: '(b) a referrer with a suffix finds a generated object without one among several',
  },
  {
    dir: 'builtin-fieldspecs',
    about:
      '(c) ValidatingAdmissionPolicyBinding policyName and PodTemplate references renamed; Knative ConfigMap refs and image volumes left alone',
  },
  {
    dir: 'field-letter-case',
    about: '(d) kustomization fields in any letter case, as encoding/json decodes them',
  },
  {
    dir: 'empty-patches-accepted',
    about:
      '(e) an empty patch file with a target, and empty patchesStrategicMerge entries beside a patch',
  },
  {
    dir: 'label-fields',
    about: '(found) a `labels` field spec narrower than metadata/labels keeps the default out',
  },
  {
    dir: 'image-tag-suffix',
    about: '(found) images[].tagSuffix, applied by both image filters as kustomize does',
  },
  {
    dir: 'replacement-file-lenient',
    about: '(found) unknown fields of a replacement file are ignored (plain yaml.Unmarshal)',
  },
  {
    dir: 'empty-list-kustomization',
    about: '(found) `resources: []` alone is not an empty kustomization (a non-nil list)',
  },
  {
    dir: 'rolebinding-empty-namespace',
    about: '(e) a subject namespace "" is accepted (only a null one is refused)',
  },
];

/** Cases kubectl refuses: the words of its error, and the finding code of ours. */
const refused: { dir: string; kubectl: string; code: string }[] = [
  {
    dir: 'refused/rolebinding-blank-namespace',
    kubectl: 'namespace is blank for resource',
    code: 'kustomize/invalid-subject',
  },
  {
    dir: 'refused/empty-patch-file',
    kubectl: 'must specify a target for JSON patch',
    code: 'kustomize/invalid-patch',
  },
  {
    dir: 'refused/empty-patches-strategic-merge',
    kubectl: 'patch appears to be empty',
    code: 'kustomize/invalid-patch',
  },
  {
    dir: 'refused/comment-only-patch',
    kubectl: 'illegally qualifies as both an SM and JSON patch',
    code: 'kustomize/invalid-patch',
  },
  {
    dir: 'refused/empty-json-patch',
    kubectl: 'illegally qualifies as both an SM and JSON patch',
    code: 'kustomize/invalid-patch',
  },
  {
    dir: 'refused/label-fields-conflict',
    kubectl: 'conflicting fieldspecs',
    code: 'kustomize/invalid-value',
  },
  {
    dir: 'refused/replacement-path-and-inline',
    kubectl: 'cannot specify both path and inline replacement',
    code: 'kustomize/invalid-replacement',
  },
  {
    dir: 'refused/zero-values-kustomization',
    kubectl: 'kustomization.yaml is empty',
    code: 'kustomize/empty-kustomization',
  },
  {
    dir: 'refused/several-patches-one-target',
    kubectl: 'Multiple Strategic-Merge Patches in one `patches` entry',
    code: 'kustomize/invalid-patch',
  },
];

describe('fidelity cases', () => {
  it('covers every folder of the fidelity fixtures', async () => {
    const top = await readdir(fixtures);
    const refusedDirs = await readdir(join(fixtures, 'refused'));
    const covered = new Set([...agreeing, ...refused].map((entry) => entry.dir.split('/')[0]));
    expect(top.filter((name) => !covered.has(name))).toEqual([]);
    expect(refusedDirs.map((name) => `refused/${name}`).sort()).toEqual(
      refused.map((entry) => entry.dir).sort(),
    );
  });

  it.each(agreeing)('$dir: $about', async ({ dir }) => {
    await expectSameBuild(join(fixtures, dir));
  });

  it.each(refused)('$dir: refused like kubectl', async ({ dir, kubectl: words, code }) => {
    const folder = join(fixtures, dir);
    const [expected, built] = await Promise.all([
      kubectl(folder),
      buildKustomization(folder, nodeFileSystem()),
    ]);
    expect('error' in expected ? expected.error : 'built').toContain(words);
    const errors = built.findings.filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => finding.code)).toEqual([code]);
  });
});

describe('field names in another letter case', () => {
  it('are read, each with a warning naming the field', async () => {
    const { findings } = await buildKustomization(
      join(fixtures, 'field-letter-case'),
      nodeFileSystem(),
    );
    const renamed = findings.filter((finding) => finding.code === 'kustomize/field-case');
    expect(renamed.map((finding) => finding.path)).toEqual(
      expect.arrayContaining(['namePrefix', 'commonLabels', 'patchesJson6902', 'images[0].newTag']),
    );
    expect(renamed.every((finding) => finding.severity === 'warning')).toBe(true);
    expect(renamed.find((finding) => finding.path === 'commonLabels')).toMatchObject({ line: 4 });
  });

  it('given twice build like kubectl (mappings merged, the later value kept) and are reported', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'kustomization.yaml': [
        'resources: [cm.yaml]',
        'namePrefix: a-',
        'nameprefix: b-',
        'commonLabels: {x: "1"}',
        'COMMONLABELS: {z: "2"}',
        'generatorOptions: {labels: {a: "1"}, disableNameSuffixHash: true}',
        'GeneratorOptions: {labels: {b: "2"}}',
        'configMapGenerator:',
        '  - name: generated',
        '    literals: [key=value]',
        '',
      ].join('\n'),
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
    });
    const [expected, built] = await Promise.all([
      kubectl(dir),
      buildKustomization(dir, nodeFileSystem()),
    ]);
    if ('error' in expected) throw new Error(expected.error);
    expect(built.resources.map((resource) => resource.object)).toStrictEqual(expected.objects);
    const duplicates = built.findings.filter(
      (finding) => finding.code === 'kustomize/duplicate-key',
    );
    expect(duplicates.map((finding) => finding.line)).toEqual([3, 5, 7]);
  });

  it('leave patch options a map: unknown keys accepted, only the exact names used', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'kustomization.yaml': [
        'resources: [cm.yaml]',
        'patches:',
        '  - options: {allownamechange: true}',
        '    patch: |-',
        '      apiVersion: v1',
        '      kind: ConfigMap',
        '      metadata:',
        '        name: settings',
        '      data:',
        '        key: patched',
        '',
      ].join('\n'),
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
    });
    await expectSameBuild(dir);
  });
});
