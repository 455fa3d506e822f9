/**
 * `kustomize.resources` and `kustomize.patches`: the team's own Kubernetes objects and patches,
 * read through the environments folder's reader (globs, `..`, symbolic links and missing files
 * are reported there at the environment key's line) and checked for what kustomize needs of
 * their text, with each error at the file's own line and column:
 *
 * - every file is YAML that kustomize's reader (kyaml, on go-yaml v3) accepts: no syntax errors,
 *   no duplicate keys;
 * - a resource document is a Kubernetes object: a mapping with `apiVersion` and `kind` (the
 *   TypeMeta every object carries: kustomize builds an object without apiVersion, but the API
 *   server refuses to apply it) and `metadata.name` (kustomize refuses an object without one:
 *   "missing metadata.name"), or a `*List` kind whose `items` are such objects; empty
 *   documents are skipped, as kustomize skips them;
 * - a patch is either one YAML/JSON list of JSON 6902 operations (RFC 6902: every operation has
 *   an `op` of add, remove, replace, move, copy, test and a `path`), which kustomize applies
 *   only to a `target`, or mappings (strategic merge patches).
 *
 * Whether a patch applies (its target matches an object, its operations resolve) is known only
 * once the overlay is built: src/render/custom-check.ts does that at render time. Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { Problem } from '../errors.js';
import { readUserFiles, type ResolveContext } from './resolve-context.js';
import type {
  CustomFile,
  CustomKustomize,
  CustomPatch,
  CustomPatchTarget,
  KeyLocation,
} from './schema-kustomize.js';
import type { UserFile } from './user-files.js';

/** The `kustomize` key as the schema lets it through. */
export interface KustomizeInput {
  resources?: readonly string[];
  patches?: readonly { path: string; target?: CustomPatchTarget }[];
}

const jsonPatchOps = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * The segments render writes (src/render/file-tree.ts refuses any other): a file copied into
 * custom/ keeps its path, so its name must be one of them.
 */
const copyableSegment = /^[A-Za-z0-9._-]+$/;

/** Whether `source` can be copied under custom/; reports at the key when not. */
function copyable(context: ResolveContext, keyPath: string[], source: UserFile): boolean {
  if (source.path.split('/').every((segment) => copyableSegment.test(segment))) return true;
  const key = keyAt(context, keyPath);
  context.problems.push({
    code: 'config/kustomize-file-name',
    message: `${source.path} cannot be copied into overlays/<env>/custom/: gitops-gen writes only names of letters, digits, ".", "_" and "-"`,
    hint: 'rename the file (and its folders) to such a name',
    file: key.file,
    line: key.line,
    column: key.column,
    keyPath: key.keyPath,
  });
  return false;
}

function keyAt(context: ResolveContext, keyPath: string[]): KeyLocation {
  const position = context.locate(keyPath, 'value');
  return {
    file: context.file,
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
    keyPath: keyPath.join('.'),
  };
}

/** Problems in a user file's own text, located by offset. */
class FileProblems {
  readonly #lines = new LineCounter();
  constructor(
    readonly source: UserFile,
    private readonly problems: Problem[],
  ) {}

  get lineCounter(): LineCounter {
    return this.#lines;
  }

  add(offset: number | undefined, code: string, message: string, hint: string): void {
    const position = offset === undefined ? undefined : this.#lines.linePos(offset);
    this.problems.push({
      code,
      message,
      hint,
      file: this.source.file,
      ...(position === undefined ? {} : { line: position.line, column: position.col }),
    });
  }
}

/** The documents of a file as kyaml reads them; syntax problems reported, undefined then. */
function documentsOf(problems: FileProblems): (Node | null)[] | undefined {
  const documents = parseAllDocuments(problems.source.text, {
    lineCounter: problems.lineCounter,
    version: '1.1',
    uniqueKeys: true,
  });
  const list = Array.isArray(documents) ? documents : [];
  let ok = true;
  for (const document of list) {
    for (const error of document.errors) {
      ok = false;
      problems.add(
        error.pos[0],
        'config/kustomize-invalid-yaml',
        `${problems.source.path} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`,
        'kustomize cannot read this file; fix the YAML at this line',
      );
      break;
    }
  }
  if (!ok) return undefined;
  return list.map((document) => (document.contents as Node | null) ?? null);
}

function stringField(node: Node, key: string): string | undefined {
  if (!isMap(node)) return undefined;
  const value = node.get(key, true);
  return isScalar(value) && typeof value.value === 'string' && value.value !== ''
    ? value.value
    : undefined;
}

