/**
 * The field syntax the API server enforces where a JSON Schema is silent: object names (per
 * kind: DNS label, DNS-1035 label, path segment or DNS subdomain), label and annotation keys and
 * values, resource quantities (and requests within limits), enums, port numbers and names. Each
 * check reports through a RuleContext into one object's findings. Pure.
 */
import { Buffer } from 'node:buffer';
import { quantityToNumber } from '../config/units.js';
import type { ManifestResource, Path } from './documents.js';
import { formatPath, type Finding } from './findings.js';
import { isRecord, reach } from './object-paths.js';
import { quoteValue } from '../text-safety.js';

export const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
export const quantityPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Kinds whose names are single path segments (anything but `/`, `%`, `.` and `..`). */
const pathSegmentNamed = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/**
 * Kinds named with a DNS-1123 label: Namespace (ValidateNamespaceName) and StatefulSet
 * (pkg/apis/apps/validation ValidateStatefulSetName = NameIsDNSLabel: its pods' hostnames).
 */
const labelNamed = new Set(['Namespace', 'StatefulSet']);
const dns1035Named = new Set(['Service']);

export interface EnumRule {
  path: Path;
  values: readonly string[];
  /** "" is accepted: the v1 defaults (SetDefaults_*) fill it in before validation. */
  defaulted?: boolean;
}

export class RuleContext {
  readonly findings: Finding[] = [];
  constructor(readonly resource: ManifestResource) {}

  /**
   * An error at `path`. `at` is where the line comes from when it differs, as for a missing
   * field: the path names the field (`containers[0].image`), the line is the item's.
   */
  report(code: string, path: Path, message: string, hint?: string, at: Path = path): void {
    this.push('error', code, path, message, hint, at);
  }

  /** A path inside the object as the report shows it. */
  pathText(path: Path): string {
    return formatPath([...this.resource.pathInDocument, ...path]);
  }

  /** What the API server accepts but answers with a warning. */
  warn(code: string, path: Path, message: string, hint?: string): void {
    this.push('warning', code, path, message, hint, path);
  }

  private push(
    severity: 'error' | 'warning',
    code: string,
    path: Path,
    message: string,
    hint: string | undefined,
    at: Path,
  ): void {
    const position = this.resource.locate(at, 'key');
    this.findings.push({
      code,
      severity,
      message,
      file: this.resource.file,
      document: this.resource.document,
      ...position,
      path: formatPath([...this.resource.pathInDocument, ...path]),
      resource: this.resource.id,
      ...(hint ? { hint } : {}),
    });
  }
}

export function checkName(context: RuleContext): void {
  const { kind } = context.resource.id;
  const metadata = context.resource.object.metadata;
  if (!isRecord(metadata)) {
    context.report('api/missing-metadata', [], 'the object has no metadata', 'add metadata.name');
    return;
  }
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') {
    if (typeof metadata.generateName !== 'string') {
      context.report('api/missing-name', ['metadata'], 'metadata.name is required', 'add a name');
    }
    return;
  }
  const path = ['metadata', 'name'];
  if (pathSegmentNamed.has(kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `${quoteValue(name)} is not a valid ${kind} name`,
        'a name may not be "." or ".." or contain "/" or "%"',
      );
    }
  } else if (labelNamed.has(kind)) {
    if (name.length > 63 || !dns1123Label.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `${quoteValue(name)} is not a valid ${kind} name`,
        'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
      );
    }
  } else if (dns1035Named.has(kind)) {
    if (name.length > 63 || !dns1035Label.test(name)) {
      context.report(
        'api/invalid-name',
        path,
        `${quoteValue(name)} is not a valid ${kind} name`,
        'use at most 63 lowercase letters, digits and "-", starting with a letter',
      );
    }
  } else if (name.length > 253 || !dns1123Subdomain.test(name)) {
    context.report(
      'api/invalid-name',
      path,
      `${quoteValue(name)} is not a valid ${kind} name`,
      'use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    );
  }
  const namespace = metadata.namespace;
  if (typeof namespace === 'string' && (namespace.length > 63 || !dns1123Label.test(namespace))) {
    context.report(
      'api/invalid-namespace',
      ['metadata', 'namespace'],
      `${quoteValue(namespace)} is not a valid namespace`,
      'use at most 63 lowercase letters, digits and "-"',
    );
  }
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a key has at most one "/"';
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !dns1123Subdomain.test(prefix))
  ) {
    return `the prefix ${quoteValue(prefix)} must be a lowercase DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !qualifiedNamePart.test(name)) {
    return 'the name part must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/**
 * Labels (ValidateLabels: IsQualifiedName keys, IsValidLabelValue values) or annotations
 * (ValidateAnnotations: IsQualifiedName of the lowercased key, at most 256 KiB in all). A null
 * value decodes to "" in Go, which both accept.
 */
export function checkLabelMap(context: RuleContext, path: Path, values: boolean): void {
  const map = reach(context.resource.object, path)[0]?.[1];
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(values ? key : key.toLowerCase());
    if (keyProblem) {
      context.report(
        values ? 'api/invalid-label-key' : 'api/invalid-annotation-key',
        [...path, key],
        `${quoteValue(key)} is not a valid ${values ? 'label' : 'annotation'} key: ${keyProblem}`,
      );
    }
    if (value === null) continue;
    if (
      values &&
      typeof value === 'string' &&
      value !== '' &&
      (value.length > 63 || !qualifiedNamePart.test(value))
    ) {
      context.report(
        'api/invalid-label-value',
        [...path, key],
        `${quoteValue(value)} is not a valid label value`,
        'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      );
    }
    if (typeof value !== 'string') {
      context.report(
        values ? 'api/invalid-label-value' : 'api/invalid-annotation-value',
        [...path, key],
        `the ${values ? 'label' : 'annotation'} value is ${typeof value}, not a string`,
        `quote it: ${quoteValue(typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value))}`,
      );
    }
  }
  if (!values) {
    // Bytes, as Go's len(): a quick bound first, so that most maps are never encoded.
    let size = 0;
    for (const [key, value] of Object.entries(map))
      size += key.length + (typeof value === 'string' ? value.length : 0);
    if (size * 3 > annotationsLimit) {
      size = Object.entries(map).reduce(
        (sum, [key, value]) =>
          sum + Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0),
        0,
      );
    }
    if (size > annotationsLimit) {
      context.report(
        'api/annotations-too-large',
        path,
        `the annotations total ${size} bytes, above the API server's ${annotationsLimit}`,
      );
    }
  }
}

