/**
 * The built-in content checkers: what Prometheus and Grafana will read out of ConfigMaps and
 * PrometheusRules, checked by the prometheus/ and grafana/ modules. Pure.
 */
import { checkConfigMapSize, checkDashboard, checkDatasources } from '../grafana/index.js';
import type { ContentCheckers } from './pipeline.js';
import { checkPrometheusConfig, checkRuleGroups } from '../prometheus/index.js';

export const builtInContentCheckers: ContentCheckers = {
  prometheusConfig: (config, source) => checkPrometheusConfig(config, source),
  ruleGroups: (groups, source) => checkRuleGroups(groups, source),
  dashboard: (dashboard, source, options) => checkDashboard(dashboard, source, options),
  datasources: (provisioning, source) => checkDatasources(provisioning, source),
  configMapSize: (bytes, source) => checkConfigMapSize(bytes, source),
};
