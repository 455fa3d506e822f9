/**
 * The subset of kustomize's `Kustomization` file (kustomize.config.k8s.io/v1beta1) that
 * gitops-gen writes. Field names and shapes follow kustomize's own types. Pure types.
 */
import type { PatchTarget } from '../kustomize/index.js';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
}

export interface GeneratorArgs {
  name: string;
  behavior?: 'create' | 'replace' | 'merge';
  files?: string[];
  literals?: string[];
  type?: string;
  options?: GeneratorOptions;
}

export interface Label {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}

export interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export type { PatchTarget } from '../kustomize/index.js';

export interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
}

export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  namespace?: string;
  labels?: Label[];
  resources: string[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  images?: Image[];
  patches?: PatchEntry[];
}
