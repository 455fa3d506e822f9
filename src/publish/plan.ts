/**
 * Which files and folders one change set covers: the base, the overlays of its environments,
 * their own delivery files (an Application, a Flux Kustomization) and the delivery files all
 * environments share. Another environment's overlay or Application is never part of it, so
 * publishing dev by commit cannot change what prod's pull request reviews. Pure.
 */
import type { EnvironmentConfig } from '../config/environment.js';
import type { FileTree } from '../render/index.js';
import type { FileMap, OwnershipManifest } from './types.js';

const perEnvironment = [
  /^overlays\/([^/]+)\//,
  /^argocd\/applications\/([^/]+)\.yaml$/,
  /^clusters\/[^/]+\/mlflow-monitoring\/([^/]+)\.yaml$/,
];

/** The environment a rendered path belongs to, or undefined when every environment shares it. */
export function environmentOf(path: string): string | undefined {
  for (const pattern of perEnvironment) {
    const match = pattern.exec(path);
    if (
      match?.[1] !== undefined &&
      !(pattern === perEnvironment[2] && match[1] === 'kustomization')
    ) {
      return match[1];
    }
  }
  return undefined;
}

/** The rendered files of a change set: shared ones plus those of its environments. */
export function filesOf(tree: FileTree, environments: readonly EnvironmentConfig[]): FileMap {
  const names = new Set(environments.map((environment) => environment.name));
  return new Map(
    [...tree].filter(([path]) => {
      const owner = environmentOf(path);
      return owner === undefined || names.has(owner);
    }),
  );
}

/**
 * Environments the repository still holds files of (by the ownership manifest) that the
 * configuration no longer has: their environment file was deleted. Sorted.
 */
export function retiredEnvironments(
  manifest: OwnershipManifest,
  configured: readonly string[],
): string[] {
  const names = new Set<string>();
  for (const path of Object.keys(manifest.files)) {
    const owner = environmentOf(path);
    if (owner !== undefined && !configured.includes(owner)) names.add(owner);
  }
  return [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * Where owned files the render no longer holds are removed: the shared folders, this change
 * set's overlays, and its own delivery files (never another environment's), plus every file of
 * the `retired` environments: they have no environment file left, so no other change set
 * will ever remove them, and the shared files already no longer list them.
 */
export function scopeOf(
  environments: readonly EnvironmentConfig[],
  retired: readonly string[] = [],
): string[] {
  return [
    'base',
    'argocd/project.yaml',
    'argocd/kustomization.yaml',
    'argocd/applicationset.yaml',
    'argocd/bootstrap',
    'clusters/*/mlflow-monitoring/kustomization.yaml',
    'clusters/*/mlflow-monitoring/bootstrap',
    ...[...environments.map((environment) => environment.name), ...retired].flatMap((name) => [
      `overlays/${name}`,
      `argocd/applications/${name}.yaml`,
      `clusters/*/mlflow-monitoring/${name}.yaml`,
    ]),
  ];
}
