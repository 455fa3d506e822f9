/**
 * Resolves the import placeholders of an exported dashboard. Grafana's "Export for sharing
 * externally" lists the datasources under `__inputs` ({name: "DS_PROMETHEUS", type:
 * "datasource", pluginId: "prometheus"}) and writes `${DS_PROMETHEUS}` wherever the dashboard
 * names one; only the UI import replaces them, file provisioning does not, so a provisioned
 * export finds no datasource. Here every placeholder of a Prometheus input, in a `datasource`
 * reference (string or {type, uid}), becomes the provisioned datasource. Inputs of other
 * plugins are left as they are: `checkDashboard` then reports them. Pure; the input is not
 * modified.
 */
import { isRecord } from '../prometheus/source.js';

export interface DatasourceTarget {
  type: string;
  uid: string;
}

export interface ResolvedInputs {
  /** The dashboard with placeholders replaced (a copy). */
  model: Record<string, unknown>;
  /** Placeholders replaced, e.g. `${DS_PROMETHEUS}`, sorted. */
  replaced: string[];
}

/** `${DS_PROMETHEUS}` for each datasource input of the given plugin. */
function placeholdersOf(dashboard: Record<string, unknown>, pluginId: string): Set<string> {
  const inputs = Array.isArray(dashboard.__inputs) ? (dashboard.__inputs as unknown[]) : [];
  const placeholders = new Set<string>();
  for (const input of inputs) {
    if (!isRecord(input) || input.type !== 'datasource' || input.pluginId !== pluginId) continue;
    if (typeof input.name === 'string' && input.name !== '') placeholders.add(`\${${input.name}}`);
  }
  return placeholders;
}

/** Replaces the Prometheus datasource inputs of an exported dashboard with `target`. */
export function resolveDatasourceInputs(
  dashboard: Record<string, unknown>,
  target: DatasourceTarget,
): ResolvedInputs {
  const placeholders = placeholdersOf(dashboard, target.type);
  const replaced = new Set<string>();
  const reference = (value: unknown): unknown => {
    if (typeof value === 'string' && placeholders.has(value)) {
      replaced.add(value);
      // A string reference is a name to Grafana's migration; the object form names the uid.
      return { type: target.type, uid: target.uid };
    }
    if (isRecord(value) && typeof value.uid === 'string' && placeholders.has(value.uid)) {
      replaced.add(value.uid);
      return { ...value, type: target.type, uid: target.uid };
    }
    return copy(value);
  };
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      out[key] = key === 'datasource' ? reference(child) : copy(child);
    return out;
  };
  const model = copy(dashboard) as Record<string, unknown>;
  const inputs = Array.isArray(model.__inputs) ? (model.__inputs as unknown[]) : undefined;
  if (inputs) {
    // Prometheus inputs are resolved (used or not); others stay for the check to name.
    const left = inputs.filter(
      (input) =>
        !(
          isRecord(input) &&
          typeof input.name === 'string' &&
          placeholders.has(`\${${input.name}}`)
        ),
    );
    if (left.length === 0) delete model.__inputs;
    else model.__inputs = left;
  }
  return { model, replaced: [...replaced].sort() };
}
