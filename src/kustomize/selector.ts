/**
 * Patch `target` selection (api/resmap Select): group, version, kind, name and namespace are
 * anchored regular expressions, name and namespace match the original or the current id, and
 * `labelSelector`/`annotationSelector` use the Kubernetes label-selector syntax.
 */
import { effectiveNamespace } from './resid.js';
import type { Resource } from './resource.js';
import { KustomizeError } from './values.js';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    throw new KustomizeError(
      `the target ${field} '${pattern}' is not a valid regular expression`,
      'kustomize/invalid-target',
    );
  }
}

interface Requirement {
  key: string;
  operator: 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
  values: string[];
}

/** Parses `a=b,c!=d,e in (f,g),!h,i` (k8s.io/apimachinery labels.Parse). */
export function parseLabelSelector(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  let rest = text.trim();
  const fail = (): never => {
    throw new KustomizeError(`invalid label selector '${text}'`, 'kustomize/invalid-target');
  };
  const token = /^[A-Za-z0-9_.\-/]+/;
  while (rest !== '') {
    let negated = false;
    if (rest.startsWith('!')) {
      negated = true;
      rest = rest.slice(1).trimStart();
    }
    const key = token.exec(rest)?.[0] ?? fail();
    rest = rest.slice(key.length).trimStart();
    if (negated) {
      requirements.push({ key, operator: '!', values: [] });
    } else if (rest === '' || rest.startsWith(',')) {
      requirements.push({ key, operator: 'exists', values: [] });
    } else {
      const operator = /^(==|=|!=|>|<|in\b|notin\b)/.exec(rest)?.[0] ?? fail();
      rest = rest.slice(operator.length).trimStart();
      if (operator === 'in' || operator === 'notin') {
        if (!rest.startsWith('(')) fail();
        const close = rest.indexOf(')');
        if (close < 0) fail();
        const values = rest
          .slice(1, close)
          .split(',')
          .map((value) => value.trim())
          .filter((value) => value !== '');
        rest = rest.slice(close + 1).trimStart();
        requirements.push({ key, operator, values });
      } else {
        const value = /^[A-Za-z0-9_.-]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length).trimStart();
        if (operator === '>' || operator === '<') {
          requirements.push({ key, operator: operator === '>' ? 'gt' : 'lt', values: [value] });
        } else {
          requirements.push({
            key,
            operator: operator === '!=' ? 'notin' : 'in',
            values: [value],
          });
        }
      }
    }
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest !== '') fail();
  }
  return requirements;
}

export function matchesLabelSelector(
  text: string | undefined,
  labels: Record<string, string>,
): boolean {
  if (!text) return true;
  return parseLabelSelector(text).every((requirement) => {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = labels[requirement.key] ?? '';
    switch (requirement.operator) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && requirement.values.includes(value);
      case 'notin':
        return !has || !requirement.values.includes(value);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value)) return false;
        const bound = Number(requirement.values[0]);
        return requirement.operator === 'gt' ? Number(value) > bound : Number(value) < bound;
      }
    }
  });
}

/** The resources a target selects, in build order. */
export function selectResources(resources: readonly Resource[], selector: Selector): Resource[] {
  const group = anchored(selector.group, 'group');
  const version = anchored(selector.version, 'version');
  const kind = anchored(selector.kind, 'kind');
  const name = anchored(selector.name, 'name');
  const namespace = anchored(selector.namespace, 'namespace');
  return resources.filter((resource) => {
    const current = resource.curId();
    const original = resource.orgId();
    if (
      namespace &&
      !namespace.test(effectiveNamespace(original)) &&
      !namespace.test(effectiveNamespace(current))
    ) {
      return false;
    }
    if (name && !name.test(original.name) && !name.test(current.name)) return false;
    const gvk = resource.gvk;
    if (group && !group.test(gvk.group)) return false;
    if (version && !version.test(gvk.version)) return false;
    if (kind && !kind.test(gvk.kind)) return false;
    if (!matchesLabelSelector(selector.labelSelector, resource.labels())) return false;
    return matchesLabelSelector(selector.annotationSelector, resource.annotations());
  });
}