/** apimachinery ValidateAnnotationsSize: TotalAnnotationSizeLimitB. */
const annotationsLimit = 256 * 1024;

export function checkEnums(context: RuleContext, rules: readonly EnumRule[], base: Path): void {
  const root = reach(context.resource.object, base)[0]?.[1];
  for (const rule of rules) {
    for (const [path, value] of reach(root, rule.path, base)) {
      if (value === '' && rule.defaulted === true) continue;
      if (typeof value === 'string' && !rule.values.includes(value)) {
        const shown = rule.values.map((allowed) => (allowed === '' ? '""' : allowed)).join(', ');
        context.report('api/invalid-enum', path, `${quoteValue(value)} is not one of ${shown}`);
      }
    }
  }
}

export function checkQuantity(context: RuleContext, path: Path, value: unknown): void {
  if (typeof value === 'number') return;
  if (typeof value !== 'string' || !quantityPattern.test(value)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const decimalBytes =
      typeof value === 'string' ? /^(\d+(?:\.\d+)?)([KMGTPE])B$/i.exec(value) : null;
    context.report(
      'api/invalid-quantity',
      path,
      `${quoteValue(text)} is not a valid Kubernetes quantity`,
      decimalBytes
        ? `write ${decimalBytes[1] ?? ''}${(decimalBytes[2] ?? '').toUpperCase()}i (binary) or ${decimalBytes[1] ?? ''}${(decimalBytes[2] ?? '').toUpperCase()} (decimal)`
        : 'use a number with an optional suffix such as 500m, 2, 512Mi or 2Gi',
    );
  }
}

export function checkResources(context: RuleContext, path: Path, resources: unknown): void {
  if (!isRecord(resources)) return;
  for (const part of ['requests', 'limits'] as const) {
    const map = resources[part];
    if (!isRecord(map)) continue;
    for (const [name, value] of Object.entries(map))
      checkQuantity(context, [...path, part, name], value);
  }
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (typeof request !== 'string' || typeof limit !== 'string') continue;
    if (quantityToNumber(request) > quantityToNumber(limit)) {
      context.report(
        'api/request-above-limit',
        [...path, 'requests', name],
        `the ${name} request ${request} is above its limit ${limit}`,
        `lower requests.${name} or raise limits.${name}`,
      );
    }
  }
}

/** IsValidPortNum: 1-65535 (hostPort: 0 too, meaning none). */
export function checkPort(context: RuleContext, path: Path, value: unknown, minimum: number): void {
  if (typeof value === 'number' && (!Number.isInteger(value) || value < minimum || value > 65535)) {
    context.report('api/invalid-port', path, `port ${value} is outside ${minimum}-65535`);
  }
}

/** Why `value` is not an IANA_SVC_NAME (apimachinery IsValidPortName), or undefined. */
export function ianaPortNameProblem(value: string): string | undefined {
  if (value.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(value))
    return 'must contain only lowercase letters (a-z), digits (0-9) and hyphens (-)';
  if (!/[a-z]/.test(value)) return 'must contain at least one letter (a-z)';
  if (value.includes('--')) return 'must not contain consecutive hyphens (--)';
  if (value.startsWith('-') || value.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

/**
 * A port that names a container port: ContainerPort.name (validateContainerPorts) and, in
 * ValidatePortNumOrName, a Service targetPort or a probe's port given as a string. IANA_SVC_NAME:
 * at most 15 characters, at least one letter, no "--".
 */
export function checkPortName(context: RuleContext, path: Path, value: unknown): void {
  if (typeof value !== 'string') return;
  const problem = ianaPortNameProblem(value);
  if (problem) {
    context.report(
      'api/invalid-port-name',
      path,
      `${quoteValue(value)} is not a valid port name: ${problem}`,
      'use at most 15 lowercase letters, digits and "-", with at least one letter',
    );
  }
}

/** ValidatePortNumOrName: a number in 1-65535 or an IANA_SVC_NAME. */
export function checkPortNumOrName(context: RuleContext, path: Path, value: unknown): void {
  if (typeof value === 'number') checkPort(context, path, value, 1);
  else checkPortName(context, path, value);
}

/** Why `value` is not a DNS-1123 label (apimachinery IsDNS1123Label), or undefined. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!dns1123Label.test(value))
    return 'must consist of lowercase letters, digits and "-", and start and end with a letter or digit';
  return undefined;
}
