/**
 * One object during the build, with the bookkeeping Kustomize keeps in its internal "build
 * annotations": previous ids (renames), name prefixes and suffixes, generator behavior and
 * whether the name gets a content hash.
 */
import { effectiveNamespace, splitApiVersion, type Gvk, type ResId } from './resid.js';
import { isRecord, scalarText, type JsonMap } from './values.js';

export type GeneratorBehavior = 'create' | 'merge' | 'replace' | 'unspecified';

export interface Origin {
  file: string;
  document: number;
  /** 1-based line of the document, for findings. */
  line: number;
}

interface PreviousId {
  kind: string;
  name: string;
  namespace: string;
}

export class Resource {
  prefixes: string[] = [];
  suffixes: string[] = [];
  /** Set by generators. */
  behavior: GeneratorBehavior | undefined;
  needsHash = false;
  private previous: PreviousId[] = [];

  constructor(
    public object: JsonMap,
    public origin: Origin,
  ) {}

  /** A deep copy: the object and everything the build recorded about it. */
  clone(): Resource {
    const copy = new Resource(structuredClone(this.object), this.origin);
    copy.prefixes = [...this.prefixes];
    copy.suffixes = [...this.suffixes];
    copy.behavior = this.behavior;
    copy.needsHash = this.needsHash;
    copy.previous = this.previous.map((id) => ({ ...id }));
    return copy;
  }

  get gvk(): Gvk {
    const { group, version } = splitApiVersion(scalarText(this.object.apiVersion));
    return { group, version, kind: scalarText(this.object.kind) };
  }

  get metadata(): JsonMap | undefined {
    const metadata = this.object.metadata;
    return isRecord(metadata) ? metadata : undefined;
  }

  /** `metadata`, created if missing or not a map. */
  ensureMetadata(): JsonMap {
    const metadata = this.metadata;
    if (metadata) return metadata;
    const created: JsonMap = {};
    this.object.metadata = created;
    return created;
  }

  get name(): string {
    return scalarText(this.metadata?.name);
  }

  set name(name: string) {
    this.ensureMetadata().name = name;
  }

  get namespace(): string {
    return scalarText(this.metadata?.namespace);
  }

  /** An empty namespace removes the field, as kyaml's SetNamespace does. */
  set namespace(namespace: string) {
    const metadata = this.ensureMetadata();
    if (namespace === '') delete metadata.namespace;
    else metadata.namespace = namespace;
  }

  get kind(): string {
    return scalarText(this.object.kind);
  }

  set kind(kind: string) {
    this.object.kind = kind;
  }

  labels(): Record<string, string> {
    return stringMap(this.metadata?.labels);
  }

  annotations(): Record<string, string> {
    return stringMap(this.metadata?.annotations);
  }

  curId(): ResId {
    return { ...this.gvk, name: this.name, namespace: this.namespace };
  }

  /** Every earlier id, oldest first (the current id is not included). */
  prevIds(): ResId[] {
    const gvk = this.gvk;
    return this.previous.map((id) => ({ ...gvk, ...id }));
  }

  orgId(): ResId {
    return this.prevIds()[0] ?? this.curId();
  }

  /** Previous ids and the current one. */
  anyIds(): ResId[] {
    return [...this.prevIds(), this.curId()];
  }

  storePreviousId(): void {
    const id = this.curId();
    this.previous.push({ kind: id.kind, name: id.name, namespace: effectiveNamespace(id) });
  }

  /**
   * Build annotations travel with a resource when a generator merges into it
   * (CopyMergeMetaDataFieldsFrom): the existing object's, except that the hash stays only if
   * both want it, so an overlay's disableNameSuffixHash holds for a merged base generator.
   */
  copyBuildStateFrom(other: Resource): void {
    this.previous = other.previous.map((id) => ({ ...id }));
    this.prefixes = [...other.prefixes];
    this.suffixes = [...other.suffixes];
    this.behavior = other.behavior;
    this.needsHash = other.needsHash && this.needsHash;
  }

  isEmpty(): boolean {
    return Object.keys(this.object).length === 0;
  }
}

/** A labels or annotations map as Kustomize reads it: every value as its text. */
export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isRecord(value)) return result;
  for (const [key, item] of Object.entries(value)) result[key] = scalarText(item);
  return result;
}
