/**
 * Reads manifest text the way Kubernetes does: YAML 1.1 scalars (`yes` and `on` are booleans,
 * `0644` is 420), timestamps kept as strings, duplicate keys refused, `<<` merges applied.
 * Splits multi-document files, drops empty and comment-only documents, flattens `List` kinds,
 * and keeps a way back from any path to its line and column. Pure, except manifestFileStream,
 * which reads a file a block at a time. Sizes come first: a document over maxObjectBytes
 * (1.5 MiB, what etcd stores) is an `input/object-too-large` finding and is never parsed, and a
 * file over maxManifestFileBytes (256 MiB) an `input/file-too-large` finding, never read. A file
 * whose documents all lack apiVersion and kind is no manifest: one `input/not-a-manifest` notice.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { offsetOfPath } from '../yaml-locate.js';
import { formatPath, type Finding, type ResourceId } from './findings.js';
import {
  bytesOver,
  loadChunk,
  maxManifestFileBytes,
  maxObjectBytes,
  splitDocumentStreamLimited,
  splitDocuments,
  type OversizedDocument,
  type YamlChunk,
} from '../kube-yaml.js';

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** A Kubernetes object read from a document, or one item of a `List`. */
export interface ManifestResource {
  id: ResourceId;
  object: Record<string, unknown>;
  file: string;
  /** 0-based document index in the file. */
  document: number;
  /** Path of the object inside its document: `[]`, or `['items', 3]` for a List item. */
  pathInDocument: Path;
  /** Line and column of a path inside the object. */
  locate: (path: Path, at?: 'key' | 'value') => Position | undefined;
  /** Length of the YAML text the object was read from, when known (a cheap size bound). */
  sourceLength?: number;
}

export interface ParsedManifests {
  resources: ManifestResource[];
  findings: Finding[];
}

const timestampTag = 'tag:yaml.org,2002:timestamp';

function toPosition(lineCounter: LineCounter, offset: number | undefined): Position | undefined {
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every problem of one document, located. */
function documentFinding(
  file: string,
  document: number,
  position: Position | undefined,
  code: string,
  message: string,
  hint?: string,
): Finding {
  return {
    code,
    severity: 'error',
    message,
    file,
    document,
    ...position,
    ...(hint ? { hint } : {}),
  };
}

/**
 * Positions of one document, computed on first use: parsing with positions is much slower
 * than parsing for values, and most documents never need a position.
 */
export function lazyLocator(
  chunk: YamlChunk,
): (path: Path, at?: 'key' | 'value') => Position | undefined {
  let parsed: { document: Document; lineCounter: LineCounter } | undefined;
  return (path, at = 'value') => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      const document = parseDocument(chunk.text, {
        lineCounter,
        version: '1.1',
        uniqueKeys: false,
        customTags: (tags) =>
          tags.filter((tag) => (typeof tag === 'string' ? tag : tag.tag) !== timestampTag),
      });
      parsed = { document, lineCounter };
    }
    const offset = offsetOfPath(parsed.document.contents, path, at);
    const position = toPosition(parsed.lineCounter, offset);
    return position && { line: position.line + chunk.lineOffset, column: position.column };
  };
}

export function parseManifests(file: string, text: string): ParsedManifests {
  const findings: Finding[] = [];
  const resources = [...manifestStream(file, text, findings)];
  return { resources, findings };
}

/**
 * The objects of a manifest file, one at a time, so that a large file never has all its
 * objects in memory at once; reading problems are pushed to `findings` as they are met.
 */
export function* manifestStream(
  file: string,
  text: string,
  findings: Finding[],
): Generator<ManifestResource> {
  const bytes = bytesOver(text, maxManifestFileBytes);
  if (bytes !== undefined) {
    findings.push(fileTooLarge(file, bytes));
    return;
  }
  yield* chunkResources(file, splitDocuments(text), findings);
}

const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A file over maxManifestFileBytes: refused from its size, unread. */
function fileTooLarge(file: string, bytes: number): Finding {
  return {
    code: 'input/file-too-large',
    severity: 'error',
    message: `the file is ${bytes} bytes (${mebibytes(bytes)}); validate reads files of at most ${maxManifestFileBytes} bytes (${mebibytes(maxManifestFileBytes)}), so it was not read`,
    file,
    hint: 'split it into several files; no single Kubernetes object can be over 1.5 MiB anyway',
  };
}

/** A document over maxObjectBytes: refused unparsed, as the API server would refuse it. */
function objectTooLarge(file: string, document: number, line: number, bytes: number): Finding {
  return documentFinding(
    file,
    document,
    { line, column: 1 },
    'input/object-too-large',
    `the document is ${bytes} bytes (${mebibytes(bytes)}); Kubernetes stores objects of at most ${maxObjectBytes} bytes (1.5 MiB, etcd's default request limit), so the API server would refuse it; it was not parsed`,
    'split it into smaller objects; a ConfigMap or Secret holds at most 1 MiB, so large files belong in an image or a volume',
  );
}

