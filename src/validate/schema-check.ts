/**
 * Turns JSON Schema (ajv) errors for one object into findings a person can act on: the path
 * inside the object (`spec.template.spec.containers[0].resorces`), its line and column, one
 * sentence and a hint such as "did you mean `resources`?". Pure.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closestMatch } from '../config/hints.js';
import { checkCrdStructure } from './crd-structural.js';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import type { ListShape } from './list-semantics.js';
import { isRecord } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

/** What the schema check needs from the schema store. */
export interface SchemaLookup {
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined;
  /** Loads what validatorFor needs for a kind (precompiled code), before it is asked. */
  prepare?(apiVersion: string, kind: string): Promise<void>;
  /** Property names allowed at a path, when errors do not carry their schema. */
  allowedKeys?(apiVersion: string, kind: string, path: readonly (string | number)[]): string[];
  /** Takes a CustomResourceDefinition met in the run as the schema of its kinds (crd-schemas.ts). */
  learnCrd?(object: Record<string, unknown>): void;
  /** Findings of a CRD's `x-kubernetes-validations` rules on its object (crd-cel.ts). */
  ruleFindings?(resource: ManifestResource): Finding[];
  /** The list-maps and sets of a custom resource's schema, when its CRD is in the run. */
  customListShape?(apiVersion: string, kind: string): ListShape | undefined;
}

/** A JSON pointer made into path segments, list indexes as numbers (read off the data). */
function pointerToPath(pointer: string, data: unknown): Path {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = isRecord(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quoteValue(value)}`;
  return `${typeof value} ${quoteValue(value)}`;
}

const typeNames: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function allowedKeys(schema: unknown): string[] {
  return isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

function typeHint(expected: string, value: unknown): string | undefined {
  if (typeof value === 'string' && (expected === 'integer' || expected === 'number')) {
    return value.trim() !== '' && !Number.isNaN(Number(value))
      ? `remove the quotes: ${value}`
      : undefined;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote the value: ${quoteValue(String(value))} (YAML reads ${String(value)} as ${typeof value})`;
  }
  if (expected === 'array' && isRecord(value)) return 'write a list: each item starts with "- "';
  if (expected === 'object' && typeof value === 'string') {
    return 'check the indentation: the keys below this one must be indented under it';
  }
  return undefined;
}

function toFinding(
  resource: ManifestResource,
  error: ErrorObject,
  schemas: SchemaLookup,
): Finding | undefined {
  const path = pointerToPath(error.instancePath, resource.object);
  const base = {
    severity: 'error' as const,
    file: resource.file,
    document: resource.document,
    resource: resource.id,
  };
  const at = (target: Path, where: 'key' | 'value' = 'value'): Partial<Finding> => ({
    ...resource.locate(target, where),
    path: formatPath([...resource.pathInDocument, ...target]),
  });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = error.parentSchema
        ? allowedKeys(error.parentSchema)
        : (schemas.allowedKeys?.(resource.id.apiVersion, resource.id.kind, path) ?? []);
      const match = closestMatch(key, allowed);
      return {
        ...base,
        code: 'schema/unknown-field',
        ...at([...path, key], 'key'),
        message: `unknown field ${quoteValue(key)}`,
        hint: match
          ? `did you mean \`${match}\`?`
          : 'check the spelling and the indentation (a mis-indented block lands under the wrong key)',
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        ...base,
        code: 'schema/missing-field',
        ...at(path, 'key'),
        message: `missing required field ${quoteValue(key)}`,
        hint: `add \`${key}:\` here`,
      };
    }
    case 'type': {
      const value = valueAt(resource.object, path);
      // The API server treats null as "not set": only a required field would care.
      if (value === null) return undefined;
      const expected = String(params.type);
      const hint = typeHint(expected, value);
      return {
        ...base,
        code: 'schema/wrong-type',
        ...at(path),
        // Null is always also allowed where it is (an optional field): not worth naming.
        message: `must be ${expected
          .split(',')
          .filter((name) => name !== 'null')
          .map((name) => typeNames[name] ?? name)
          .join(' or ')}, got ${describe(value)}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[])
        .filter((value) => value !== null)
        .map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
      const value = valueAt(resource.object, path);
      const match = closestMatch(String(value), allowed);
      return {
        ...base,
        code: 'schema/invalid-enum',
        ...at(path),
        message: `${describe(value)} is not one of ${allowed.join(', ')}`,
        hint: match ? `did you mean \`${match}\`?` : `use one of ${allowed.join(', ')}`,
      };
    }
    default:
      return {
        ...base,
        code: `schema/${error.keyword}`,
        ...at(path),
        message: error.message ?? 'is not valid',
      };
  }
}

export type SchemaResult =
  { status: 'checked'; findings: Finding[] } | { status: 'missing-schema' };

/** Validates one object against the schema of its kind. */
export function checkSchema(resource: ManifestResource, schemas: SchemaLookup): SchemaResult {
  const { apiVersion, kind } = resource.id;
  const isCrd = apiVersion === 'apiextensions.k8s.io/v1' && kind === 'CustomResourceDefinition';
  // A CRD's schemas must be ones the API server accepts; it then serves its kinds' objects.
  const crdFindings = isCrd ? checkCrdStructure(resource) : [];
  if (isCrd) schemas.learnCrd?.(resource.object);
  const validate = schemas.validatorFor(apiVersion, kind);
  if (!validate) return { status: 'missing-schema' };
  if (validate(resource.object))
    return {
      status: 'checked',
      findings: [...crdFindings, ...(schemas.ruleFindings?.(resource) ?? [])],
    };
  const findings: Finding[] = [...crdFindings];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const finding = toFinding(resource, error, schemas);
    if (!finding) continue;
    // anyOf branches repeat one problem several times: keep the first per place and code.
    const key = `${finding.code}|${finding.path ?? ''}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  findings.push(...(schemas.ruleFindings?.(resource) ?? []));
  return { status: 'checked', findings };
}
