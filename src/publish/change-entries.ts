/**
 * A change set as "changes", the unit every description of it counts and lists (commit
 * message, pull-request title and body, `gitops-gen diff` report): one per Kubernetes object
 * added, changed or removed, plus one per changed file that holds no object
 * (kustomization.yaml, prometheus.yml, dashboards), since each of those changes what the
 * cluster runs too. The counts (`+3 ~5 -1`) count these changes. The ownership manifest is
 * bookkeeping: it is written, but never counted or diffed.
 *
 * Also the wording the descriptions share (areas, counts, validation summary). Environments
 * are shown in the order the caller gives them (which should be stable, e.g. the
 * configuration's order). Pure and deterministic; no Markdown here (pull-request-body.ts).
 */
import { compareText } from './changeset.js';
import { unifiedDiff } from './diff.js';
import { isYamlPath, parseFile, redactSecrets, type ParsedFile } from './resources.js';
import {
  ownershipManifestPath,
  type ChangeDescription,
  type ChangeSet,
  type FieldChange,
  type ImmutableFieldChange,
  type RetiredEnvironment,
} from './types.js';

/** The environments in the caller's order, each once. */
export function displayEnvironments(environments: readonly string[]): string[] {
  return [...new Set(environments)];
}

export type Sign = '+' | '~' | '-';

export interface Area {
  /** `overlays/prod`, `base`, `argocd`, `clusters/eu-1/mlflow-monitoring`, or `.`. */
  path: string;
  /** The environment, or `shared`. */
  env: string;
}

/** One line of the summary: an object, or a file that holds none. */
export interface Entry {
  area: Area;
  sign: Sign;
  /** `StatefulSet monitoring/prometheus`, or the file's path within its area. */
  label: string;
  /** The file, relative to the area. */
  file: string;
  fields: FieldChange[];
  isResource: boolean;
  /** For a file whose objects are all unchanged: only comments or layout changed. */
  commentsOnly?: boolean;
  /** Unified diff, Secret values redacted. */
  diff: string;
}

const signs: Record<'added' | 'changed' | 'removed', Sign> = {
  added: '+',
  changed: '~',
  removed: '-',
};

function areaOf(path: string, environments: readonly string[]): Area {
  const parts = path.split('/');
  const [first = '', second = '', third = '', fourth = ''] = parts;
  const envOfFile = (file: string): string => {
    const name = file.replace(/\.ya?ml$/, '');
    return environments.includes(name) ? name : 'shared';
  };
  if (first === 'overlays' && parts.length > 2) return { path: `overlays/${second}`, env: second };
  if (first === 'clusters' && parts.length > 3) {
    return {
      path: `clusters/${second}/${third}`,
      env: parts.length === 4 ? envOfFile(fourth) : 'shared',
    };
  }
  if (first === 'argocd' && second === 'applications' && parts.length === 3) {
    return { path: 'argocd', env: envOfFile(third) };
  }
  return { path: parts.length > 1 ? first : '.', env: 'shared' };
}

function relativeTo(area: Area, path: string): string {
  return area.path === '.' ? path : path.slice(area.path.length + 1);
}

