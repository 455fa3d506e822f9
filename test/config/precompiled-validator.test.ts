/**
 * The environment validator the build precompiles (generated/validators/environment.cjs) says
 * exactly what a validator compiled at run time says, and is used only while it matches the
 * schema.
 */
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { environmentValidatorModule } from '../../src/config/check-schema.js';
import { environmentSchema, formatPatterns } from '../../src/config/schema.js';
import { jsonDigest } from '../../src/precompiled.js';

const root = join(import.meta.dirname, '..', '..');

function fresh(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  for (const [name, pattern] of Object.entries(formatPatterns)) ajv.addFormat(name, pattern);
  return ajv.compile(environmentSchema);
}

type Precompiled = ValidateFunction & { schemaDigest: string };

/** Evaluates module source as CommonJS beside generated/ (it requires ajv's runtime). */
function evaluate(source: string): Precompiled {
  const file = join(root, 'generated', 'validators', 'environment-test.cjs');
  const module = { exports: {} as unknown };
  const wrapper = vm.runInThisContext(Module.wrap(source), { filename: file }) as (
    ...args: unknown[]
  ) => void;
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports as Precompiled;
}

const inputs: unknown[] = [
  {},
  { namespace: 'mlflow-dev', prometheus: { retention: { time: '15d', size: '40GB' } } },
  { namespce: 'a' },
  { prometheus: { retention: { time: '2x' }, replicas: 'two' } },
  { grafana: { nodePort: 80 }, prometheus: { resources: { requests: { cpu: 'lots' } } } },
  { publish: { repo: 'not a remote', mode: 'merge' } },
  [],
  'text',
];

describe('the precompiled environment validator', () => {
  it('reports what a freshly compiled one reports, error for error', () => {
    const precompiled = evaluate(environmentValidatorModule());
    const runtime = fresh();
    for (const input of inputs) {
      const a = precompiled(input);
      const b = runtime(input);
      expect(a, JSON.stringify(input)).toBe(b);
      const strip = (errors: typeof runtime.errors) =>
        (errors ?? []).map(({ instancePath, keyword, params, message, schemaPath }) => ({
          instancePath,
          keyword,
          params,
          message,
          schemaPath,
        }));
      expect(strip(precompiled.errors)).toEqual(strip(runtime.errors));
    }
  });

  it('is the one the build wrote, for this schema', () => {
    const built = createRequire(import.meta.url)(
      join(root, 'generated', 'validators', 'environment.cjs'),
    ) as { schemaDigest: string };
    expect(built.schemaDigest).toBe(jsonDigest(environmentSchema));
    expect(evaluate(environmentValidatorModule()).schemaDigest).toBe(jsonDigest(environmentSchema));
  });
});
