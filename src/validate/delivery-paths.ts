/**
 * A folder that an Argo CD Application (or ApplicationSet) or a Flux Kustomization syncs from
 * THIS repository must exist and hold something the controller can build: a typo in a path is
 * otherwise found by the controller, after the merge. A path is checked only when its source is
 * known to be this repository, and a folder is accepted whenever the controller accepts it:
 *
 * - Argo CD refuses a missing path ("app path does not exist", "app path is not a directory":
 *   argo-cd util/app/path/path.go `Path`). It builds any existing folder, by tool detection
 *   (https://argo-cd.readthedocs.io/en/stable/user-guide/tool_detection/): a plugin when one is
 *   set, Helm with a Chart.yaml, Kustomize with a kustomization, otherwise a plain directory of
 *   `*.yaml|yml|json|jsonnet` files (argo-cd reposerver/repository/repository.go
 *   `manifestFile`), read from subfolders only with `directory.recurse`.
 * - Flux refuses a missing path ("kustomization path not found", kustomize-controller) and
 *   builds any existing folder: without a kustomization.yaml, one is generated "for all the
 *   Kubernetes manifests in the directory tree specified in .spec.path" (kustomize-controller
 *   docs/spec/v1/kustomizations.md, "Generating a kustomization.yaml file"). Only a
 *   GitRepository source is a repository; OCIRepository, Bucket and ExternalArtifact sources
 *   are artifacts of something else (docs: "Source reference").
 * - An existing folder the controller builds to nothing is a warning: both accept it, and an
 *   automated sync then prunes everything (Argo CD `allowEmpty`, Flux `prune`).
 *
 * "This repository" is the `origin` remote of the git repository holding the manifest, and
 * the repository that objects labelled `app.kubernetes.io/managed-by: gitops-gen` use (the
 * render's own delivery objects point at the repository they are published to). When it cannot
 * tell which repository a source is (no origin, a templated URL, a sourceRef it has not seen),
 * the check says nothing.
 */
import { dirname, join, resolve } from 'node:path';
import { closestMatch } from '../config/hints.js';
import {
  folderEntries,
  gitRoot,
  normaliseRepoUrl,
  originOf,
  pathKind,
  syncable,
  workTreeBranches,
  type SyncTool,
} from './delivery-repository.js';
import type { Finding } from './findings.js';
import { asArray, isRecord, type Json } from './object-paths.js';
import type { DeliveryReference } from './pipeline.js';
import { quoteValue } from '../text-safety.js';

const managedBy = 'gitops-gen';

const record = (value: unknown): Json => (isRecord(value) ? value : {});
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = isRecord(current) ? current[key] : undefined;
  }
  return current;
}

function isArgo(object: Json): boolean {
  return typeof object.apiVersion === 'string' && object.apiVersion.startsWith('argoproj.io/');
}

/**
 * The repository URLs and branches gitops-gen's own delivery objects use: the repository and
 * branch it publishes to, which is what is validated.
 */
function renderedRepositories(references: readonly DeliveryReference[]): {
  urls: Set<string>;
  branches: Set<string>;
} {
  const urls = new Set<string>();
  const branches = new Set<string>();
  const add = (value: unknown, revision?: unknown): void => {
    const url = typeof value === 'string' ? normaliseRepoUrl(value) : undefined;
    if (url) urls.add(url);
    const branch = text(revision);
    if (url && branch && !branch.includes('{{')) branches.add(branch);
  };
  for (const { object } of references) {
    if (record(record(object.metadata).labels)['app.kubernetes.io/managed-by'] !== managedBy)
      continue;
    const spec = record(object.spec);
    if (object.kind === 'GitRepository') add(spec.url, record(spec.ref).branch);
    if (object.kind === 'Application') {
      for (const source of [spec.source, ...asArray(spec.sources)].map(record))
        add(source.repoURL, source.targetRevision);
    }
    if (object.kind === 'ApplicationSet') {
      for (const generator of asArray(spec.generators)) {
        const git = record(record(generator).git);
        add(git.repoURL, git.revision);
        for (const element of asArray(record(record(generator).list).elements).map(record))
          add(element.repoURL, element.revision ?? element.targetRevision);
      }
    }
  }
  return { urls, branches };
}

/** What a reference syncs: the repository URL (undefined: unknown), tool, and rule wording. */
interface Resolved {
  url: string | undefined;
  /**
   * The revision the controller checks out: undefined for the default branch (or HEAD), a
   * branch name, or `pinned` for a tag, semver range or commit (never the work tree's content).
   */
  revision: string | undefined;
  tool: SyncTool;
  /** Whether the repository is known to be this one regardless of the origin (a Flux source). */
  thisRepository?: boolean;
  /** Why a missing folder is refused, naming the controller's rule. */
  rule: string;
}

