/**
 * The vocabulary every check speaks: a finding (one problem, with a stable code, a severity and
 * the most precise location the input allows) and the object it is about. Shared by the engines
 * (kustomize, prometheus, grafana), which produce findings, and the validate stage, which
 * collects them into a report; it must not know about either. Pure.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Which object a finding is about, as `kind/namespace/name` tools print it. */
export interface ResourceId {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface Finding {
  /** Stable code such as `schema/unknown-field` or `policy/image-tag-pinned`. */
  code: string;
  severity: Severity;
  /** One sentence. */
  message: string;
  file?: string;
  /** 0-based index of the YAML document in its file. */
  document?: number;
  line?: number;
  column?: number;
  /** Path inside the object, e.g. `spec.template.spec.containers[0].resorces`. */
  path?: string;
  resource?: ResourceId;
  hint?: string;
}

/** `spec.containers[0].name` from `['spec', 'containers', 0, 'name']`. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
