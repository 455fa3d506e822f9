/**
 * Kustomize engine: an in-process `kustomize build`, used by `validate` (to check what a
 * kustomization builds) and by `render --layout flat` (to write the built objects). Owns turning
 * a Kustomize folder into the objects `kubectl kustomize` would print (same content, same
 * order), without a kubectl subprocess, plus findings for what would break or silently
 * misbehave (missing files, patches that match nothing, duplicate objects, unknown or duplicate
 * kustomization fields, cycles, commonLabels rewriting selectors). It must not import a stage
 * (config, stack, render, validate, publish, cli), start a process or write a file.
 *
 * Supported: resources (files, Lists, nested kustomizations), components, namespace,
 * namePrefix/nameSuffix, labels and commonLabels, commonAnnotations, images, replicas,
 * configMapGenerator/secretGenerator with Kustomize's name hash, generatorOptions, patches
 * (strategic merge and JSON 6902, with targets), patchesStrategicMerge, patchesJson6902,
 * replacements, name references, sortOptions. Other fields (vars, helmCharts, crds,
 * configurations, openapi, plugins, buildMetadata) are reported as `kustomize/unsupported-field`,
 * remote bases as `kustomize/remote-resource`.
 *
 * Files are read through the injected `KustomizeFileSystem`; `nodeFileSystem()` is the disk
 * implementation. As in Kustomize, paths are resolved to real paths (the port's `realPath`)
 * before the load restrictor and the cycle check judge them; `memoryFileSystem()` builds from a map of
 * files. Everything else is pure. Exports: `buildKustomization`, the file-system port,
 * the result types, and which files a generated ConfigMap was read from.
 */
export { buildKustomization, type BuildCache } from './build.js';
export { nodeFileSystem } from './node-fs.js';
export { memoryFileSystem } from './memory-fs.js';
export type {
  BuiltResource,
  KustomizeBuildResult,
  KustomizeFileSystem,
  KustomizeFinding,
} from './types.js';
/** A patch target (kustomize's `Selector`): what config and render name in a kustomization. */
export type { Selector as PatchTarget } from './selector.js';
export {
  configMapGeneratorsOf,
  generatorOfConfigMap,
  type GeneratorSource,
} from './generated-files.js';
