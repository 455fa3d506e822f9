/**
 * Validate stage: paths -> ValidationReport. Reads the inputs (files, folders, kustomization
 * builds, standard input), parses them the way Kubernetes does and runs the pipeline with the
 * built-in schemas and the Prometheus and Grafana content checks. The file system is touched
 * only here and in inputs.ts; everything downstream is pure.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { parseManifests, type ManifestResource } from './documents.js';
import { builtInContentCheckers } from './content.js';
import { embeddedFilesOf, type GeneratedFile } from './embedded.js';
import type { Finding, ValidationReport } from './findings.js';
import { resolveInputs } from './inputs.js';
import {
  runPipeline,
  type ContentCheckers,
  type EmbeddedFile,
  type SourceObjects,
} from './pipeline.js';
import { LocationSchemaLookup } from './schema-locations.js';
import { loadSchemaBundles, SchemaValidator } from './schemas.js';

export type { Finding, ValidationReport, ValidationSummary, Severity } from './findings.js';
export { formatReport, outputFormats, type OutputFormat } from './formats/index.js';
export { policyChecks } from './policy.js';

/** Builds one kustomization folder into objects (plugged in by the kustomize module). */
export type KustomizeBuilder = (
  directory: string,
  display: (path: string) => string,
) => Promise<{
  resources: ManifestResource[];
  findings: Finding[];
  /** For generated ConfigMaps: data key -> the file it was read from. */
  generated: Map<ManifestResource, Map<string, GeneratedFile>>;
}>;

export const builtInKubernetesVersion = '1.36';

export interface ValidateOptions {
  /** Files, folders, or `-` for standard input. */
  paths: readonly string[];
  readStdin?: () => Promise<string>;
  /** Unknown fields are errors (default true). */
  strict?: boolean;
  kubernetesVersion?: string;
  /** kubeconform-style schema locations, tried in order; `default` is the built-in store. */
  schemaLocations?: readonly string[];
  ignoreMissingSchemas?: boolean;
  skipKinds?: readonly string[];
  rejectKinds?: readonly string[];
  /** Check ids switched off for this run (`policy/probes-set`, ...). */
  disabledChecks?: readonly string[];
  /** Paths in findings are shown relative to this folder. */
  displayRoot?: string;
  kustomize?: KustomizeBuilder;
  content?: ContentCheckers;
}

function displayPath(root: string | undefined, path: string): string {
  if (!root) return path;
  const shown = relative(root, path);
  return shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
}

function fromText(file: string, text: string): SourceObjects {
  const parsed = parseManifests(file, text);
  const embedded = new Map<ManifestResource, EmbeddedFile[]>();
  const findings = [...parsed.findings];
  for (const resource of parsed.resources) {
    const files = embeddedFilesOf(resource);
    findings.push(...files.findings);
    if (files.files.length > 0) embedded.set(resource, files.files);
  }
  return { resources: parsed.resources, findings, embedded };
}

export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const version = (options.kubernetesVersion ?? builtInKubernetesVersion).replace(/^v/, '');
  const locations = options.schemaLocations?.length ? options.schemaLocations : ['default'];
  const usesBuiltIn = locations.includes('default');
  if (
    usesBuiltIn &&
    version.replace(/\.\d+$/, '') !== builtInKubernetesVersion &&
    version !== builtInKubernetesVersion
  ) {
    throw new UsageError(
      `Kubernetes ${version} has no built-in schemas; this gitops-gen carries ${builtInKubernetesVersion}`,
      `drop --kubernetes-version, or give --schema-location folders of ${version} schemas without "default"`,
    );
  }
  const display = (path: string): string => displayPath(options.displayRoot, path);
  const sources: SourceObjects[] = [];
  for (const input of await resolveInputs(options.paths)) {
    if (input.kind === 'stdin') {
      if (!options.readStdin) throw new UsageError('standard input is not available here');
      sources.push(fromText('<stdin>', await options.readStdin()));
    } else if (input.kind === 'file') {
      sources.push(fromText(display(input.path), await readFile(input.path, 'utf8')));
    } else {
      if (!options.kustomize) {
        throw new UsageError(
          `${display(input.directory)} is a kustomization, which this build cannot read`,
        );
      }
      const built = await options.kustomize(input.directory, display);
      const embedded = new Map<ManifestResource, EmbeddedFile[]>();
      const findings = [...built.findings];
      for (const resource of built.resources) {
        const files = embeddedFilesOf(resource, built.generated.get(resource));
        findings.push(...files.findings);
        if (files.files.length > 0) embedded.set(resource, files.files);
      }
      sources.push({ resources: built.resources, findings, embedded });
    }
  }
  const strict = options.strict ?? true;
  const builtIn = new SchemaValidator({ bundles: usesBuiltIn ? loadSchemaBundles() : [], strict });
  const schemas =
    locations.length === 1 && usesBuiltIn
      ? builtIn
      : new LocationSchemaLookup(locations, builtIn, version, strict);
  return runPipeline(sources, {
    schemas,
    content: options.content ?? builtInContentCheckers,
    ignoreMissingSchemas: options.ignoreMissingSchemas ?? false,
    skipKinds: options.skipKinds ?? [],
    rejectKinds: options.rejectKinds ?? [],
    disabledChecks: options.disabledChecks ?? [],
  });
}
