/**
 * Whether a CustomResourceDefinition's `openAPIV3Schema` is one the API server accepts: the
 * structural-schema rules of k8s.io/apiextensions-apiserver pkg/apiserver/schema/validation.go
 * (validateStructuralInvariants, validateNestedValueValidation) and the type names of
 * pkg/apis/apiextensions/validation/validation.go (openapiV3Types, "additionalProperties and
 * properties are mutual exclusive"). Pure: issues carry the path inside the CRD object.
 */
import { closestMatch } from '../config/hints.js';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { isRecord } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

export interface StructuralIssue {
  /** Path inside the CRD object, ending at the offending key. */
  path: Path;
  /** `crd/invalid-type` (the API server refuses the CRD outright) or `crd/non-structural`. */
  code: 'crd/invalid-type' | 'crd/non-structural';
  message: string;
  hint?: string;
}

/** openapiV3Types of apiextensions validation.go. */
const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

type Level = 'root' | 'item' | 'field';

const emptyTypeMessage: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

/** The value validations that may hold nested schemas (no type, no structure of their own). */
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

/** Keys a nested value validation must not have (validateNestedValueValidation). */
const NESTED_FORBIDDEN = [
  'type',
  'additionalProperties',
  'default',
  'title',
  'description',
  'nullable',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

function isIntOrStringPair(list: unknown): boolean {
  if (!Array.isArray(list) || list.length !== 2) return false;
  const [first, second] = list as unknown[];
  const only = (node: unknown, type: string): boolean =>
    isRecord(node) && Object.keys(node).length === 1 && node.type === type;
  return only(first, 'integer') && only(second, 'string');
}

function checkNested(node: unknown, path: Path, skipAnyOf: boolean, out: StructuralIssue[]): void {
  if (!isRecord(node)) return;
  for (const key of NESTED_FORBIDDEN) {
    if (node[key] === undefined || node[key] === false) continue;
    out.push({
      path: [...path, key],
      code: 'crd/non-structural',
      message: `${key} must be empty inside allOf, anyOf, oneOf or not to be structural`,
      hint: 'declare it on the schema itself; the junctors may only add value validations',
    });
  }
  if (isRecord(node.properties)) {
    if ('metadata' in node.properties) {
      out.push({
        path: [...path, 'properties', 'metadata'],
        code: 'crd/non-structural',
        message: 'metadata must not be specified in a nested context',
      });
    }
    for (const [name, child] of Object.entries(node.properties))
      checkNested(child, [...path, 'properties', name], false, out);
  }
  if (isRecord(node.items)) checkNested(node.items, [...path, 'items'], false, out);
  checkJunctors(node, path, skipAnyOf, out);
}

function checkJunctors(
  node: Record<string, unknown>,
  path: Path,
  skipAnyOf: boolean,
  out: StructuralIssue[],
): void {
  const allOfPattern =
    Array.isArray(node.allOf) &&
    isIntOrStringPair(isRecord(node.allOf[0]) ? node.allOf[0].anyOf : undefined);
  for (const junctor of JUNCTORS) {
    const list = node[junctor];
    if (!Array.isArray(list)) continue;
    if (junctor === 'anyOf' && (skipAnyOf || isIntOrStringPair(list))) continue;
    list.forEach((child, index) => {
      checkNested(
        child,
        [...path, junctor, index],
        junctor === 'allOf' && index === 0 && allOfPattern,
        out,
      );
    });
  }
  if (isRecord(node.not)) checkNested(node.not, [...path, 'not'], false, out);
}

/** Root `metadata` may only restrict name and generateName (validateStructuralMetadataInvariants). */
function checkRootMetadata(node: unknown, path: Path, out: StructuralIssue[]): void {
  if (!isRecord(node)) return;
  if (node.type !== undefined && node.type !== 'object') {
    out.push({
      path: [...path, 'type'],
      code: 'crd/non-structural',
      message: 'metadata must be of type object',
    });
  }
  const extra = Object.keys(node).filter((key) => key !== 'type' && key !== 'properties');
  const properties = isRecord(node.properties) ? Object.keys(node.properties) : [];
  const others = properties.filter((name) => name !== 'name' && name !== 'generateName');
  if (extra.length > 0 || others.length > 0) {
    const key = extra[0];
    out.push({
      path: key !== undefined ? [...path, key] : [...path, 'properties', others[0] ?? ''],
      code: 'crd/non-structural',
      message:
        'metadata must not specify anything other than name and generateName, but metadata is implicitly specified',
      hint: 'the API server validates metadata itself; keep `type: object` (and name or generateName rules) only',
    });
  }
}

function checkNode(node: unknown, path: Path, level: Level, out: StructuralIssue[]): void {
  if (!isRecord(node)) return;
  const type = node.type;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  if (type !== undefined && (typeof type !== 'string' || !TYPES.includes(type))) {
    const match = typeof type === 'string' ? closestMatch(type, TYPES) : undefined;
    out.push({
      path: [...path, 'type'],
      code: 'crd/invalid-type',
      message: `type ${quoteValue(type)} is not one of ${TYPES.join(', ')}`,
      hint: match ? `did you mean \`${match}\`?` : `use one of ${TYPES.join(', ')}`,
    });
  } else if (embedded && type !== 'object') {
    out.push({
      path: type === undefined ? path : [...path, 'type'],
      code: 'crd/non-structural',
      message: 'type must be object if x-kubernetes-embedded-resource is true',
    });
  } else if (type === undefined && !intOrString && !preserve) {
    out.push({
      path,
      code: 'crd/non-structural',
      message: `type ${emptyTypeMessage[level]}`,
      hint: 'add `type:` (object, array, string, integer, number or boolean), or x-kubernetes-preserve-unknown-fields: true for free-form data',
    });
  }
  if (level === 'root' && typeof type === 'string' && type !== 'object' && TYPES.includes(type)) {
    out.push({
      path: [...path, 'type'],
      code: 'crd/non-structural',
      message: 'type must be object at the root',
    });
  }
  if (intOrString && preserve) {
    out.push({
      path: [...path, 'x-kubernetes-preserve-unknown-fields'],
      code: 'crd/non-structural',
      message:
        'x-kubernetes-preserve-unknown-fields must be false if x-kubernetes-int-or-string is true',
    });
  }
  if (type === 'array' && node.items === undefined) {
    out.push({
      path,
      code: 'crd/non-structural',
      message: 'items must be specified for type array',
    });
  }
  // `additionalProperties: true` beside properties is allowed; false or a schema is not.
  if (
    node.properties !== undefined &&
    (node.additionalProperties === false || isRecord(node.additionalProperties))
  ) {
    out.push({
      path: [...path, 'additionalProperties'],
      code: 'crd/non-structural',
      message: 'additionalProperties and properties are mutual exclusive',
      hint: 'a mapping either lists its fields (properties) or takes any key (additionalProperties)',
    });
  } else if (level === 'root' && node.additionalProperties !== undefined) {
    out.push({
      path: [...path, 'additionalProperties'],
      code: 'crd/non-structural',
      message: 'additionalProperties must not be used at the root',
    });
  }
  if (isRecord(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      if (name === 'metadata' && (level === 'root' || embedded)) {
        if (level === 'root') checkRootMetadata(child, [...path, 'properties', name], out);
        else if (isRecord(child) && child.type !== 'object')
          out.push({
            path: [...path, 'properties', name],
            code: 'crd/non-structural',
            message: 'metadata must be of type object',
          });
        continue;
      }
      checkNode(child, [...path, 'properties', name], 'field', out);
    }
  }
  if (isRecord(node.items)) checkNode(node.items, [...path, 'items'], 'item', out);
  if (isRecord(node.additionalProperties))
    checkNode(node.additionalProperties, [...path, 'additionalProperties'], 'field', out);
  checkJunctors(node, path, false, out);
}

/**
 * Completeness (complete.go): a field or items named inside the root's allOf/anyOf/oneOf/not
 * must also be specified in the schema itself. Like validateStructuralCompleteness, from the
 * root only; `at` names the structural place in the message, `path` is where it is written.
 */
function checkCompleteness(
  value: Record<string, unknown>,
  structural: Record<string, unknown>,
  at: string,
  path: Path,
  out: StructuralIssue[],
): void {
  for (const junctor of JUNCTORS) {
    const list = value[junctor];
    if (!Array.isArray(list)) continue;
    list.forEach((child, index) => {
      checkNestedCompleteness(child, structural, at, [...path, junctor, index], out);
    });
  }
  checkNestedCompleteness(value.not, structural, at, [...path, 'not'], out);
}

function checkNestedCompleteness(
  value: unknown,
  structural: Record<string, unknown>,
  at: string,
  path: Path,
  out: StructuralIssue[],
): void {
  if (!isRecord(value)) return;
  checkCompleteness(value, structural, at, path, out);
  if (isRecord(value.items)) {
    if (isRecord(structural.items))
      checkNestedCompleteness(
        value.items,
        structural.items,
        `${at}.items`,
        [...path, 'items'],
        out,
      );
    else out.push(incomplete(`${at}.items`, [...path, 'items']));
  }
  if (!isRecord(value.properties)) return;
  const fields = isRecord(structural.properties) ? structural.properties : {};
  for (const [name, child] of Object.entries(value.properties)) {
    const field = fields[name];
    const fieldAt = `${at}.properties[${name}]`;
    if (isRecord(field))
      checkNestedCompleteness(child, field, fieldAt, [...path, 'properties', name], out);
    else out.push(incomplete(fieldAt, [...path, 'properties', name]));
  }
}

function incomplete(at: string, path: Path): StructuralIssue {
  return {
    path,
    code: 'crd/non-structural',
    message: `${at.replace(/^\./, '')} must be specified outside allOf, anyOf, oneOf and not, because it is defined here`,
    hint: 'declare the field with its type in the schema itself; the junctors may only add value validations',
  };
}

/** The problems of one `openAPIV3Schema`; `path` is where it sits in the CRD. */
export function structuralIssues(schema: unknown, path: Path = []): StructuralIssue[] {
  const out: StructuralIssue[] = [];
  checkNode(schema, path, 'root', out);
  if (isRecord(schema)) checkCompleteness(schema, schema, '', path, out);
  return out;
}

/** Each version's schema of a CRD object, with its path. */
export function versionSchemas(
  crd: Record<string, unknown>,
): { index: number; version: Record<string, unknown>; path: Path; schema: unknown }[] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? (spec.versions as unknown[]) : [];
  return versions.flatMap((version, index) => {
    if (!isRecord(version)) return [];
    const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
    if (schema === undefined) return [];
    return [
      { index, version, path: ['spec', 'versions', index, 'schema', 'openAPIV3Schema'], schema },
    ];
  });
}

/** Findings for a CRD whose schemas the API server would refuse, at the offending line. */
export function checkCrdStructure(resource: ManifestResource): Finding[] {
  return versionSchemas(resource.object).flatMap(({ path, schema }) =>
    structuralIssues(schema, path).map((issue) => ({
      code: issue.code,
      severity: 'error' as const,
      message: issue.message,
      file: resource.file,
      document: resource.document,
      ...resource.locate(issue.path, 'key'),
      path: formatPath([...resource.pathInDocument, ...issue.path]),
      resource: resource.id,
      ...(issue.hint ? { hint: issue.hint } : {}),
    })),
  );
}
