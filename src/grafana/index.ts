/**
 * Grafana engine: checks of Grafana material, dashboards (uid, panel ids, datasource
 * references, PromQL of every Prometheus query after variable interpolation), datasource
 * provisioning files and variables, and the size of the ConfigMaps that carry them. Pure
 * functions returning `Finding[]` with codes `grafana/...` (PromQL problems in queries keep
 * their `promql/...` codes, from the prometheus engine). It must not import a stage (config,
 * stack, render, validate, publish, cli), read files or start a process.
 */
export {
  checkDashboard,
  maxUidLength,
  referencedDatasourceUids,
  uidPattern,
  type DashboardCheckOptions,
} from './dashboard.js';
export { checkDatasources, datasourceNamesOf, datasourceUidsOf } from './datasources.js';
export {
  checkConfigMapSize,
  configMapDataBytes,
  maxAnnotationBytes,
  maxConfigMapBytes,
} from './configmap.js';
export {
  substituteVariables,
  isBuiltinVariable,
  type DashboardVariable,
  type Substitution,
} from './variables.js';
export { loadJsonSource, type LoadedJson } from './json-source.js';
export { resolveDatasourceInputs, type DatasourceTarget, type ResolvedInputs } from './inputs.js';
