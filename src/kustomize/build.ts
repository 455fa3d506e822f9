/**
 * The build itself, in the order of Kustomize's KustTarget: for each kustomization, resources
 * (files and nested kustomizations, recursively), generators, components, then transformers;
 * at the top, hash suffixes, name references, local-config removal and the output sort.
 * Every problem becomes a finding; the build goes on without the faulty entry. Owns the walk
 * over kustomizations (cycles, the cache of built bases) and the top-level steps; each step's
 * work is in a build-*.ts file.
 */
import { join, normalize } from 'node:path';
import {
  contains,
  folderOf,
  loadKustomization,
  readFileIn,
  realPathOf,
  type Folder,
} from './build-files.js';
import { accumulateGenerators } from './build-generators.js';
import { reportAt, reportError, reportInFile, type Reporter } from './build-report.js';
import { appendAll, parseResources } from './build-resources.js';
import { transform } from './build-transform.js';
import { generatedNameHash } from './hash.js';
import type { Kustomization, Located } from './kustomization-types.js';
import { fixNameReferences } from './nameref.js';
import type { Resource } from './resource.js';
import { sortResources } from './sort.js';
import type {
  BuiltResource,
  KustomizeBuildResult,
  KustomizeFileSystem,
  KustomizeFinding,
} from './types.js';
import { finalizeValue, hasOwn, isRecord, scalarText, type JsonMap } from './values.js';

const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