const argoRule = 'Argo CD refuses it: "app path does not exist" (argo-cd util/app/path)';
const generatorRule =
  'the Argo CD Git directory generator generates no Application for a directory missing from the repository';
const fluxRule = 'Flux refuses it: "kustomization path not found" (kustomize-controller)';

/** A `{{ .key }}` / `{{key}}` template naming one parameter, and the parameter's path. */
function templateParameter(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\{\{-?\s*\.?([A-Za-z_][\w.]*)\s*-?\}\}$/.exec(value.trim())?.[1];
}

function argoTool(source: Json): SyncTool {
  return {
    controller: 'argocd',
    recurse: record(source.directory).recurse === true,
    plugin: source.plugin !== undefined,
  };
}

/** Argo CD: the source that a path belongs to, by where the path is written. */
function resolveArgo(reference: DeliveryReference): Resolved | undefined {
  const { object, keyPath } = reference;
  if (object.kind === 'Application') {
    // "When you specify the sources field, Argo CD will ignore the source (singular) field"
    // (https://argo-cd.readthedocs.io/en/stable/user-guide/multiple_sources/).
    if (keyPath[1] === 'source' && asArray(record(object.spec).sources).length > 0)
      return undefined;
    const source = record(at(object, keyPath.slice(0, -1)));
    // A Helm repository chart has no folder in a repository (Argo CD: `chart` instead of `path`).
    if (source.chart !== undefined) return undefined;
    return {
      url: text(source.repoURL),
      revision: text(source.targetRevision),
      tool: argoTool(source),
      rule: argoRule,
    };
  }
  if (object.kind !== 'ApplicationSet') return undefined;
  const spec = record(object.spec);
  const template = record(record(spec.template).spec);
  const sources =
    asArray(template.sources).length > 0 ? asArray(template.sources) : [template.source];
  const generator = record(at(object, keyPath.slice(0, 3)));
  if (keyPath[3] === 'git') {
    const directory = record(at(object, keyPath.slice(0, -1)));
    // `exclude: true` removes directories; a missing one removes nothing.
    if (directory.exclude === true) return undefined;
    const source = sources.map(record).find((item) => {
      const parameter = templateParameter(item.path);
      return parameter === 'path' || parameter === 'path.path';
    });
    return {
      url: text(record(generator.git).repoURL),
      revision: text(record(generator.git).revision),
      tool: source ? argoTool(source) : { controller: 'argocd', plugin: true },
      rule: generatorRule,
    };
  }
  // A list element: its `path` is a folder only where the template's source path is `{{path}}`.
  const element = record(at(object, keyPath.slice(0, -1)));
  const source = sources.map(record).find((item) => templateParameter(item.path) === 'path');
  if (!source || source.chart !== undefined) return undefined;
  const value = (field: unknown): string | undefined => {
    const parameter = templateParameter(field);
    return text(parameter ? at(element, parameter.split('.')) : field);
  };
  return {
    url: value(source.repoURL),
    revision: value(source.targetRevision),
    tool: argoTool(source),
    rule: argoRule,
  };
}

