/** Shared inputs for the publish-core tests: rendered trees and change descriptions. */
import { builtInEnvironments, type EnvironmentConfig } from '../../src/config/index.js';
import { planChangeSet } from '../../src/publish/changeset.js';
import { branchName, fingerprint } from '../../src/publish/change-identity.js';
import type { ChangeDescription, ChangeSet, FileMap } from '../../src/publish/types.js';
import { renderTree } from '../../src/render/index.js';
import { environmentFromFile } from '../stack/environment.js';

export const allScope = ['base', 'overlays', 'argocd', 'clusters/*/mlflow-monitoring'];

export function builtInTree(): FileMap {
  return renderTree(builtInEnvironments());
}

/** The built-in environments with prod replaced by one resolved from `prodYaml`. */
export function treeWithProd(prodYaml: string): FileMap {
  const prod = environmentFromFile('prod', prodYaml);
  return renderTree(
    builtInEnvironments().map((environment: EnvironmentConfig) =>
      environment.name === 'prod' ? prod : environment,
    ),
  );
}

/** What the repository holds after a first publish of `rendered` (plus `extra` files). */
export function published(rendered: FileMap, extra: Record<string, string> = {}): FileMap {
  return planChangeSet({
    current: new Map(Object.entries(extra)),
    rendered,
    scope: allScope,
  }).next;
}

export function describeChange(
  changeSet: ChangeSet,
  rendered: FileMap,
  environments: string[] = ['staging', 'prod'],
  base = 'main',
): ChangeDescription {
  return {
    environments,
    base,
    branch: branchName(base, environments),
    fingerprint: fingerprint(rendered, environments, base),
    changeSet,
    validation: { resources: 41, valid: 41, invalid: 0, skipped: 0, errors: 0, warnings: 2 },
    fullDiffCommand: `gitops-gen diff --base ${base} ${environments.map((env) => `--env ${env}`).join(' ')}`,
  };
}