/** Blocks of a file read from an open descriptor, decoded as UTF-8; closes it at the end. */
function* fileBlocks(descriptor: number): Generator<string> {
  // 64 KiB: V8 places strings over 128 KiB in large-object space, which only a full garbage
  // collection frees; blocks this size die young, cheaply.
  const buffer = Buffer.alloc(1 << 16);
  const decoder = new StringDecoder('utf8');
  try {
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      yield decoder.write(buffer.subarray(0, read));
    }
    yield decoder.end();
  } finally {
    closeSync(descriptor);
  }
}

/**
 * manifestStream over a file read 64 KiB at a time: a large file is never held whole, and
 * what the pipeline keeps of an object (its id) does not pin the file's text in memory. The
 * file is opened when reading starts, so that thousands of files never hold thousands of
 * descriptors.
 */
export function* manifestFileStream(
  path: string,
  file: string,
  findings: Finding[],
): Generator<ManifestResource> {
  const descriptor = openSync(path, 'r');
  const { size } = fstatSync(descriptor);
  if (size > maxManifestFileBytes) {
    closeSync(descriptor);
    findings.push(fileTooLarge(file, size));
    return;
  }
  const blocks = fileBlocks(descriptor);
  yield* chunkResources(file, splitDocumentStreamLimited(blocks, maxObjectBytes), findings);
}

/**
 * What a file turned out to be, as its documents are read: a document with neither apiVersion
 * nor kind (a values file, a CI workflow, a tool's configuration) is only a mistake in a file
 * that also holds Kubernetes objects, so its finding waits for the end of the file.
 */
interface FileVerdict {
  manifest: boolean;
  foreign: Finding[];
  /** The tools whose configuration the foreign documents are, when they name one. */
  tools: string[];
}

/** A file none of whose documents is a Kubernetes object: skipped, with one notice. */
function notAManifest(file: string, verdict: FileVerdict): Finding {
  const message =
    verdict.tools.length > 0
      ? `skipped: a configuration file of ${[...new Set(verdict.tools)].join(' and ')}, which no API server serves, not a Kubernetes manifest`
      : `skipped: ${verdict.foreign.length === 1 ? 'its document names no' : 'none of its documents names a'} Kubernetes apiVersion or kind, so this is no manifest (a values file, a CI workflow, a tool's configuration)`;
  return {
    code: 'input/not-a-manifest',
    severity: 'info',
    message,
    file,
    hint: 'to silence this notice, name the file in .gitops-gen-ignore or pass --exclude',
  };
}

/**
 * Files with an apiVersion and a kind that tools read and the API server never receives: their
 * kinds exist in no cluster, so `kubectl apply` of them fails.
 */
function toolConfiguration(value: Record<string, unknown>): string | undefined {
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group === 'argoproj.io' && kind === 'ConfigManagementPlugin') {
    return "Argo CD's plugin sidecar (argocd-cmp-server)";
  }
  // Component configuration (kubelet, kube-proxy, kube-scheduler, kustomize's own files).
  if (group.endsWith('.config.k8s.io')) return `the ${group.split('.')[0] ?? ''} component`;
  if (apiVersion === 'builtin')
    return "a kustomize built-in plugin (a kustomization's transformers)";
  if (apiVersion === 'v1' && kind === 'Config') return 'kubectl (a kubeconfig)';
  if (group === 'kubeadm.k8s.io') return 'kubeadm';
  if (group === 'kind.x-k8s.io') return 'kind';
  if (group === 'k3d.io') return 'k3d';
  if (group === 'skaffold') return 'Skaffold';
  if (group === 'kpt.dev' && kind === 'Kptfile') return 'kpt';
  if (group === 'schema.plugin.fluxcd.io') return "Flux's schema plugin";
  return undefined;
}

function* chunkResources(
  file: string,
  chunks: Iterable<YamlChunk | OversizedDocument>,
  findings: Finding[],
): Generator<ManifestResource> {
  let index = 0;
  const verdict: FileVerdict = { manifest: false, foreign: [], tools: [] };
  for (const chunk of chunks) {
    if ('oversized' in chunk) {
      findings.push(objectTooLarge(file, index++, chunk.lineOffset + 1, chunk.bytes));
      continue;
    }
    const bytes = bytesOver(chunk.text, maxObjectBytes);
    if (bytes !== undefined) {
      findings.push(objectTooLarge(file, index++, chunk.lineOffset + 1, bytes));
      continue;
    }
    yield* documentResources(file, index++, chunk, findings, verdict);
  }
  if (verdict.manifest) findings.push(...verdict.foreign);
  else if (verdict.foreign.length > 0) findings.push(notAManifest(file, verdict));
}

/**
 * Whether a document means to be a Kubernetes object: it names an apiVersion or a kind, as
 * text. Grafana's provisioning files say `apiVersion: 1`, a number no Kubernetes object has.
 */
function claimsType(value: unknown): boolean {
  return (
    isRecord(value) && (typeof value.apiVersion === 'string' || typeof value.kind === 'string')
  );
}

