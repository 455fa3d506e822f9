/** Unit tests of the deterministic YAML writer and the file tree. */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FileTreeBuilder, isSafeRelativePath } from '../../src/render/file-tree.js';
import { toJsonFile, toYamlFile, toYamlStream } from '../../src/render/yaml.js';

describe('toYamlFile', () => {
  it('quotes every string that YAML 1.1 or 1.2 would read as something else', () => {
    const values = ['yes', 'no', 'on', 'off', 'y', 'true', 'null', '~', '9090', '0644', '0o14'];
    const text = toYamlFile([], Object.fromEntries(values.map((value) => [`k${value}`, value])));
    for (const value of values) expect(text).toContain(`k${value}: "${value}"`);
    // And both readers get strings back.
    const asYaml11 = parse(text, { version: '1.1' }) as Record<string, unknown>;
    const asYaml12 = parse(text) as Record<string, unknown>;
    for (const value of values) {
      expect(asYaml11[`k${value}`]).toBe(value);
      expect(asYaml12[`k${value}`]).toBe(value);
    }
  });

  it('writes numbers such as file modes in decimal', () => {
    expect(toYamlFile([], { defaultMode: 0o644 })).toBe('defaultMode: 420\n');
  });

  it('keeps key order, never folds long lines and writes no anchors for shared objects', () => {
    const labels = { app: 'x' };
    const long = 'a'.repeat(200);
    const text = toYamlFile([], { kind: 'K', apiVersion: 'v1', labels, again: labels, long });
    expect(text.split('\n').slice(0, 2)).toEqual(['kind: K', 'apiVersion: v1']);
    expect(text).toContain(`long: ${long}\n`);
    expect(text).not.toMatch(/[&*]a\d/);
  });

  it('puts the header first and writes multi-line strings as blocks', () => {
    const text = toYamlFile(['Generated.', '', 'Second.'], { expr: 'a /\nb\n' });
    expect(text).toBe('# Generated.\n#\n# Second.\nexpr: |\n  a /\n  b\n');
  });

  it('separates the documents of a stream', () => {
    expect(toYamlStream(['h'], [{ a: 1 }, { b: 2 }])).toBe('# h\n---\na: 1\n---\nb: 2\n');
  });

  it('writes JSON with two-space indentation and a final newline', () => {
    expect(toJsonFile({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});

describe('FileTreeBuilder', () => {
  it('sorts paths and refuses duplicates', () => {
    const tree = new FileTreeBuilder().add('b/x.yaml', 'b').add('a.yaml', 'a').build();
    expect([...tree.keys()]).toEqual(['a.yaml', 'b/x.yaml']);
    expect(() => new FileTreeBuilder().add('a', '1').add('a', '2')).toThrow(/twice/);
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b', '', 'a b', 'a\\b'])(
    'refuses the path %j, which could escape the output folder',
    (path) => {
      expect(isSafeRelativePath(path)).toBe(false);
      expect(() => new FileTreeBuilder().add(path, '')).toThrow(/unsafe path/);
    },
  );

  it('accepts ordinary relative paths', () => {
    expect(isSafeRelativePath('overlays/prod-eu/prometheus/prometheus.yml')).toBe(true);
  });
});
