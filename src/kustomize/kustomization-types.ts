/**
 * The typed shape of a kustomization file as the build reads it: each entry kept with its path
 * in the file (`Located`) so that a problem found later points at its line.
 */
import type { FieldSpec } from './fieldspecs.js';
import type { GeneratorArgs, GeneratorOptions } from './generators.js';
import type { Replacement } from './replacements.js';
import type { Selector } from './selector.js';
import type { ImageSpec } from './transformers.js';
import type { Position } from './yaml.js';

export type Path = readonly (string | number)[];

export interface Located<T> {
  value: T;
  /** Path of the entry in the kustomization file. */
  at: Path;
}

export interface PatchEntry {
  path?: string;
  patch?: string;
  target?: Selector;
  options: Record<string, boolean>;
}

export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors: boolean;
  includeTemplates: boolean;
  fields: FieldSpec[];
}

export interface SortOptions {
  order: 'legacy' | 'fifo';
  orderFirst?: string[];
  orderLast?: string[];
}

export interface Kustomization {
  file: string;
  /** The folder as reported in findings and origins. */
  dir: string;
  /**
   * The folder with every symlink resolved: Kustomize's root. Entries are looked up from it and
   * the load restrictor keeps files in or below it. `dir` itself when the port cannot resolve.
   */
  realDir: string;
  kind: 'Kustomization' | 'Component';
  namespace: string;
  namePrefix: string;
  nameSuffix: string;
  commonLabels: Record<string, string>;
  labels: Located<LabelEntry>[];
  commonAnnotations: Record<string, string>;
  resources: Located<string>[];
  components: Located<string>[];
  configMapGenerator: Located<GeneratorArgs>[];
  secretGenerator: Located<GeneratorArgs>[];
  generatorOptions?: GeneratorOptions;
  patches: Located<PatchEntry>[];
  patchesStrategicMerge: Located<string>[];
  patchesJson6902: Located<PatchEntry>[];
  images: Located<ImageSpec>[];
  replicas: Located<{ name: string; count: number }>[];
  sortOptions?: SortOptions;
  replacements: Located<{ replacement?: Replacement; path?: string }>[];
  locate: (path: Path, at?: 'key' | 'value') => Position | undefined;
}