function resourceLabel(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

export function entriesOf(changeSet: ChangeSet, environments: readonly string[]): Entry[] {
  const entries: Entry[] = [];
  const covered = new Set<string>();
  for (const resource of changeSet.resources) {
    covered.add(resource.file);
    const area = areaOf(resource.file, environments);
    entries.push({
      area,
      sign: signs[resource.change],
      label: resourceLabel(resource.kind, resource.name, resource.namespace),
      file: relativeTo(area, resource.file),
      fields: resource.fields,
      isResource: true,
      diff: unifiedDiff(resource.file, resource.before, resource.after),
    });
  }
  for (const file of changeSet.files) {
    if (file.path === ownershipManifestPath || covered.has(file.path)) continue;
    const area = areaOf(file.path, environments);
    const before = file.before === undefined ? undefined : redactSecrets(file.before);
    const after = file.after === undefined ? undefined : redactSecrets(file.after);
    entries.push({
      area,
      sign: signs[file.kind],
      label: relativeTo(area, file.path),
      file: relativeTo(area, file.path),
      fields: file.fields ?? [],
      isResource: false,
      commentsOnly: sameObjects(file.path, file.before, file.after),
      diff: unifiedDiff(file.path, before, after),
    });
  }
  return entries.sort(
    (x, y) =>
      compareText(x.area.path, y.area.path) ||
      compareText(x.area.env, y.area.env) ||
      compareText(x.file, y.file) ||
      Number(y.isResource) - Number(x.isResource) ||
      compareText(x.label, y.label),
  );
}

/** Whether a changed YAML file holds the same objects, text for text, before and after. */
function sameObjects(path: string, before?: string, after?: string): boolean {
  if (before === undefined || after === undefined || !isYamlPath(path)) return false;
  const old = parseFile(before);
  const now = parseFile(after);
  if (!old || !now || now.resources.length === 0) return false;
  const texts = (file: ParsedFile): string => JSON.stringify(file.resources.map((r) => r.text));
  return texts(old) === texts(now);
}

export interface Counts {
  added: number;
  changed: number;
  removed: number;
}

export function countsOf(entries: readonly Entry[]): Counts {
  return {
    added: entries.filter((entry) => entry.sign === '+').length,
    changed: entries.filter((entry) => entry.sign === '~').length,
    removed: entries.filter((entry) => entry.sign === '-').length,
  };
}

/** `+3 ~5 -1`: objects (and object-less files) added, changed and removed. */
export function changeCounts(d: ChangeDescription): Counts {
  return countsOf(entriesOf(d.changeSet, d.environments));
}

export function countText(counts: Counts): string {
  return `+${counts.added} ~${counts.changed} -${counts.removed}`;
}

export function manifestChanged(changeSet: ChangeSet): boolean {
  return changeSet.files.some((file) => file.path === ownershipManifestPath);
}

/** Groups entries by area, in order. */
export function byArea(entries: readonly Entry[]): { area: Area; entries: Entry[] }[] {
  const groups: { area: Area; entries: Entry[] }[] = [];
  for (const entry of entries) {
    const last = groups[groups.length - 1];
    if (last && last.area.path === entry.area.path && last.area.env === entry.area.env) {
      last.entries.push(entry);
    } else groups.push({ area: entry.area, entries: [entry] });
  }
  return groups;
}

export function areaTitle(area: Area): string {
  return area.env === 'shared' ? `${area.path} (shared)` : `${area.path} (${area.env})`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `environment qa is retired: 12 files removed`, the heading of a retirement everywhere. */
export function retiredText(retired: RetiredEnvironment): string {
  return `environment ${oneLine(retired.environment)} is retired: ${plural(retired.files.length, 'file')} removed`;
}

/** `prod: StatefulSet mlflow-prod/prometheus spec.x: 50Gi → 100Gi`, one line. */
export function immutableChangeText(change: ImmutableFieldChange): string {
  const where = change.namespace === undefined ? '' : `${change.namespace}/`;
  return oneLine(
    `${change.environment}: ${change.kind} ${where}${change.name} ${change.field}: ${change.before} → ${change.after}`,
  );
}

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function validationText(d: ChangeDescription): string {
  const v = d.validation;
  return (
    `${v.errors > 0 ? '✖' : '✔'} ${plural(v.errors, 'error')}, ${plural(v.warnings, 'warning')} ` +
    `(${plural(v.resources, 'resource')}: ${v.valid} valid, ${v.invalid} invalid, ${v.skipped} skipped)`
  );
}

/** Whitespace runs (newlines included) as one space, for commit trailers and notes. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `sha256:` and the first 12 hex digits, for people; anything else unchanged. */
export function shortFingerprint(value: string): string {
  const match = /^sha256:([0-9a-f]{12})/.exec(value);
  return match?.[1] !== undefined ? `sha256:${match[1]}` : value;
}
