/**
 * Rules across environments, which no single file can break alone: Argo CD environments
 * share one AppProject and agree on their ApplicationSet generator; a git-directory generator
 * needs the default overlay paths and namespaces; Flux `dependsOn` names environments Flux
 * runs in the same cluster. Pure.
 */
import type { Problem } from '../errors.js';
import type { EnvironmentConfig } from './environment.js';
import type { ParsedSource } from './parse.js';

export interface EnvironmentOrigin {
  file: string | undefined;
  locate: ParsedSource['locate'];
}

function problem(
  origin: EnvironmentOrigin | undefined,
  keyPath: string[],
  code: string,
  message: string,
  hint: string,
): Problem {
  const position = origin?.locate(keyPath, 'value');
  return {
    code,
    message,
    hint,
    file: origin?.file,
    line: position?.line,
    column: position?.column,
    keyPath: keyPath.join('.'),
  };
}

/** The Flux cluster folder of an environment: clusters/<name>/. */
export function fluxClusterName(environment: EnvironmentConfig): string {
  return environment.delivery.cluster.name ?? 'default';
}

export function crossCheckEnvironments(
  environments: readonly EnvironmentConfig[],
  origins: ReadonlyMap<string, EnvironmentOrigin>,
): Problem[] {
  const problems: Problem[] = [];
  const argo = environments.filter((environment) => environment.delivery.controller === 'argocd');
  const first = argo[0];
  if (first) {
    for (const environment of argo.slice(1)) {
      const origin = origins.get(environment.name);
      for (const key of ['generator', 'namespace', 'project'] as const) {
        if (environment.delivery.argocd[key] !== first.delivery.argocd[key]) {
          problems.push(
            problem(
              origin,
              ['delivery', 'argocd', key],
              'config/argocd-disagreement',
              `delivery.argocd.${key} is "${environment.delivery.argocd[key]}" here but "${first.delivery.argocd[key]}" in ${first.name}: Argo CD environments share one AppProject and one way of generating Applications`,
              `use the same ${key} in every Argo CD environment`,
            ),
          );
        }
      }
    }
    if (first.delivery.argocd.generator === 'git-directory') {
      for (const environment of environments) {
        const origin = origins.get(environment.name);
        if (environment.delivery.controller !== 'argocd') {
          problems.push(
            problem(
              origin,
              ['delivery', 'controller'],
              'config/git-directory-mixed',
              `a git-directory ApplicationSet would also pick up the overlay of ${environment.name}, which Flux syncs`,
              'use the list generator, or the same controller everywhere',
            ),
          );
        }
        if (environment.namespace !== `mlflow-${environment.name}`) {
          problems.push(
            problem(
              origin,
              ['namespace'],
              'config/git-directory-namespace',
              `a git-directory ApplicationSet derives the namespace mlflow-${environment.name} from the overlay folder, but this environment uses ${environment.namespace}`,
              'use the list generator, or the default namespace',
            ),
          );
        }
        const overlays = [environment.publish.path, 'overlays', environment.name]
          .filter((part) => part !== '')
          .join('/');
        if (
          environment.delivery.path !== overlays ||
          environment.publish.path !== first.publish.path
        ) {
          problems.push(
            problem(
              origin,
              ['delivery', 'path'],
              'config/git-directory-path',
              `a git-directory ApplicationSet reads the folders of ${first.publish.path === '' ? '' : `${first.publish.path}/`}overlays/, but this environment syncs ${environment.delivery.path}`,
              'keep the default overlay path, or use the list generator',
            ),
          );
        }
        if (
          environment.delivery.repoURL !== first.delivery.repoURL ||
          environment.delivery.targetRevision !== first.delivery.targetRevision
        ) {
          problems.push(
            problem(
              origin,
              ['delivery', 'repoURL'],
              'config/git-directory-repository',
              'a git-directory ApplicationSet reads one repository and revision for every environment',
              'use the same repository and revision, or the list generator',
            ),
          );
        }
      }
    }
  }
  const flux = new Map(
    environments
      .filter((environment) => environment.delivery.controller === 'flux')
      .map((environment) => [environment.name, environment]),
  );
  for (const environment of flux.values()) {
    const origin = origins.get(environment.name);
    environment.delivery.flux.dependsOn.forEach((name, index) => {
      const other = flux.get(name);
      const path = ['delivery', 'flux', 'dependsOn', String(index)];
      if (name === environment.name) {
        problems.push(
          problem(
            origin,
            path,
            'config/depends-on-itself',
            'an environment cannot depend on itself',
            'remove it from dependsOn',
          ),
        );
      } else if (!other) {
        problems.push(
          problem(
            origin,
            path,
            'config/unknown-dependency',
            `dependsOn names "${name}", which is not an environment that Flux syncs`,
            `Flux environments: ${[...flux.keys()].join(', ') || 'none'}`,
          ),
        );
      } else if (fluxClusterName(other) !== fluxClusterName(environment)) {
        problems.push(
          problem(
            origin,
            path,
            'config/dependency-in-other-cluster',
            `dependsOn names "${name}", which Flux syncs in cluster ${fluxClusterName(other)}, not ${fluxClusterName(environment)}`,
            'Flux orders Kustomizations of one cluster only',
          ),
        );
      }
    });
  }
  return problems;
}
