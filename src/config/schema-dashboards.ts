/**
 * The parts of the environment file's JSON Schema about the team's own Grafana dashboards:
 * `grafana.additionalDashboards` (dashboard JSON files, provisioned beside ours) and
 * `grafana.dashboardFolder` (the Grafana folder they land in). Kept apart from schema.ts only for
 * size; schema.ts assembles the whole.
 */

/** `grafana.additionalDashboards`: the team's dashboard JSON files. */
export const additionalDashboardsSchema = {
  type: 'array',
  description:
    "Paths or globs (relative to the environments folder) of Grafana dashboard JSON files, provisioned in their own ConfigMaps (split when large) through a second dashboard provider. Exported dashboards' `${DS_...}` Prometheus inputs are pointed at the provisioned datasource; each dashboard is checked like ours (uid, title, panels, datasources, PromQL). The file name becomes the ConfigMap key: letters, digits, `-`, `_` and `.`, ending in .json, unique.",
  items: { type: 'string', minLength: 1 },
} as const;

/** `grafana.dashboardFolder`: the Grafana folder of the team's dashboards. */
export const dashboardFolderSchema = {
  type: 'string',
  minLength: 1,
  // Grafana refuses an empty folder title (folder.ErrFolderTitleEmpty); blanks are as empty.
  pattern: '\\S',
  description:
    'Grafana folder of the dashboards in `grafana.additionalDashboards`; default MLflow, the folder of ours.',
} as const;
