/**
 * The grafana engine's readers for the team's dashboard files: the strict JSON scanner (which
 * must accept exactly what a strict RFC 8259 parser accepts; JSON.parse is the reference here,
 * as strict as Go's encoding/json on text) with errors at line:column, and the rewriting of an
 * exported dashboard's `${DS_...}` inputs.
 */
import { describe, expect, it } from 'vitest';
import { loadJsonSource, resolveDatasourceInputs } from '../../src/grafana/index.js';
import { exportedDashboard } from './dashboard-samples.js';

function strictParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic generator (no Math.random: failures must reproduce). */
function* mutations(seed: string, count: number): Generator<string> {
  let state = 42;
  const next = (limit: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % limit;
  };
  const alphabet = [
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '"',
    '\\',
    ' ',
    '\n',
    '1',
    '-',
    '.',
    'e',
    'n',
    't',
    '/',
    '\u0001',
  ];
  for (let index = 0; index < count; index++) {
    const at = next(seed.length);
    const kind = next(3);
    const char = alphabet[next(alphabet.length)] ?? '';
    if (kind === 0) yield seed.slice(0, at) + seed.slice(at + 1);
    else if (kind === 1) yield seed.slice(0, at) + char + seed.slice(at);
    else yield seed.slice(0, at) + char + seed.slice(at + 1);
  }
}

describe('loadJsonSource', () => {
  it('accepts exactly what a strict JSON parser accepts (2,000 mutations of a dashboard)', () => {
    const seed = '{"a": [1, -2.5e3, true, null, "x\\n\\u00e9"], "b": {"c": {}}, "d": []}';
    let valid = 0;
    for (const text of mutations(seed, 2000)) {
      const loaded = loadJsonSource('d.json', text);
      expect({ text, ok: loaded.findings.length === 0 }).toEqual({ text, ok: strictParses(text) });
      if (loaded.findings.length === 0) valid++;
    }
    // Both sides of the comparison were exercised.
    expect(valid).toBeGreaterThan(50);
    expect(valid).toBeLessThan(1950);
  });

  it('locates keys of a valid file and the first error of an invalid one', () => {
    const loaded = loadJsonSource('d.json', '{\n  "panels": [\n    {"id": 1}\n  ]\n}\n');
    expect(loaded.value).toEqual({ panels: [{ id: 1 }] });
    expect(loaded.source.locate?.(['panels', 0, 'id'])).toEqual({ line: 3, column: 12 });
    const broken = loadJsonSource('d.json', '{\n  "a": 1\n  "b": 2\n}');
    expect(broken.findings).toEqual([
      {
        code: 'grafana/json-syntax',
        severity: 'error',
        message: 'invalid JSON: expected "," or "}" after a property value, found "\\""',
        file: 'd.json',
        line: 3,
        column: 3,
      },
    ]);
    expect(loadJsonSource('d.json', '\uFEFF{}').findings[0]?.message).toMatch(/byte order mark/);
    expect(loadJsonSource('d.json', '').findings[0]?.message).toMatch(/the end of the file/);
    expect(loadJsonSource('d.json', "{'a': 1}").findings[0]?.column).toBe(2);
  });
});

describe('resolveDatasourceInputs', () => {
  it('replaces Prometheus inputs in every datasource reference and drops them from __inputs', () => {
    const original = JSON.parse(exportedDashboard) as Record<string, unknown>;
    const { model, replaced } = resolveDatasourceInputs(original, {
      type: 'prometheus',
      uid: 'prometheus',
    });
    expect(replaced).toEqual(['${DS_PROMETHEUS}']);
    expect(JSON.stringify(model)).not.toContain('${DS_PROMETHEUS}');
    expect(model.__inputs).toBeUndefined();
    // The input is not modified.
    expect(JSON.stringify(original)).toContain('${DS_PROMETHEUS}');
    // Text that only looks like a placeholder, outside a datasource reference, stays.
    const other = resolveDatasourceInputs(
      { __inputs: original.__inputs, title: '${DS_PROMETHEUS}', panels: [] },
      { type: 'prometheus', uid: 'prometheus' },
    );
    expect(other.model.title).toBe('${DS_PROMETHEUS}');
    expect(other.replaced).toEqual([]);
  });

  it('leaves inputs of other plugins, and dashboards without inputs, as they are', () => {
    const loki = {
      __inputs: [{ name: 'DS_LOKI', type: 'datasource', pluginId: 'loki' }],
      panels: [{ datasource: { type: 'loki', uid: '${DS_LOKI}' } }],
    };
    expect(resolveDatasourceInputs(loki, { type: 'prometheus', uid: 'prometheus' }).model).toEqual(
      loki,
    );
    const plain = { uid: 'x', panels: [{ datasource: { type: 'prometheus', uid: 'prometheus' } }] };
    expect(resolveDatasourceInputs(plain, { type: 'prometheus', uid: 'prometheus' }).model).toEqual(
      plain,
    );
  });
});
