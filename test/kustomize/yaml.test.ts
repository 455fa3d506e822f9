/**
 * The kustomize build reads YAML with js-yaml when it can and with the `yaml` package (the
 * reference) otherwise: both must give the same objects for every input js-yaml accepts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fastResourceYaml,
  parseKustomizationYaml,
  plainScalar,
  referenceResourceYaml,
} from '../../src/kustomize/yaml.js';

const root = join(import.meta.dirname, '..', '..');

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

const scalars = [
  'a: yes',
  'b: 0o17',
  'c: 0644',
  'd: 1e3',
  'e: 2024-01-31',
  'f: 2024-01-31 10:00:00 +02:00',
  'g: 2024-02-30',
  'h: ~',
  'i:',
  'j: [1, null, ~, ]',
  'k: !!str 12',
  'l: "true"',
  'm: .inf',
  'n: -.Inf',
  'o: 1_000',
  'p: 0x1F',
  'q: True',
  'r: on',
  's: 1.50',
  't: -0',
  'u: +12',
  'v: 0b101',
  'w: 1.',
  'x: .5e-3',
  'y: NULL',
  'z: "" ',
];

const documents = [
  scalars.join('\n'),
  'base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\n',
  'text: |\n  line one\n  line two\n\nfolded: >\n  one\n  two\n',
  '# header\n---\napiVersion: v1\nkind: ConfigMap\n---\n---\n# only a comment\n---\nkind: Secret\n',
  '--- |\n  a block document\n',
  'list:\n  - \n  - ~\n  - x\n',
  'a: 1\n...\n# tail\n',
  "quoted: 'it''s'\nescaped: \"tab\\there\"\n",
];

describe('js-yaml and the reference parser', () => {
  it('read the same resource documents, lines and indices', async () => {
    const texts = [...documents];
    for (const dir of ['base', 'overlays', 'argocd']) {
      for (const file of await yamlFiles(join(root, dir))) texts.push(await readFile(file, 'utf8'));
    }
    expect(texts.length).toBeGreaterThan(40);
    for (const text of texts) {
      const fast = fastResourceYaml(text);
      expect(fast, text).toBeDefined();
      expect(fast, text).toEqual(referenceResourceYaml(text));
    }
  });

  it('agree on every test fixture js-yaml accepts (the others go to the reference)', async () => {
    let compared = 0;
    for (const file of await yamlFiles(join(root, 'test'))) {
      const text = await readFile(file, 'utf8');
      const fast = fastResourceYaml(text);
      if (fast === undefined) continue;
      expect(fast, file).toEqual(referenceResourceYaml(text));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('leave problems and source-text annotations to the reference parser', () => {
    for (const text of [
      'a: 1\na: 2\n',
      'a: [\n',
      '%YAML 1.1\n---\na: 1\n',
      'metadata:\n  annotations:\n    version: 1.50\n',
    ]) {
      expect(fastResourceYaml(text), text).toBeUndefined();
    }
  });

  it('read kustomizations as go-yaml v2 does, and locate fields on demand', () => {
    const parsed = parseKustomizationYaml(
      'namespace: a\nresources:\n  - web.yaml\ncommonAnnotations:\n  on: yes\n  num: 0x10\n',
    );
    expect(parsed.value).toEqual({
      namespace: 'a',
      resources: ['web.yaml'],
      commonAnnotations: { true: true, num: 16 },
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.locate(['resources', 0])).toEqual({ line: 3, column: 5 });
    expect(parseKustomizationYaml('').value).toBeNull();
    expect(parseKustomizationYaml('a: 1\na: 2\n').problems).toEqual([
      expect.objectContaining({ code: 'kustomize/duplicate-key', line: 2 }),
    ]);
  });

  it('read scalars back as kyaml does', () => {
    expect(['12', 'true', 'yes', '~', '', '1.5', '0o17', 'a: b'].map(plainScalar)).toEqual([
      12,
      true,
      'yes',
      null,
      undefined,
      1.5,
      15,
      { a: 'b' },
    ]);
  });
});
