/**
 * Size limits of the ConfigMaps that carry dashboards (and other config files): the API server
 * refuses a ConfigMap whose data exceeds 1 MiB, and client-side `kubectl apply` fails much
 * earlier, because it copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation and annotations are limited to
 * 256 KiB in total. Pure.
 */
import type { Finding } from '../findings.js';
import { FindingCollector, type FindingSource, type ObjectPath } from '../prometheus/source.js';

/** The API server's limit on a ConfigMap's data (`data` plus `binaryData`). */
export const maxConfigMapBytes = 1_048_576;
/** The total size limit of an object's annotations, which client-side apply fills. */
export const maxAnnotationBytes = 262_144;

/** Bytes Kubernetes counts for a ConfigMap: every key plus every value, as UTF-8. */
export function configMapDataBytes(
  data: Readonly<Record<string, string>> = {},
  binaryData: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const [key, value] of Object.entries(data))
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  // binaryData values are base64 in YAML; the limit applies to the decoded bytes.
  for (const [key, value] of Object.entries(binaryData))
    total += Buffer.byteLength(key) + Buffer.from(value, 'base64').length;
  return total;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(2)} MiB`;
}

/** Findings for a ConfigMap of `bytes` data bytes (see `configMapDataBytes`). */
export function checkConfigMapSize(
  bytes: number,
  source: FindingSource,
  options: { name?: string; path?: ObjectPath } = {},
): Finding[] {
  const out = new FindingCollector(source);
  const what = options.name ? `ConfigMap ${options.name}` : 'the ConfigMap';
  const path = options.path ?? ['data'];
  if (bytes > maxConfigMapBytes)
    out.add({
      code: 'grafana/configmap-too-large',
      message: `${what} holds ${bytes} bytes (${mebibytes(bytes)}) of data; the API server refuses ConfigMaps above ${maxConfigMapBytes} bytes (1 MiB)`,
      path,
      hint: 'split the dashboards over several ConfigMaps (one per dashboard) or shrink them',
    });
  else if (bytes > maxAnnotationBytes)
    out.add({
      code: 'grafana/configmap-too-large-for-client-side-apply',
      severity: 'warning',
      message: `${what} holds ${bytes} bytes of data; client-side \`kubectl apply\` copies it into the last-applied-configuration annotation, which is limited to ${maxAnnotationBytes} bytes, and fails`,
      path,
      hint: 'apply with `kubectl apply --server-side` (Argo CD: ServerSideApply=true; Flux applies server-side already) or split the ConfigMap',
    });
  return out.findings;
}
