/**
 * Checks parsed environment data against the JSON Schema with ajv and turns ajv's errors into
 * problems a person can act on: file, line:column, key path, one sentence and a hint.
 */
import { fileURLToPath } from 'node:url';
import { _, Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { Problem } from '../errors.js';
import { jsonDigest, requirePrecompiled } from '../precompiled.js';
import { clip, quoteValue } from '../text-safety.js';
import { didYouMean, formatHint } from './hints.js';
import type { ParsedSource } from './parse.js';
import {
  environmentSchema,
  formatPatterns,
  type EnvironmentFile,
  type FormatName,
} from './schema.js';

let compiled: ValidateFunction<EnvironmentFile> | undefined;

function newAjv(forStandalone: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    verbose: true,
    ...(forStandalone
      ? { code: { source: true, esm: false, formats: _`environmentFormats` } }
      : {}),
  });
  for (const [name, pattern] of Object.entries(formatPatterns)) ajv.addFormat(name, pattern);
  return ajv;
}

/**
 * The validator as a CommonJS module, written by the build (scripts/precompile-validators.mjs):
 * compiling the schema costs a cold `render` more than all the rest of its checks. It carries a
 * digest of the schema, so that a module older than the schema is never used.
 */
export function environmentValidatorModule(): string {
  const ajv = newAjv(true);
  const validate = ajv.compile(environmentSchema);
  const formats = Object.entries(formatPatterns)
    .map(
      ([name, pattern]) =>
        `${JSON.stringify(name)}: new RegExp(${JSON.stringify(pattern.source)}, ${JSON.stringify(pattern.flags)})`,
    )
    .join(', ');
  return [
    '"use strict";',
    `const environmentFormats = {${formats}};`,
    standaloneCode.default(ajv, validate),
    `module.exports.schemaDigest = ${JSON.stringify(jsonDigest(environmentSchema))};`,
    '',
  ].join('\n');
}

const precompiledFile = fileURLToPath(
  new URL('../../generated/validators/environment.cjs', import.meta.url),
);

function precompiled(): ValidateFunction<EnvironmentFile> | undefined {
  try {
    const module = requirePrecompiled(precompiledFile) as ValidateFunction<EnvironmentFile> & {
      schemaDigest?: unknown;
    };
    return module.schemaDigest === jsonDigest(environmentSchema) ? module : undefined;
  } catch {
    return undefined; // not built: compile
  }
}

function validator(): ValidateFunction<EnvironmentFile> {
  compiled ??= precompiled() ?? newAjv(false).compile<EnvironmentFile>(environmentSchema);
  return compiled;
}

export type SchemaCheck = { ok: true; file: EnvironmentFile } | { ok: false; problems: Problem[] };

/** An empty file is a valid environment with every default. */
export function checkEnvironmentData(source: ParsedSource): SchemaCheck {
  const data = source.data ?? {};
  const validate = validator();
  if (validate(data)) return { ok: true, file: data };
  const errors = (validate.errors ?? []).filter((error) => error.propertyName === undefined);
  return { ok: false, problems: errors.map((error) => toProblem(source, error)) };
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quoteValue(value)}`;
  // JSON.stringify would print .inf and .nan as "null".
  if (typeof value === 'number' && !Number.isFinite(value)) return `the non-finite number ${value}`;
  return `${typeof value} ${quoteValue(value)}`;
}

const typeNames: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping of keys',
  array: 'a list',
};

function schemaKeys(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null || !('properties' in schema)) return [];
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

function toProblem(source: ParsedSource, error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const base = { file: source.file, code: `config/${error.keyword}` };
  const at = (keyPath: string[], where: 'key' | 'value' = 'value'): Partial<Problem> => {
    const position = source.locate(keyPath, where);
    return {
      line: position?.line,
      column: position?.column,
      keyPath: keyPath.length > 0 ? keyPath.join('.') : undefined,
    };
  };
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = schemaKeys(error.parentSchema);
      return {
        ...base,
        code: 'config/unknown-key',
        ...at([...path, key], 'key'),
        message: `unknown key \`${clip(key)}\``,
        hint: didYouMean(key, allowed) ?? `allowed keys here: ${allowed.join(', ')}`,
      };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      return {
        ...base,
        code: 'config/invalid-key',
        ...at([...path, key], 'key'),
        message: `\`${clip(key)}\` is not a valid label name`,
        hint: formatHint('label-name', key),
      };
    }
    case 'type': {
      const expected = String(params.type);
      const value = error.data;
      let hint = `write ${typeNames[expected] ?? expected} here`;
      // Each tailored hint only applies to the type it fixes: "remove the quotes" for a
      // mapping, or "quote the value" for an integer, would lead the user astray.
      if (
        expected === 'boolean' &&
        typeof value === 'string' &&
        /^(yes|no|on|off|true|false)$/i.test(value)
      ) {
        hint = 'use true or false (YAML 1.2: yes/no/on/off are strings)';
      } else if (
        (expected === 'number' || expected === 'integer') &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        (expected === 'number' ? Number.isFinite(Number(value)) : Number.isInteger(Number(value)))
      ) {
        hint = `remove the quotes: ${clip(value)}`;
      } else if (
        expected === 'string' &&
        (typeof value === 'number' || typeof value === 'boolean')
      ) {
        hint = `quote the value: ${quoteValue(String(value))}`;
      } else if (typeof value === 'number' && !Number.isFinite(value)) {
        hint = `write a finite ${expected === 'integer' ? 'integer' : 'number'} here`;
      }
      return {
        ...base,
        code: 'config/wrong-type',
        ...at(path),
        message: `must be ${typeNames[expected] ?? expected}, got ${describe(value)}`,
        hint,
      };
    }
    case 'format': {
      const format = String(params.format) as FormatName;
      return {
        ...base,
        code: `config/invalid-${format}`,
        ...at(path),
        message: `${describe(error.data)} is not a valid ${format.replace('-', ' ')}`,
        hint: formatHint(format, error.data),
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return {
        ...base,
        code: 'config/not-allowed',
        ...at(path),
        message: `${describe(error.data)} is not one of ${allowed.join(', ')}`,
        hint: didYouMean(String(error.data), allowed) ?? `use one of ${allowed.join(', ')}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const comparison = String(params.comparison);
      const limit = String(params.limit);
      return {
        ...base,
        code: 'config/out-of-range',
        ...at(path),
        message: `must be ${comparison} ${limit}, got ${clip(String(error.data))}`,
        hint: rangeHint(error),
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        ...base,
        code: 'config/missing-key',
        ...at(path),
        message: `missing required key \`${key}\``,
        hint: `add \`${key}:\` under \`${path.join('.') || 'the top level'}\``,
      };
    }
    case 'minLength':
      return {
        ...base,
        code: 'config/empty',
        ...at(path),
        message: 'must not be empty',
        hint: 'write a value, or remove the key to use the default',
      };
    default:
      return { ...base, ...at(path), message: error.message ?? 'is not valid' };
  }
}

function rangeHint(error: ErrorObject): string {
  const schema = error.parentSchema as { minimum?: number; maximum?: number } | undefined;
  if (schema?.minimum !== undefined && schema.maximum !== undefined) {
    return `use a value from ${schema.minimum} to ${schema.maximum}`;
  }
  const params = error.params as { comparison: string; limit: number };
  return `use a value ${params.comparison} ${params.limit}`;
}
