/**
 * gitops-gen as a library: load environments, render the GitOps tree, check it against a
 * folder or write it there. The CLI is one user of these functions; they take every setting as
 * an argument and never read the process's arguments or environment.
 */
export { ExitCode, GitopsGenError, InputError, UsageError, formatProblem } from './errors.js';
export type { Problem } from './errors.js';
export {
  builtInEnvironments,
  environmentSchema,
  loadEnvironments,
  resolveEnvironmentSources,
  type EnvironmentConfig,
  type EnvironmentFile,
  type EnvironmentSource,
} from './config/index.js';
export { buildMonitoringStack, buildSharedStack, type MonitoringStack } from './stack/index.js';
export { renderTree, type FileTree } from './render/index.js';
export { render, type RenderOptions, type RenderResult } from './render/render-files.js';
export type { Drift, DriftKind } from './render/write-tree.js';
export {
  publish,
  type PublishOptions,
  type PublishResult,
  type ChangeSetResult,
} from './publish/publish.js';
export {
  validate,
  formatReport,
  outputFormats,
  type OutputFormat,
  type ValidateOptions,
  type ValidationReport,
  type Finding,
} from './validate/index.js';
