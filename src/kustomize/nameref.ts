/**
 * Name references (api/filters/nameref): once generators, prefixes, suffixes, hashes and
 * renaming patches have changed names, every field that names another object (a ConfigMap in a
 * volume, a ClusterRole in a roleRef, a ServiceAccount in a binding's subjects...) is updated
 * to the new name, choosing the referred object by its previous names, kind, namespace and
 * name prefixes/suffixes as Kustomize does.
 */
import { NAME_REFERENCES, applyFieldSpec, type FieldSpec } from './fieldspecs.js';
import {
  NOT_NAMESPACEABLE,
  effectiveNamespace,
  gvkSelected,
  isNamespaceable,
  type Gvk,
} from './resid.js';
import type { Resource } from './resource.js';
import { KustomizeError, hasOwn, isNullish, isRecord, scalarText, type JsonMap } from './values.js';

/** utils.SameEndingSubSlice: one slice ends like the other (two empties match). */
function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [shortest, longest] = a.length <= b.length ? [a, b] : [b, a];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  return shortest.every((item, index) => longest[index + diff] === item);
}

/** Resource.PrefixesSuffixesEquals: with allowEmpty, a side without affixes matches any. */
function affixesMatch(a: Resource, b: Resource, allowEmpty: boolean): boolean {
  const matches = (x: readonly string[], y: readonly string[]): boolean =>
    (allowEmpty && (x.length === 0 || y.length === 0)) || sameEnding(x, y);
  return matches(a.prefixes, b.prefixes) && matches(a.suffixes, b.suffixes);
}

function couldBeReferenced(resources: readonly Resource[], referrer: Resource): Resource[] {
  const referrerId = referrer.curId();
  if (!isNamespaceable(referrerId)) return [...resources];
  const bindingNamespaces = new Set<string>();
  if (referrer.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
    for (const subject of referrer.object.subjects) {
      if (
        isRecord(subject) &&
        hasOwn(subject, 'namespace') &&
        scalarText(subject.kind) === 'ServiceAccount'
      ) {
        // getNamespacesForRoleBinding: a null (or non-string) namespace fails the build.
        if (typeof subject.namespace !== 'string') {
          throw new KustomizeError(
            `RoleBinding ${referrer.name}: the namespace of ServiceAccount subject ${scalarText(subject.name)} is blank`,
            'kustomize/invalid-subject',
            'kubectl kustomize refuses it ("Invalid Input: namespace is blank"); give the namespace or remove the field',
          );
        }
        bindingNamespaces.add(subject.namespace);
      }
    }
  }
  return resources.filter((candidate) => {
    const id = candidate.curId();
    if (!isNamespaceable(id)) return true;
    if (effectiveNamespace(id) === effectiveNamespace(referrerId)) return true;
    return bindingNamespaces.has(candidate.namespace);
  });
}

class ReferenceFixer {
  constructor(
    private readonly referrer: Resource,
    private readonly spec: FieldSpec,
    private readonly target: Partial<Gvk>,
    private readonly candidates: readonly Resource[],
  ) {}

  run(): void {
    // The spec already matched the referrer's original type; the path applies as it is.
    applyFieldSpec(this.referrer.object, this.referrer.gvk, { path: this.spec.path }, (node) =>
      this.set(node),
    );
  }