/** Checks that `node` is a Kubernetes object kustomize accepts as a resource. */
function checkObject(node: Node, problems: FileProblems, where: string): void {
  const offset = node.range?.[0];
  if (!isMap(node)) {
    problems.add(
      offset,
      'config/kustomize-not-an-object',
      `${where} is not a Kubernetes object (a mapping with apiVersion, kind and metadata)`,
      'a resource file holds Kubernetes objects, one per YAML document (separated by ---)',
    );
    return;
  }
  const kind = stringField(node, 'kind');
  for (const field of ['apiVersion', 'kind'] as const) {
    if (stringField(node, field) === undefined) {
      problems.add(
        offset,
        'config/kustomize-not-an-object',
        `${where} has no ${field}: every Kubernetes object names its apiVersion and kind`,
        'add the apiVersion and kind of the object, such as apiVersion: v1 and kind: ConfigMap',
      );
      return;
    }
  }
  if (kind?.endsWith('List') === true && node.has('items')) {
    const items = node.get('items', true);
    if (isSeq(items)) {
      items.items.forEach((item, index) => {
        if (item !== null && typeof item === 'object' && 'range' in item)
          checkObject(item as Node, problems, `${where}, item ${index + 1},`);
      });
    }
    return;
  }
  const metadata = node.get('metadata', true);
  if (!isMap(metadata) || stringField(metadata, 'name') === undefined) {
    problems.add(
      offset,
      'config/kustomize-not-an-object',
      `${where} (${kind ?? ''}) has no metadata.name: kustomize refuses an object without a name ("missing metadata.name")`,
      'give the object a name under metadata.name',
    );
  }
}

function checkResourceFile(source: UserFile, problems: Problem[]): void {
  const located = new FileProblems(source, problems);
  const documents = documentsOf(located);
  if (!documents) return;
  documents.forEach((node, index) => {
    // Empty documents (a leading or trailing ---, a file of comments) are skipped by kustomize
    // as well: kubectl kustomize builds such a file into nothing.
    if (node === null || (isScalar(node) && node.value === null)) return;
    checkObject(node, located, `document ${index + 1} of ${source.path}`);
  });
}

/** Checks a patch file; returns whether it is a list of JSON 6902 operations. */
function checkPatchFile(source: UserFile, problems: Problem[]): boolean | undefined {
  const located = new FileProblems(source, problems);
  const documents = documentsOf(located);
  if (!documents) return undefined;
  const present = documents.filter(
    (node): node is Node => node !== null && !(isScalar(node) && node.value === null),
  );
  const [first] = present;
  if (first === undefined) {
    located.add(
      0,
      'config/kustomize-empty-patch',
      `${source.path} holds no patch`,
      'kubectl kustomize refuses an empty patch; fill the file or remove the entry',
    );
    return undefined;
  }
  if (isSeq(first)) {
    if (present.length > 1) {
      located.add(
        present[1]?.range?.[0],
        'config/kustomize-invalid-patch',
        `${source.path} holds more than one document after a list of JSON patch operations`,
        'a JSON 6902 patch is one list of operations; put other patches in their own files',
      );
    }
    for (const operation of first.items) {
      const node = operation as Node;
      const op = stringField(node, 'op');
      if (op === undefined || !jsonPatchOps.has(op) || stringField(node, 'path') === undefined) {
        located.add(
          node.range?.[0],
          'config/kustomize-invalid-patch',
          `${source.path}: a JSON patch operation needs an op (add, remove, replace, move, copy or test) and a path (RFC 6902)`,
          'write each operation as {op: replace, path: /spec/replicas, value: 2}',
        );
      }
    }
    return true;
  }
  for (const node of present) {
    if (!isMap(node)) {
      located.add(
        node.range?.[0],
        'config/kustomize-invalid-patch',
        `${source.path} is neither a strategic merge patch (a mapping) nor a list of JSON patch operations`,
        'write the fields to change under the apiVersion, kind and metadata.name of the object',
      );
    }
  }
  return false;
}

/** The resolved `kustomize` key, or nothing when it is absent or empty. */
export function resolveKustomize(
  input: KustomizeInput | undefined,
  context: ResolveContext,
): { kustomize?: CustomKustomize } {
  if (input === undefined) return {};
  const resources: CustomFile[] = [];
  const seen = new Set<string>();
  (input.resources ?? []).forEach((pattern, index) => {
    const keyPath = ['kustomize', 'resources', String(index)];
    for (const source of readUserFiles(context, keyPath, pattern)) {
      // A file two globs match is one resource: kustomize refuses an object added twice.
      if (seen.has(source.path)) continue;
      seen.add(source.path);
      if (!copyable(context, keyPath, source)) continue;
      checkResourceFile(source, context.problems);
      resources.push({ ...source, key: keyAt(context, keyPath) });
    }
  });
  const patches: CustomPatch[] = [];
  (input.patches ?? []).forEach((entry, index) => {
    const keyPath = ['kustomize', 'patches', String(index)];
    for (const source of readUserFiles(context, [...keyPath, 'path'], entry.path)) {
      if (!copyable(context, [...keyPath, 'path'], source)) continue;
      const json = checkPatchFile(source, context.problems);
      if (json === true && entry.target === undefined) {
        const key = keyAt(context, [...keyPath, 'path']);
        context.problems.push({
          code: 'config/kustomize-patch-needs-target',
          message: `${source.path} is a JSON 6902 patch, which applies only to a target`,
          hint: 'add target: with at least the kind and name of the object to patch (kustomize refuses a JSON patch without one)',
          file: key.file,
          line: key.line,
          column: key.column,
          keyPath: key.keyPath,
        });
      }
      patches.push({
        ...source,
        key: keyAt(context, entry.target === undefined ? keyPath : [...keyPath, 'target']),
        ...(entry.target === undefined ? {} : { target: { ...entry.target } }),
      });
    }
  });
  if (resources.length === 0 && patches.length === 0) return {};
  return { kustomize: { resources, patches } };
}
