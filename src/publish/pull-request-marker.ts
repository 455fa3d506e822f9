/**
 * The part of a pull request's body that gitops-gen owns: the hidden
 * `<!-- gitops-gen:meta {...} -->` marker (base, branch, environments, fingerprint, head) that
 * tells a pull request of ours from anyone else's, and the `gitops-gen:begin` .. `end` section
 * that an update replaces while the text humans wrote around it stays. Pure.
 */
import { displayEnvironments } from './change-entries.js';
import type { ChangeDescription } from './types.js';

/** The JSON in the pull request's hidden `<!-- gitops-gen:meta … -->` marker. */
export interface PullRequestMeta {
  v: 1;
  base: string;
  branch: string;
  envs: string[];
  fingerprint: string;
  /** The head commit of the pull-request branch, when known. */
  head?: string;
}

export const markers = {
  meta: '<!-- gitops-gen:meta ',
  begin: '<!-- gitops-gen:begin -->',
  end: '<!-- gitops-gen:end -->',
} as const;

/** The meta marker line, with `<`, `>` and `&` escaped so `-->` can never occur inside. */
export function metaMarker(d: ChangeDescription, head: string | undefined): string {
  const meta: PullRequestMeta = {
    v: 1,
    base: d.base,
    branch: d.branch,
    envs: displayEnvironments(d.environments),
    fingerprint: d.fingerprint,
  };
  if (head !== undefined) meta.head = head;
  const json = JSON.stringify(meta)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `${markers.meta}${json} -->`;
}

/** The meta marker's JSON, or undefined when the body has none (or a malformed one). */
export function parseMarker(body: string): PullRequestMeta | undefined {
  const start = body.indexOf(markers.meta);
  if (start === -1) return undefined;
  const end = body.indexOf(' -->', start + markers.meta.length);
  if (end === -1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.slice(start + markers.meta.length, end));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const meta = value as Record<string, unknown>;
  const { v, base, branch, envs, fingerprint: print, head } = meta;
  if (
    v !== 1 ||
    typeof base !== 'string' ||
    typeof branch !== 'string' ||
    !Array.isArray(envs) ||
    !envs.every((env): env is string => typeof env === 'string') ||
    typeof print !== 'string' ||
    (head !== undefined && typeof head !== 'string')
  ) {
    return undefined;
  }
  const parsed: PullRequestMeta = { v: 1, base, branch, envs, fingerprint: print };
  if (typeof head === 'string') parsed.head = head;
  return parsed;
}

/**
 * `existingBody` with its managed part (meta marker plus begin..end) replaced by `newBody`'s;
 * text humans wrote before and after it stays. CRLF line ends (bodies edited on GitHub) are
 * normalised to LF. A body without our section gets the new one on top, its text below. A begin
 * marker whose end marker was deleted counts as reaching to the end of the body.
 */
export function replaceManagedSection(existingBody: string, newBody: string): string {
  const managed = managedPart(newBody.replace(/\r\n/g, '\n'));
  if (!managed) throw new Error('the new pull-request body has no gitops-gen section');
  const existing = existingBody.replace(/\r\n/g, '\n');
  const begin = existing.indexOf(markers.begin);
  if (begin === -1) {
    const rest = removeMeta(existing).trim();
    return rest === '' ? managed.text : `${managed.text}\n${rest}\n`;
  }
  const endIndex = existing.indexOf(markers.end, begin);
  const after =
    endIndex === -1 ? '' : existing.slice(endIndex + markers.end.length).replace(/^\n/, '');
  const before = removeMeta(existing.slice(0, begin));
  return `${before}${managed.text}${after}`;
}

function removeMeta(text: string): string {
  return text.replace(/<!-- gitops-gen:meta [^\n]*? -->\n?/g, '');
}

/** The meta marker line through the end marker line of a body we produced. */
function managedPart(body: string): { text: string } | undefined {
  const meta = body.indexOf(markers.meta);
  const begin = body.indexOf(markers.begin);
  const end = body.indexOf(markers.end, begin);
  if (begin === -1 || end === -1) return undefined;
  const start = meta !== -1 && meta < begin ? meta : begin;
  return { text: `${body.slice(start, end + markers.end.length)}\n` };
}
