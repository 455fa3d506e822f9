/**
 * The part of the environment file's JSON Schema for the kustomize escape hatch: `kustomize`
 * (the team's own Kubernetes objects and patches, copied into `overlays/<env>/custom/` and
 * referenced from the overlay's kustomization). Kept apart from schema.ts only for size;
 * schema.ts assembles the whole.
 */
import type { PatchTarget } from '../kustomize/index.js';

const selectorField = (description: string) =>
  ({ type: 'string', minLength: 1, description }) as const;

/** kustomize's patch target selector (api/types.Selector), field for field. */
const patchTargetSchema = {
  type: 'object',
  description:
    'Which objects the patch applies to (kustomize’s target selector); without it, a strategic merge patch applies to the object of its own kind and name.',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    group: selectorField('API group of the objects, such as apps (empty for the core group).'),
    version: selectorField('API version of the objects, such as v1.'),
    kind: selectorField('Kind of the objects, such as StatefulSet.'),
    name: selectorField('Name of the objects (a regular expression, as in kustomize).'),
    namespace: selectorField('Namespace of the objects (a regular expression, as in kustomize).'),
    labelSelector: selectorField('Label selector the objects match, such as app=prometheus.'),
    annotationSelector: selectorField('Annotation selector the objects match.'),
  },
} as const;

/** `kustomize`: the team's own objects and patches for this environment's overlay. */
export const kustomizeSchema = {
  type: 'object',
  description:
    'Your own Kubernetes objects and patches for this environment: copied into overlays/<env>/custom/ and referenced from its kustomization.',
  additionalProperties: false,
  properties: {
    resources: {
      type: 'array',
      description:
        'Files of Kubernetes objects to add to the overlay: paths or globs relative to the environments folder.',
      items: {
        type: 'string',
        minLength: 1,
        description: 'A path or glob, such as kustomize/dev/*.yaml.',
      },
    },
    patches: {
      type: 'array',
      description:
        'Patches (strategic merge or JSON 6902) applied to the overlay’s objects after gitops-gen’s own; a patch that matches nothing is an error.',
      items: {
        type: 'object',
        description: 'One patch file and, optionally, the objects it targets.',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: {
            type: 'string',
            minLength: 1,
            description:
              'The patch file, relative to the environments folder (a glob gives one patch per file).',
          },
          target: patchTargetSchema,
        },
      },
    },
  },
} as const;

/** Where the environment key that named a file is: render-time errors point there. */
export interface KeyLocation {
  file: string | undefined;
  line?: number;
  column?: number;
  /** Dotted, e.g. `kustomize.patches.0.path`. */
  keyPath: string;
}

/** One file of the team's, read and checked, with the key that named it. */
export interface CustomFile {
  /** Relative to the environments folder, `/`-separated; also its path below `custom/`. */
  path: string;
  /** As messages show it (the environments folder joined with `path`). */
  file: string;
  text: string;
  key: KeyLocation;
}

/** kustomize's patch target selector. */
export type CustomPatchTarget = PatchTarget;

export interface CustomPatch extends CustomFile {
  target?: CustomPatchTarget;
}

/** The resolved `kustomize` key: files in the order the keys list them. */
export interface CustomKustomize {
  resources: CustomFile[];
  patches: CustomPatch[];
}