function isRemote(entry: string): boolean {
  return /^(?:https?:\/\/|git@|ssh:\/\/|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(
    entry,
  );
}

/**
 * Sub-kustomizations already built in this session (one validate run), by real folder: the
 * overlays of one base each include it, and a base builds the same whoever includes it. Kept
 * with the findings its build reported, which every includer reports again.
 */
export type BuildCache = Map<string, { resources: Resource[]; findings: KustomizeFinding[] }>;

class Builder {
  readonly findings: KustomizeFinding[] = [];

  constructor(
    private readonly fs: KustomizeFileSystem,
    private readonly cache: BuildCache = new Map(),
  ) {}

  async build(directory: string): Promise<BuiltResource[]> {
    const dir = normalize(directory);
    if (!(await this.fs.isDirectory(dir))) {
      reportInFile(this.findings, dir)(
        'kustomize/file-not-found',
        `the folder ${dir} does not exist`,
      );
      return [];
    }
    // Kustomize's root is the real folder: cycles and the load restrictor are judged on it.
    const realDir = (await realPathOf(this.fs, dir)) ?? dir;
    const k = await loadKustomization(
      this.fs,
      this.findings,
      { dir, realDir },
      reportInFile(this.findings, dir),
    );
    if (!k) return [];
    let resources = await this.accumulate(k, [], [realDir]);

    for (const resource of resources) {
      if (!resource.needsHash) continue;
      const hash = generatedNameHash(resource.object);
      resource.storePreviousId();
      resource.name = `${resource.name}-${hash}`;
    }
    for (const problem of fixNameReferences(resources)) {
      reportError(
        reportInFile(this.findings, problem.resource.origin.file, problem.resource.origin.line),
        problem.error,
      );
    }
    resources = resources.filter(
      (resource) => !hasOwn(resource.annotations(), LOCAL_CONFIG_ANNOTATION),
    );
    return sortResources(resources, k.sortOptions).map((resource) => ({
      object: finalizeObject(resource.object),
      origin: { file: resource.origin.file, document: resource.origin.document },
    }));
  }

  /**
   * One kustomization, appended to `resources` (a fresh list, or the parent's for a component).
   * `chain`: the real folders being built, from the top.
   */
  private async accumulate(
    k: Kustomization,
    resources: Resource[],
    chain: readonly string[],
  ): Promise<Resource[]> {
    for (const entry of k.resources) await this.accumulateResource(k, entry, resources, chain);

    await accumulateGenerators(this.fs, this.findings, k, resources);

    for (const entry of k.components) {
      const report = reportAt(this.findings, k, entry.at);
      const folder = await folderOf(this.fs, k, entry.value);
      if (!folder) {
        report('kustomize/file-not-found', `the component folder ${entry.value} does not exist`, {
          hint: `looked for ${join(k.dir, entry.value)}`,
        });
        continue;
      }
      if (this.isCycle(folder, chain, report)) continue;
      const component = await loadKustomization(this.fs, this.findings, folder, report);
      if (!component) continue;
      if (component.kind !== 'Component') {
        report('kustomize/not-a-component', `${entry.value} is a Kustomization, not a Component`, {
          hint: 'list it under resources, or give its kustomization `kind: Component`',
        });
        continue;
      }
      await this.accumulate(component, resources, [...chain, folder.realDir]);
    }

    await transform(this.fs, this.findings, k, resources);
    return resources;
  }

  /** Kustomize's check, on real paths: a folder may not contain one already being built. */
  private isCycle(folder: Folder, chain: readonly string[], report: Reporter): boolean {
    const visited = chain.find((realDir) => contains(folder.realDir, realDir));
    if (visited === undefined) return false;
    report(
      'kustomize/cycle',
      `cycle detected: ${folder.dir} contains ${visited}, which is already being built`,
      { hint: 'a kustomization may not include itself or one of its parent folders' },
    );
    return true;
  }

  private async accumulateResource(
    k: Kustomization,
    entry: Located<string>,
    resources: Resource[],
    chain: readonly string[],
  ): Promise<void> {
    const report = reportAt(this.findings, k, entry.at);
    if (isRemote(entry.value)) {
      report(
        'kustomize/remote-resource',
        `remote resource ${entry.value} is not fetched by the in-process build`,
        {
          hint: 'vendor the remote base into the repository, or validate with kubectl kustomize',
        },
      );
      return;
    }
    const folder = await folderOf(this.fs, k, entry.value);
    if (folder) {
      if (this.isCycle(folder, chain, report)) return;
      const sub = await loadKustomization(this.fs, this.findings, folder, report);
      if (!sub) return;
      if (sub.kind === 'Component') {
        report(
          'kustomize/component-as-resource',
          `${entry.value} is a Component: list it under components`,
        );
        return;
      }
      // A cached build holds only if no folder of this chain lies inside the sub-kustomization:
      // its cycle checks looked at another chain.
      const key = folder.realDir;
      const reusable = !chain.some((realDir) => contains(key, realDir));
      const cached = reusable ? this.cache.get(key) : undefined;
      if (cached) {
        this.findings.push(...cached.findings.map((finding) => ({ ...finding })));
        appendAll(
          this.findings,
          resources,
          cached.resources.map((resource) => resource.clone()),
        );
        return;
      }
      const before = this.findings.length;
      const built = await this.accumulate(sub, [], [...chain, key]);
      if (reusable) {
        this.cache.set(key, {
          resources: built.map((resource) => resource.clone()),
          findings: this.findings.slice(before).map((finding) => ({ ...finding })),
        });
      }
      appendAll(this.findings, resources, built);
      return;
    }
    const text = await readFileIn(this.fs, k, entry.value, report, 'resource');
    if (text === undefined) return;
    const file = join(k.dir, entry.value);
    appendAll(this.findings, resources, parseResources(this.findings, file, text));
  }
}

/**
 * The object as `kubectl kustomize` prints it: empty values become null, and annotations come
 * out of Kustomize's string map (every value a string, an empty map removed).
 */
function finalizeObject(object: JsonMap): Record<string, unknown> {
  const metadata = object.metadata;
  if (isRecord(metadata) && hasOwn(metadata, 'annotations')) {
    const annotations = metadata.annotations;
    if (isRecord(annotations) && Object.keys(annotations).length > 0) {
      for (const [key, value] of Object.entries(annotations)) annotations[key] = scalarText(value);
    } else delete metadata.annotations;
  }
  finalizeValue(object);
  return object;
}

export async function buildKustomization(
  directory: string,
  fs: KustomizeFileSystem,
  cache?: BuildCache,
): Promise<KustomizeBuildResult> {
  const builder = new Builder(fs, cache);
  const resources = await builder.build(directory);
  return { resources, findings: builder.findings };
}
