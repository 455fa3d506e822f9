/**
 * The build itself, in the order of Kustomize's KustTarget: for each kustomization, resources
 * (files and nested kustomizations, recursively), generators, components, then transformers;
 * at the top, hash suffixes, name references, local-config removal and the output sort.
 * Every problem becomes a finding; the build goes on without the faulty entry.
 */
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import {
  COMMON_LABEL_FIELD_SPECS,
  TEMPLATE_LABEL_FIELD_SPECS,
  type FieldSpec,
} from './fieldspecs.js';
import {
  absorbGenerated,
  generate,
  mergeGeneratorOptions,
  type GeneratorFiles,
} from './generators.js';
import { generatedNameHash } from './hash.js';
import { decodeJsonPatch, type JsonPatchOperation } from './jsonpatch.js';
import {
  KUSTOMIZATION_FILE_NAMES,
  readKustomization,
  readReplacementFile,
  type Kustomization,
  type Located,
  type Path,
  type PatchEntry,
} from './kustomization.js';
import { fixNameReferences } from './nameref.js';
import { applyReplacement, type Replacement } from './replacements.js';
import { idEquals, idLabel, type ResId } from './resid.js';
import { Resource, type Origin } from './resource.js';
import { selectResources, type Selector } from './selector.js';
import { sortResources } from './sort.js';
import {
  applyJsonPatchToResource,
  applyStrategicMergePatch,
  transformAnnotations,
  transformImages,
  transformMapEntries,
  transformNameAffix,
  transformNamespace,
  transformReplicas,
} from './transformers.js';
import type {
  BuiltResource,
  KustomizeBuildResult,
  KustomizeFileSystem,
  KustomizeFinding,
} from './types.js';
import {
  KustomizeError,
  finalizeValue,
  formatPath,
  hasOwn,
  isNullish,
  isRecord,
  scalarText,
  type JsonMap,
} from './values.js';
import { parseKustomizationYaml, parseResourceYaml } from './yaml.js';

const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