  private set(node: unknown): unknown {
    if (isNullish(node)) return node;
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        if (isRecord(item)) this.setMapping(item);
        else if (!isNullish(item) && !Array.isArray(item)) node[index] = this.setScalar(item);
      });
      return node;
    }
    if (isRecord(node)) {
      this.setMapping(node);
      return node;
    }
    return this.setScalar(node);
  }

  private setScalar(node: unknown): unknown {
    const oldName = scalarText(node);
    const referral = this.select(oldName, this.candidates, (found) =>
      found.every((item) => item.name === found[0]?.name),
    );
    if (!referral || referral.name === oldName) return node;
    return referral.name;
  }

  private setMapping(node: JsonMap): void {
    if (!hasOwn(node, 'name')) {
      throw new KustomizeError(
        `a '${this.spec.path}' entry of ${this.referrer.kind} ${this.referrer.name} has no name`,
      );
    }
    const oldName = scalarText(node.name);
    const referral = this.select(oldName, this.byNamespace(node), (found) =>
      found.every((item) => item.name === found[0]?.name && item.namespace === found[0].namespace),
    );
    if (!referral) return;
    if (referral.name === oldName && referral.namespace === '') return;
    node.name = referral.name;
    if (referral.namespace !== '') node.namespace = referral.namespace;
  }

  private byNamespace(node: JsonMap): readonly Resource[] {
    if (!hasOwn(node, 'namespace')) return this.candidates;
    const namespace = scalarText(node.namespace);
    const group = (pick: (resource: Resource) => string): Resource[] | undefined => {
      const found = this.candidates.filter((resource) => pick(resource) === namespace);
      return found.length > 0 && namespace !== NOT_NAMESPACEABLE ? found : undefined;
    };
    return (
      group((resource) => effectiveNamespace(resource.orgId())) ??
      group((resource) => effectiveNamespace(resource.curId())) ??
      []
    );
  }

  private select(
    oldName: string,
    candidates: readonly Resource[],
    identical: (found: Resource[]) => boolean,
  ): Resource | undefined {
    let found = candidates.filter((resource) =>
      resource.prevIds().some((id) => id.name === oldName),
    );
    found = found.filter((resource) =>
      resource.prevIds().some((id) => gvkSelected(id, this.target)),
    );
    const roleRef = this.roleRefGvk();
    if (roleRef) {
      found = found.filter((resource) => resource.prevIds().some((id) => gvkSelected(id, roleRef)));
    }
    const referrerId = this.referrer.curId();
    if (isNamespaceable(referrerId)) {
      found = found.filter((resource) => {
        const id = resource.curId();
        return (
          !isNamespaceable(id) ||
          resource.kind === 'ServiceAccount' ||
          effectiveNamespace(id) === effectiveNamespace(referrerId)
        );
      });
    }
    if (found.length === 1) return found[0];
    // PrefixesSuffixesEquals: first an empty side matches anything, then strictly.
    found = found.filter((resource) => affixesMatch(resource, this.referrer, true));
    if (found.length > 1) {
      found = found.filter((resource) => affixesMatch(resource, this.referrer, false));
    }
    if (found.length === 1) return found[0];
    if (found.length === 0) return undefined;
    if (identical(found)) return found[0];
    throw new KustomizeError(
      `${this.referrer.kind} ${this.referrer.name} refers to '${oldName}', which matches several objects: ${found
        .map((resource) => `${resource.kind}/${resource.name}`)
        .join(', ')}`,
      'kustomize/ambiguous-reference',
    );
  }

  private roleRefGvk(): Partial<Gvk> | undefined {
    if (!this.spec.path.endsWith('roleRef/name')) return undefined;
    const roleRef = this.referrer.object.roleRef;
    if (!isRecord(roleRef) || !hasOwn(roleRef, 'apiGroup') || !hasOwn(roleRef, 'kind')) {
      return undefined;
    }
    return { group: scalarText(roleRef.apiGroup), kind: scalarText(roleRef.kind) };
  }
}

/**
 * Fixes every name reference; returns the problems (an ambiguous reference, a malformed
 * reference field) with the object they were found in.
 */
export function fixNameReferences(
  resources: readonly Resource[],
): { resource: Resource; error: KustomizeError }[] {
  const problems: { resource: Resource; error: KustomizeError }[] = [];
  const attempt = (referrer: Resource, run: () => void): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof KustomizeError)) throw error;
      problems.push({ resource: referrer, error });
    }
  };
  for (const referrer of resources) {
    const original = referrer.orgId();
    const fields = NAME_REFERENCES.flatMap((reference) =>
      reference.referrers
        .filter((spec) => gvkSelected(original, spec))
        .map((spec) => ({ spec, target: reference.target })),
    );
    if (fields.length === 0) continue;
    // Kustomize stops at the first failure; here the other references are still fixed.
    let candidates: Resource[] | undefined;
    attempt(referrer, () => (candidates = couldBeReferenced(resources, referrer)));
    const found = candidates;
    if (!found) continue;
    for (const { spec, target } of fields) {
      attempt(referrer, () => {
        new ReferenceFixer(referrer, spec, target, found).run();
      });
    }
  }
  return problems;
}