/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps substrings
 * of 13 characters and more as views of their parent, so an id kept for the report would keep
 * a whole file's text alive.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

function* documentResources(
  file: string,
  index: number,
  chunk: YamlChunk,
  findings: Finding[],
  verdict: FileVerdict,
): Generator<ManifestResource> {
  const resources: ManifestResource[] = [];
  {
    const loaded = loadChunk(chunk);
    if (!loaded.ok) {
      findings.push(
        documentFinding(
          file,
          index,
          { line: loaded.line, column: loaded.column },
          loaded.duplicateKey ? 'yaml/duplicate-key' : 'yaml/syntax',
          loaded.duplicateKey
            ? 'duplicate mapping key: the API server would reject this document'
            : loaded.message,
          loaded.duplicateKey
            ? 'each key may appear once per mapping'
            : 'check indentation and quoting here',
        ),
      );
      return;
    }
    const value = loaded.value;
    if (value === null || value === undefined) return; // empty or comment-only
    const locate = lazyLocator(chunk);
    const tool = isRecord(value) ? toolConfiguration(value) : undefined;
    if (isRecord(value) && tool !== undefined) {
      verdict.tools.push(tool);
      verdict.foreign.push(
        documentFinding(
          file,
          index,
          locate(['kind']),
          'input/not-an-api-object',
          `${String(value.kind)} is a configuration file of ${tool}, not an object of the API server: kubectl apply of this file fails`,
          'keep tool configuration in a file of its own, beside the manifests',
        ),
      );
      return;
    }
    // A list of objects is a mistake in a manifest; any other list or scalar is foreign.
    const typed = isRecord(value)
      ? claimsType(value)
      : Array.isArray(value) && value.some(claimsType);
    if (typed) verdict.manifest = true;
    const report = typed ? findings : verdict.foreign;
    if (!isRecord(value)) {
      report.push(
        documentFinding(
          file,
          index,
          locate([]),
          'document/not-a-mapping',
          `the document is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a Kubernetes object`,
          'a manifest document is a mapping with apiVersion, kind and metadata',
        ),
      );
      return;
    }
    const add = (object: Record<string, unknown>, pathInDocument: Path): void => {
      const located = (path: Path, at?: 'key' | 'value'): Position | undefined =>
        locate([...pathInDocument, ...path], at);
      const missing = (['apiVersion', 'kind'] as const).filter(
        (key) => typeof object[key] !== 'string' || object[key] === '',
      );
      // A Grafana dashboard beside the manifests (the spec's `dashboards/*.json`, for import
      // through Grafana's UI) is not a Kubernetes object; its ConfigMap copy is what gets checked.
      if (missing.length > 0 && pathInDocument.length === 0 && isGrafanaDashboard(file, object)) {
        return;
      }
      if (missing.length > 0) {
        // Only a whole document can be foreign; a List item without a kind is a mistake.
        (pathInDocument.length === 0 ? report : findings).push({
          ...documentFinding(
            file,
            index,
            located([]),
            'document/missing-type',
            `the object has no ${missing.join(' and ')}`,
            'every Kubernetes object names its apiVersion and kind',
          ),
          ...(pathInDocument.length > 0 ? { path: formatPath(pathInDocument) } : {}),
        });
        return;
      }
      const metadata = isRecord(object.metadata) ? object.metadata : {};
      // The id outlives the object (the report lists every resource): detached strings.
      const id: ResourceId = {
        apiVersion: detached(object.apiVersion as string),
        kind: detached(object.kind as string),
        name: typeof metadata.name === 'string' ? detached(metadata.name) : '',
        ...(typeof metadata.namespace === 'string'
          ? { namespace: detached(metadata.namespace) }
          : {}),
      };
      if (isListKind(id) && Array.isArray(object.items)) {
        object.items.forEach((item: unknown, itemIndex) => {
          const itemPath = [...pathInDocument, 'items', itemIndex];
          if (isRecord(item)) add(item, itemPath);
          else
            findings.push({
              ...documentFinding(
                file,
                index,
                locate(itemPath),
                'document/not-a-mapping',
                'a List item is not a Kubernetes object',
              ),
              path: formatPath(itemPath),
            });
        });
        return;
      }
      resources.push({
        id,
        object,
        file,
        document: index,
        pathInDocument,
        locate: located,
        sourceLength: chunk.text.length,
      });
    };
    add(value, []);
  }
  yield* resources;
}

/** `v1/List` and the typed lists such as `DeploymentList`. */
function isListKind(id: ResourceId): boolean {
  return id.kind === 'List' || id.kind.endsWith('List');
}

/** A dashboard model exported as a file: JSON with panels and a schema version, no kind. */
function isGrafanaDashboard(file: string, object: Record<string, unknown>): boolean {
  return (
    file.endsWith('.json') &&
    Array.isArray(object.panels) &&
    typeof object.schemaVersion === 'number' &&
    object.apiVersion === undefined &&
    object.kind === undefined
  );
}