function isRemote(entry: string): boolean {
  return /^(?:https?:\/\/|git@|ssh:\/\/|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(
    entry,
  );
}

/** Whether `ancestor` is `path` or one of its parent folders. */
function contains(ancestor: string, path: string): boolean {
  const rel = relative(resolve(ancestor), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

type Reporter = (
  code: string,
  message: string,
  options?: { hint?: string; severity?: 'error' | 'warning'; at?: 'key' | 'value' },
) => void;

/**
 * Sub-kustomizations already built in this session (one validate run), by folder: the overlays
 * of one base each include it, and a base builds the same whoever includes it. Kept with the
 * findings its build reported, which every includer reports again.
 */
export type BuildCache = Map<string, { resources: Resource[]; findings: KustomizeFinding[] }>;

class Builder {
  readonly findings: KustomizeFinding[] = [];

  constructor(
    private readonly fs: KustomizeFileSystem,
    private readonly cache: BuildCache = new Map(),
  ) {}

  /** Reports at an entry of a kustomization file. */
  private at(k: Kustomization, path: Path): Reporter {
    return (code, message, options = {}) => {
      this.findings.push({
        code,
        severity: options.severity ?? 'error',
        message,
        file: k.file,
        ...k.locate(path, options.at),
        ...(path.length > 0 ? { path: formatPath(path) } : {}),
        ...(options.hint ? { hint: options.hint } : {}),
      });
    };
  }

  /** Reports at a file (optionally a line of it). */
  private inFile(file: string, line?: number, column?: number): Reporter {
    return (code, message, options = {}) => {
      this.findings.push({
        code,
        severity: options.severity ?? 'error',
        message,
        file,
        ...(line !== undefined ? { line } : {}),
        ...(column !== undefined ? { column } : {}),
        ...(options.hint ? { hint: options.hint } : {}),
      });
    };
  }

  private fail(report: Reporter, error: unknown): void {
    if (!(error instanceof KustomizeError)) throw error;
    report(error.code, error.message, error.hint ? { hint: error.hint } : {});
  }

  async build(directory: string): Promise<BuiltResource[]> {
    const dir = normalize(directory);
    if (!(await this.fs.isDirectory(dir))) {
      this.inFile(dir)('kustomize/file-not-found', `the folder ${dir} does not exist`);
      return [];
    }
    const k = await this.loadKustomization(dir, this.inFile(dir));
    if (!k) return [];
    let resources = await this.accumulate(k, [], [dir]);

    for (const resource of resources) {
      if (!resource.needsHash) continue;
      const hash = generatedNameHash(resource.object);
      resource.storePreviousId();
      resource.name = `${resource.name}-${hash}`;
    }
    for (const problem of fixNameReferences(resources)) {
      this.fail(
        this.inFile(problem.resource.origin.file, problem.resource.origin.line),
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

  private async loadKustomization(
    dir: string,
    report: Reporter,
  ): Promise<Kustomization | undefined> {
    const found: { file: string; text: string }[] = [];
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const file = join(dir, name);
      const text = await this.fs.readFile(file);
      if (text !== undefined) found.push({ file, text });
    }
    const [first] = found;
    if (!first) {
      report(
        'kustomize/missing-kustomization',
        `no kustomization.yaml, kustomization.yml or Kustomization in ${dir}`,
        { hint: 'a folder listed in resources or components needs a kustomization file' },
      );
      return undefined;
    }
    if (found.length > 1) {
      report('kustomize/multiple-kustomizations', `several kustomization files in ${dir}`, {
        hint: 'keep one of kustomization.yaml, kustomization.yml and Kustomization',
      });
      return undefined;
    }
    return readKustomization(first.file, dir, first.text, this.findings);
  }

  /** One kustomization, appended to `resources` (a fresh list, or the parent's for a component). */
  private async accumulate(
    k: Kustomization,
    resources: Resource[],
    chain: readonly string[],
  ): Promise<Resource[]> {
    for (const entry of k.resources) await this.accumulateResource(k, entry, resources, chain);

    for (const entry of [...k.configMapGenerator, ...k.secretGenerator]) {
      const report = this.at(k, entry.at);
      const args = {
        ...entry.value,
        options: mergeGeneratorOptions(entry.value.options, k.generatorOptions),
      };
      const origin: Origin = {
        file: k.file,
        document: 0,
        // Read only for a finding: locating parses the kustomization a second time.
        get line() {
          return k.locate(entry.at)?.line ?? 1;
        },
      };
      try {
        const generated = await generate(args, this.generatorFiles(k), origin);
        this.absorb(resources, generated, report);
      } catch (error) {
        this.fail(report, error);
      }
    }

    for (const entry of k.components) {
      const report = this.at(k, entry.at);
      const dir = join(k.dir, entry.value);
      if (!(await this.fs.isDirectory(dir))) {
        report('kustomize/file-not-found', `the component folder ${entry.value} does not exist`, {
          hint: `looked for ${dir}`,
        });
        continue;
      }
      if (this.isCycle(dir, chain, report)) continue;
      const component = await this.loadKustomization(dir, report);
      if (!component) continue;
      if (component.kind !== 'Component') {
        report('kustomize/not-a-component', `${entry.value} is a Kustomization, not a Component`, {
          hint: 'list it under resources, or give its kustomization `kind: Component`',
        });
        continue;
      }
      await this.accumulate(component, resources, [...chain, dir]);
    }

    await this.transform(k, resources);
    return resources;
  }

  private isCycle(dir: string, chain: readonly string[], report: Reporter): boolean {
    const visited = chain.find((folder) => contains(dir, folder));
    if (visited === undefined) return false;
    report('kustomize/cycle', `cycle: ${dir} contains ${visited}, which is already being built`, {
      hint: 'a kustomization may not include itself or one of its parent folders',
    });
    return true;
  }

  private async accumulateResource(
    k: Kustomization,
    entry: Located<string>,
    resources: Resource[],
    chain: readonly string[],
  ): Promise<void> {
    const report = this.at(k, entry.at);
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
    const path = join(k.dir, entry.value);
    if (await this.fs.isDirectory(path)) {
      if (this.isCycle(path, chain, report)) return;
      const sub = await this.loadKustomization(path, report);
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
      const reusable = !chain.some((folder) => contains(path, folder));
      const cached = reusable ? this.cache.get(path) : undefined;
      if (cached) {
        this.findings.push(...cached.findings.map((finding) => ({ ...finding })));
        this.appendAll(
          resources,
          cached.resources.map((resource) => resource.clone()),
        );
        return;
      }
      const before = this.findings.length;
      const built = await this.accumulate(sub, [], [...chain, path]);
      if (reusable) {
        this.cache.set(path, {
          resources: built.map((resource) => resource.clone()),
          findings: this.findings.slice(before).map((finding) => ({ ...finding })),
        });
      }
      this.appendAll(resources, built);
      return;
    }
    const text = await this.readFileIn(k, entry.value, report, 'resource');
    if (text === undefined) return;
    this.appendAll(resources, this.parseResources(path, text));
  }

  /** A file of the kustomization's folder: reports a missing file or one outside the folder. */
  private async readFileIn(
    k: Kustomization,
    relativePath: string,
    report: Reporter,
    what: string,
  ): Promise<string | undefined> {
    const path = join(k.dir, relativePath);
    const text = await this.fs.readFile(path);
    if (text === undefined) {
      report('kustomize/file-not-found', `${what} ${relativePath} does not exist`, {
        hint: `looked for ${path}`,
      });
      return undefined;
    }
    if (!contains(k.dir, path)) {
      report(
        'kustomize/file-outside-root',
        `${what} ${relativePath} is outside the kustomization folder ${k.dir}`,
        {
          hint: 'kubectl kustomize only loads files in or below the kustomization folder (load restrictor)',
        },
      );
      return undefined;
    }
    return text;
  }

  private generatorFiles(k: Kustomization): GeneratorFiles {
    const resolvePath = (relativePath: string): string => {
      const path = join(k.dir, relativePath);
      if (!contains(k.dir, path)) {
        throw new KustomizeError(
          `generator file ${relativePath} is outside the kustomization folder ${k.dir}`,
          'kustomize/file-outside-root',
          'kubectl kustomize only loads files in or below the kustomization folder (load restrictor)',
        );
      }
      return path;
    };
    const notFound = (relativePath: string): KustomizeError =>
      new KustomizeError(
        `generator file ${relativePath} does not exist`,
        'kustomize/file-not-found',
        `looked for ${join(k.dir, relativePath)}`,
      );
    const text = async (relativePath: string): Promise<string> => {
      const content = await this.fs.readFile(resolvePath(relativePath));
      if (content === undefined) throw notFound(relativePath);
      return content;
    };
    return {
      text,
      bytes: async (relativePath) => {
        if (!this.fs.readBinaryFile) return new TextEncoder().encode(await text(relativePath));
        const bytes = await this.fs.readBinaryFile(resolvePath(relativePath));
        if (bytes === undefined) throw notFound(relativePath);
        return bytes;
      },
    };
  }

  /** Objects of a resource file: Lists expanded (their items after the other documents). */
  private parseResources(file: string, text: string): Resource[] {
    const { documents, problems } = parseResourceYaml(text);
    for (const problem of problems) {
      this.inFile(
        file,
        problem.line,
        problem.column,
      )(
        problem.code,
        problem.code === 'kustomize/duplicate-key'
          ? 'duplicate mapping key: kubectl kustomize refuses this file'
          : `not valid YAML: ${problem.message}`,
      );
    }
    const queue: { value: unknown; origin: Origin; fromList: boolean }[] = documents.map((doc) => ({
      value: doc.value,
      origin: { file, document: doc.index, line: doc.line },
      fromList: false,
    }));
    const resources: Resource[] = [];
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const { value, origin } = item;
      const report = this.inFile(origin.file, origin.line);
      if (!isRecord(value)) {
        report('kustomize/invalid-resource', `document ${origin.document} is not a mapping`);
        continue;
      }
      const kind = scalarText(value.kind);
      if (kind === '') {
        report('kustomize/invalid-resource', `document ${origin.document} has no kind`);
        continue;
      }
      if (kind.endsWith('List') && hasOwn(value, 'items')) {
        const items = value.items;
        if (isNullish(items)) continue;
        if (!Array.isArray(items)) {
          report('kustomize/invalid-resource', `the items of ${kind} are not a list`);
          continue;
        }
        for (const listItem of items) {
          queue.push({ value: finalizeValue(listItem), origin, fromList: true });
        }
        continue;
      }
      const metadata = value.metadata;
      if (!kind.endsWith('List') && (!isRecord(metadata) || scalarText(metadata.name) === '')) {
        report(
          'kustomize/invalid-resource',
          `the ${kind} in document ${origin.document} has no metadata.name`,
        );
        continue;
      }
      resources.push(new Resource(value, origin));
    }
    return resources;
  }

  private appendAll(resources: Resource[], added: readonly Resource[]): void {
    for (const resource of added) {
      const id = resource.curId();
      const existing = resources.find((other) => idEquals(other.curId(), id));
      if (existing) {
        this.duplicate(resource, id, existing);
        continue;
      }
      resources.push(resource);
    }
  }

  private duplicate(resource: Resource, id: ResId, existing: Resource): void {
    this.inFile(resource.origin.file, resource.origin.line)(
      'kustomize/duplicate-resource',
      `${idLabel(id)} is already defined (in ${existing.origin.file}): kubectl kustomize refuses two objects with the same kind, namespace and name`,
      { hint: 'remove one of them, or rename one with a patch' },
    );
  }

  /** A generated object: added, or merged into / replacing an existing one per its behavior. */
  private absorb(resources: Resource[], generated: Resource, report: Reporter): void {
    const id = generated.curId();
    const matches = resources.filter((resource) =>
      resource.anyIds().some((other) => idEquals(other, id)),
    );
    const behavior = generated.behavior ?? 'unspecified';
    const [existing] = matches;
    if (!existing) {
      if (behavior === 'merge' || behavior === 'replace') {
        report(
          'kustomize/generator-target-not-found',
          `${idLabel(id)} does not exist, so behavior ${behavior} has nothing to ${behavior === 'merge' ? 'merge into' : 'replace'}`,
          { hint: 'the base must generate or define an object of this name' },
        );
        return;
      }
      resources.push(generated);
      return;
    }
    if (matches.length > 1) {
      report(
        'kustomize/generator-conflict',
        `several objects could take the generated ${idLabel(id)}`,
      );
      return;
    }
    if (behavior !== 'merge' && behavior !== 'replace') {
      report(
        'kustomize/duplicate-resource',
        `${idLabel(id)} already exists (from ${existing.origin.file}); a generator of the same name needs behavior: merge or replace`,
        { hint: 'add `behavior: merge` (or replace) to this generator' },
      );
      return;
    }
    const index = resources.indexOf(existing);
    resources[index] = absorbGenerated(existing, generated, behavior);
  }

  private async transform(k: Kustomization, resources: Resource[]): Promise<void> {
    for (const entry of k.patchesStrategicMerge) {
      const report = this.at(k, entry.at);
      try {
        const patches = await this.strategicPatchesFrom(k, entry.value, report);
        if (patches) for (const patch of patches) this.patchById(resources, patch, {}, report);
      } catch (error) {
        this.fail(report, error);
      }
    }

    for (const entry of k.patches) {
      const report = this.at(k, entry.at);
      try {
        await this.applyPatch(k, entry.value, resources, report);
      } catch (error) {
        this.fail(report, error);
      }
    }

    const guarded = (path: Path, run: () => void): void => {
      try {
        run();
      } catch (error) {
        this.fail(this.at(k, path), error);
      }
    };

    if (k.namespace !== '') {
      guarded(['namespace'], () => {
        transformNamespace(resources, k.namespace);
        this.checkIdConflicts(resources, k, ['namespace']);
      });
    }
    if (k.namePrefix !== '')
      guarded(['namePrefix'], () => {
        transformNameAffix(resources, k.namePrefix, 'prefix');
      });
    if (k.nameSuffix !== '')
      guarded(['nameSuffix'], () => {
        transformNameAffix(resources, k.nameSuffix, 'suffix');
      });
    for (const entry of k.labels) {
      guarded(entry.at, () => {
        const label = entry.value;
        let specs: FieldSpec[] = [...label.fields];
        if (label.includeSelectors) specs = mergeSpecs(specs, COMMON_LABEL_FIELD_SPECS);
        else {
          if (label.includeTemplates) specs = mergeSpecs(specs, TEMPLATE_LABEL_FIELD_SPECS);
          specs = mergeSpecs(specs, [{ path: 'metadata/labels', create: true }]);
        }
        transformMapEntries(resources, label.pairs, specs);
      });
    }
    guarded(['commonLabels'], () => {
      transformMapEntries(resources, k.commonLabels, COMMON_LABEL_FIELD_SPECS);
    });
    guarded(['commonAnnotations'], () => {
      transformAnnotations(resources, k.commonAnnotations);
    });

    for (const entry of k.patchesJson6902) {
      const report = this.at(k, entry.at);
      try {
        await this.applyLegacyJsonPatch(k, entry.value, resources, report);
      } catch (error) {
        this.fail(report, error);
      }
    }

    for (const entry of k.replicas) {
      guarded(entry.at, () => {
        if (!transformReplicas(resources, entry.value)) {
          this.at(k, entry.at)(
            'kustomize/replicas-target-not-found',
            `replicas: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named ${entry.value.name}`,
            { hint: 'kubectl kustomize fails on this entry; check the name' },
          );
        }
      });
    }
    for (const entry of k.images) {
      guarded(entry.at, () => {
        transformImages(resources, entry.value);
      });
    }
    for (const entry of k.replacements) {
      const report = this.at(k, entry.at);
      const { replacement, path } = entry.value;
      let list: Replacement[] = replacement ? [replacement] : [];
      if (path !== undefined) {
        const text = await this.readFileIn(k, path, report, 'replacement file');
        if (text === undefined) continue;
        list = readReplacementFile(join(k.dir, path), text, this.findings);
      }
      try {
        for (const item of list) applyReplacement(resources, item);
      } catch (error) {
        if (!(error instanceof KustomizeError)) throw error;
        report(
          error.code === 'kustomize/transform-failed' ? 'kustomize/replacement-failed' : error.code,
          error.message,
          { hint: 'kubectl kustomize fails on this replacement' },
        );
      }
    }
  }

  private checkIdConflicts(resources: Resource[], k: Kustomization, at: Path): void {
    for (let index = 0; index < resources.length; index++) {
      const resource = resources[index];
      if (!resource) continue;
      const id = resource.curId();
      const other = resources.findIndex(
        (candidate, i) => i !== index && idEquals(candidate.curId(), id),
      );
      if (other > index) {
        this.at(k, at)(
          'kustomize/duplicate-resource',
          `the namespace transformation gives two objects the id ${idLabel(id)}`,
          { hint: 'the same object exists in two namespaces of the bases' },
        );
        resources.splice(other, 1);
      }
    }
  }

  /** Strategic merge patches of a patchesStrategicMerge entry: inline YAML or a file. */
  private async strategicPatchesFrom(
    k: Kustomization,
    value: string,
    report: Reporter,
  ): Promise<JsonMap[] | undefined> {
    const inline = parseResourceYaml(value);
    const inlineMaps = inline.documents.filter(
      (doc) => isRecord(doc.value) && hasOwn(doc.value, 'kind'),
    );
    if (
      inline.problems.length === 0 &&
      inlineMaps.length > 0 &&
      inlineMaps.length === inline.documents.length
    ) {
      return this.strategicPatches(
        inline.documents.map((doc) => doc.value),
        report,
      );
    }
    const text = await this.readFileIn(k, value, report, 'patch');
    if (text === undefined) return undefined;
    const parsed = parseResourceYaml(text);
    if (parsed.problems.length > 0) {
      report(
        'kustomize/invalid-patch',
        `patch ${value} is not valid YAML: ${parsed.problems[0]?.message ?? ''}`,
      );
      return undefined;
    }
    return this.strategicPatches(
      parsed.documents.map((doc) => doc.value),
      report,
    );
  }

  private strategicPatches(values: readonly unknown[], report: Reporter): JsonMap[] | undefined {
    const patches: JsonMap[] = [];
    for (const value of values) {
      if (
        !isRecord(value) ||
        scalarText(value.kind) === '' ||
        !isRecord(value.metadata) ||
        scalarText(value.metadata.name) === ''
      ) {
        report(
          'kustomize/invalid-patch',
          'a strategic merge patch needs a kind and a metadata.name',
          {
            hint: 'kubectl kustomize cannot parse it as a strategic merge or a JSON patch',
          },
        );
        return undefined;
      }
      patches.push(value);
    }
    return patches;
  }

  /** A patch with no target applies to the object of its own kind and name (by any id). */
  private patchById(
    resources: Resource[],
    patch: JsonMap,
    options: PatchEntry['options'],
    report: Reporter,
  ): void {
    const probe = new Resource(patch, { file: '', document: 0, line: 0 });
    const id = probe.curId();
    const matches = resources.filter((resource) =>
      resource.anyIds().some((other) => idEquals(other, id)),
    );
    if (matches.length !== 1) {
      report(
        'kustomize/patch-target-not-found',
        matches.length === 0
          ? `the patch for ${idLabel(id)} matches no object (kind, apiVersion, name and namespace must match)`
          : `the patch for ${idLabel(id)} matches ${matches.length} objects`,
        {
          hint: "check the patch's apiVersion, kind, metadata.name and metadata.namespace, or give it a target",
        },
      );
      return;
    }
    this.applySmPatchTo(resources, matches, patch, options);
  }

  private applySmPatchTo(
    resources: Resource[],
    targets: readonly Resource[],
    patch: JsonMap,
    options: PatchEntry['options'],
  ): void {
    for (const target of targets) {
      if (!resources.includes(target)) continue;
      const kept = applyStrategicMergePatch(target, patch, options);
      if (!kept) resources.splice(resources.indexOf(target), 1);
    }
  }

  private async patchText(
    k: Kustomization,
    entry: PatchEntry,
    report: Reporter,
  ): Promise<string | undefined> {
    if (entry.patch !== undefined) return entry.patch;
    if (entry.path === undefined) return undefined;
    return this.readFileIn(k, entry.path, report, 'patch');
  }

  private async applyPatch(
    k: Kustomization,
    entry: PatchEntry,
    resources: Resource[],
    report: Reporter,
  ): Promise<void> {
    const text = await this.patchText(k, entry, report);
    if (text === undefined) return;
    const operations = jsonPatchOperations(text);
    if (operations) {
      if (!entry.target) {
        report('kustomize/invalid-patch', 'a JSON patch needs a target', {
          hint: 'add target: with at least the kind and name of the object to patch',
        });
        return;
      }
      const selected = selectResources(resources, entry.target);
      if (selected.length === 0) this.targetNotFound(entry, report);
      for (const resource of selected) applyJsonPatchToResource(resource, operations, true);
      return;
    }
    const parsed = parseResourceYaml(text);
    if (parsed.problems.length > 0) {
      report(
        'kustomize/invalid-patch',
        `the patch is not valid YAML: ${parsed.problems[0]?.message ?? ''}`,
      );
      return;
    }
    const patches = this.strategicPatches(
      parsed.documents.map((doc) => doc.value),
      report,
    );
    if (!patches) return;
    if (!entry.target) {
      for (const patch of patches) this.patchById(resources, patch, entry.options, report);
      return;
    }
    const selected = selectResources(resources, entry.target);
    if (selected.length === 0) this.targetNotFound(entry, report);
    for (const patch of patches) this.applySmPatchTo(resources, selected, patch, entry.options);
  }

  private targetNotFound(entry: PatchEntry, report: Reporter): void {
    if (entry.options.allowNoTargetMatch) return;
    report(
      'kustomize/patch-target-not-found',
      `the patch target ${describeSelector(entry.target ?? {})} matches no object, so the patch does nothing`,
      { hint: 'kubectl kustomize silently skips it; check the target kind, name and selectors' },
    );
  }

  private async applyLegacyJsonPatch(
    k: Kustomization,
    entry: PatchEntry,
    resources: Resource[],
    report: Reporter,
  ): Promise<void> {
    if (!entry.target?.name) {
      report('kustomize/invalid-patch', 'a patchesJson6902 entry needs target.name');
      return;
    }
    const text = await this.patchText(k, entry, report);
    if (text === undefined) return;
    const operations = jsonPatchOperations(text);
    if (!operations || operations.length === 0) {
      report(
        'kustomize/invalid-patch',
        'the patchesJson6902 entry is not a list of JSON patch operations',
      );
      return;
    }
    const selected = selectResources(resources, entry.target);
    if (selected.length === 0) this.targetNotFound(entry, report);
    for (const resource of selected) applyJsonPatchToResource(resource, operations, false);
  }
}

/** JSON patch operations when the text is a list (JSON, or YAML read as Kustomize reads it). */
function jsonPatchOperations(text: string): JsonPatchOperation[] | undefined {
  const trimmed = text.trim();
  let value: unknown;
  if (trimmed.startsWith('[')) {
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      value = parseKustomizationYaml(trimmed).value;
    }
  } else {
    const parsed = parseKustomizationYaml(trimmed);
    if (parsed.problems.length > 0) return undefined;
    value = parsed.value;
  }
  if (!Array.isArray(value)) return undefined;
  return decodeJsonPatch(value);
}

function describeSelector(selector: Selector): string {
  const parts = Object.entries(selector).map(([key, value]) => `${key}=${String(value)}`);
  return parts.length > 0 ? `(${parts.join(', ')})` : '(everything)';
}

function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return (
    a.path === b.path &&
    (a.group ?? '') === (b.group ?? '') &&
    (a.version ?? '') === (b.version ?? '') &&
    (a.kind ?? '') === (b.kind ?? '')
  );
}

/** FsSlice.MergeAll: adds the specs not already there. */
function mergeSpecs(specs: readonly FieldSpec[], more: readonly FieldSpec[]): FieldSpec[] {
  const result = [...specs];
  for (const spec of more)
    if (!result.some((existing) => sameSpec(existing, spec))) result.push(spec);
  return result;
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
