/**
 * The team's own material of an overlay (`kustomize.resources` and `kustomize.patches`): each
 * file copied verbatim into `overlays/<env>/custom/` under its path relative to the
 * environments folder (deterministic, and no collision with ours: gitops-gen writes nothing
 * else below custom/), and the `resources:` and `patches:` entries that reference them, to go
 * after the overlay's own (the team's patches are applied last, over ours). Pure.
 */
import type { CustomKustomize } from '../config/schema-kustomize.js';
import type { EnvironmentConfig } from '../config/environment.js';
import type { PatchEntry } from './kustomization.js';

/** The folder of the team's material inside an overlay. */
export const customFolder = 'custom';

/** Owned-folder pattern of every overlay's custom/ (see write-tree.ts `userFolders`). */
export const customFolderPattern = `overlays/*/${customFolder}`;

export interface CustomOverlayPart {
  /** Path below the overlay -> text. */
  files: Map<string, string>;
  resources: string[];
  patches: PatchEntry[];
}

/** Where a file of the environments folder lands in the overlay. */
export function customPath(path: string): string {
  return `${customFolder}/${path}`;
}

export function customOverlayPart(environment: EnvironmentConfig): CustomOverlayPart {
  const custom: CustomKustomize = environment.kustomize ?? { resources: [], patches: [] };
  const files = new Map<string, string>();
  for (const file of [...custom.resources, ...custom.patches]) {
    files.set(customPath(file.path), file.text);
  }
  return {
    files,
    resources: custom.resources.map((file) => customPath(file.path)),
    patches: custom.patches.map((patch) => ({
      path: customPath(patch.path),
      ...(patch.target === undefined ? {} : { target: { ...patch.target } }),
    })),
  };
}