/** Flux: the GitRepository a Kustomization's sourceRef names, when it was met. */
function resolveFlux(
  reference: DeliveryReference,
  gitRepositories: readonly DeliveryReference[],
  isThis: (url: string | undefined, revision: string | undefined, file: string) => boolean,
): Resolved | undefined {
  const { object } = reference;
  const sourceRef = record(record(object.spec).sourceRef);
  // OCIRepository, Bucket, ExternalArtifact: an artifact, not this repository's tree.
  if (sourceRef.kind !== 'GitRepository' || typeof sourceRef.name !== 'string') return undefined;
  const namespace = text(sourceRef.namespace) ?? text(record(object.metadata).namespace);
  const matches = gitRepositories.filter(({ object: repository }) => {
    const metadata = record(repository.metadata);
    if (metadata.name !== sourceRef.name) return false;
    const own = text(metadata.namespace);
    return own === undefined || namespace === undefined || own === namespace;
  });
  // Unknown source, or one of several candidates from elsewhere: nothing can be said.
  if (matches.length === 0) return undefined;
  const isThisRepository = (repository: DeliveryReference): boolean => {
    const spec = record(repository.object.spec);
    const ref = record(spec.ref);
    const pinned = ['commit', 'tag', 'semver', 'name'].some((key) => ref[key] !== undefined);
    return isThis(text(spec.url), pinned ? 'pinned' : text(ref.branch), repository.file);
  };
  if (!matches.every(isThisRepository)) return undefined;
  // A path under an `include`'s toPath comes from another GitRepository.
  const folder = reference.path.replace(/^\.\//, '').replace(/\/$/, '');
  for (const match of matches) {
    for (const include of asArray(record(match.object.spec).include)) {
      const toPath = (text(record(include).toPath) ?? text(record(record(include).repository).name))
        ?.replace(/^\.\//, '')
        .replace(/\/$/, '');
      if (toPath && (folder === toPath || folder.startsWith(`${toPath}/`))) return undefined;
    }
  }
  return {
    url: undefined,
    revision: undefined,
    thisRepository: true,
    tool: { controller: 'flux' },
    rule: fluxRule,
  };
}

/** The folder and its ancestors up to the repository root (the one with .git), nearest first. */
function candidateRoots(folder: string): string[] {
  const roots: string[] = [];
  let current = folder;
  for (let depth = 0; depth < 64; depth++) {
    roots.push(current);
    if (pathKind(join(current, '.git'))) break;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return roots;
}

function suggestionFor(folder: string, roots: readonly string[]): string | undefined {
  const parent = dirname(folder);
  for (const root of roots) {
    const entries = folderEntries(join(root, parent));
    if (entries.length === 0) continue;
    const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const match = closestMatch(folder.split('/').at(-1) ?? '', names);
    return match ? (parent === '.' ? match : `${parent}/${match}`) : undefined;
  }
  return undefined;
}

/** Findings for delivery paths of this repository that the controller would refuse or empty. */
export function checkDeliveryPaths(
  references: readonly DeliveryReference[],
  displayRoot: string,
): Finding[] {
  const rendered = renderedRepositories(references);
  const absolute = (file: string): string => resolve(displayRoot, file);
  /**
   * Whether `url` at `revision` is the work tree holding `file`: the repository is its origin
   * (or gitops-gen's), and the revision its branch. False when it cannot tell.
   */
  const isThis = (url: string | undefined, revision: string | undefined, file: string): boolean => {
    const normalised = url === undefined ? undefined : normaliseRepoUrl(url);
    if (normalised === undefined) return false;
    const root = gitRoot(dirname(absolute(file)));
    const repository =
      rendered.urls.has(normalised) || (root !== undefined && originOf(root) === normalised);
    if (!repository) return false;
    const branch = revision?.replace(/^refs\/heads\//, '');
    if (branch === undefined || branch === 'HEAD') return true;
    // Another branch, a tag or a commit: its tree is not the one checked out here.
    return (
      rendered.branches.has(branch) || (root !== undefined && workTreeBranches(root).has(branch))
    );
  };
  const gitRepositories = references.filter(
    (reference) => reference.object.kind === 'GitRepository',
  );
  const findings: Finding[] = [];
  for (const reference of references) {
    if (!reference.file || reference.file === '<stdin>' || reference.path === '') continue;
    // Flux post-build substitution (`${cluster}`) fills a nested Kustomization's path later.
    if (reference.path.includes('${')) continue;
    const resolved = isArgo(reference.object)
      ? resolveArgo(reference)
      : resolveFlux(reference, gitRepositories, isThis);
    if (!resolved) continue;
    if (!resolved.thisRepository && !isThis(resolved.url, resolved.revision, reference.file))
      continue;
    const folder = reference.path.replace(/^\.\//, '').replace(/\/$/, '') || '.';
    const roots = candidateRoots(dirname(absolute(reference.file)));
    let verdict: 'ok' | 'empty' | 'needs-recurse' | 'missing' | 'file' = 'missing';
    for (const root of roots) {
      const kind = pathKind(join(root, folder));
      if (kind === 'file' && verdict === 'missing') verdict = 'file';
      if (kind !== 'directory') continue;
      const found = syncable(join(root, folder), resolved.tool);
      if (found === 'ok' || verdict === 'missing' || verdict === 'file') verdict = found;
      if (found === 'ok') break;
    }
    if (verdict === 'ok') continue;
    const where = reference.where();
    const shown = quoteValue(reference.path);
    if (verdict === 'missing' || verdict === 'file') {
      const suggestion = suggestionFor(folder, roots);
      findings.push({
        ...where,
        code: 'delivery/path-not-found',
        severity: 'error',
        message: `the controller would sync ${shown}, which is no folder of this repository: ${resolved.rule}`,
        hint: suggestion
          ? `did you mean \`${suggestion}\`?`
          : 'render the environment, or correct the path',
      });
      continue;
    }
    findings.push({
      ...where,
      code: 'delivery/path-empty',
      severity: 'warning',
      message:
        verdict === 'needs-recurse'
          ? `the controller would sync nothing from ${shown}: Argo CD reads manifests in subfolders only with directory.recurse`
          : `the controller would sync nothing from ${shown}: it holds no kustomization, Helm chart or manifest the controller reads`,
      hint:
        verdict === 'needs-recurse'
          ? 'set `directory.recurse: true` on the source, or point the path at the subfolder'
          : 'add the manifests, or correct the path',
    });
  }
  return findings;
}
