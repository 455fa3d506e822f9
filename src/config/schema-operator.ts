/**
 * The parts of the environment file's JSON Schema for operator mode (`mode`, `operator`, and the
 * `matchLabels`/`portName` of the MLflow and model-server targets): the environment plugs
 * MLflow's monitors, rules and dashboards into a cluster's existing Prometheus Operator
 * (kube-prometheus-stack) instead of running a stack of its own. Kept apart from schema.ts for
 * size; schema.ts assembles the whole. Which other keys operator mode accepts is decided in
 * resolve-operator.ts.
 */

const labelMap = (description: string) =>
  ({
    type: 'object',
    description,
    additionalProperties: { type: 'string' },
  }) as const;

export const modeSchema = {
  type: 'string',
  enum: ['standalone', 'operator'],
  description:
    '`standalone` (default): the environment runs its own Prometheus, Grafana, Alertmanager and exporters. `operator`: the cluster already runs the Prometheus Operator (kube-prometheus-stack); the overlay holds only ServiceMonitors (or PodMonitors), PrometheusRules, dashboard ConfigMaps for the Grafana sidecar and optionally an AlertmanagerConfig.',
} as const;

export const operatorSchema = {
  type: 'object',
  description:
    'With `mode: operator`: how the rendered custom resources are picked up by the Prometheus Operator and the Grafana sidecar.',
  additionalProperties: false,
  properties: {
    monitorKind: {
      type: 'string',
      enum: ['ServiceMonitor', 'PodMonitor'],
      description:
        "`ServiceMonitor` (default) scrapes the MLflow and model-server Services' endpoints; `PodMonitor` scrapes their pods directly (then `mlflow.matchLabels` and `modelServer.matchLabels` are required: pods have no name to select by).",
    },
    selectorLabels: labelMap(
      "Labels put on every ServiceMonitor, PodMonitor and PrometheusRule so that the Prometheus custom resource's serviceMonitorSelector, podMonitorSelector and ruleSelector pick them up. Default `{release: kube-prometheus-stack}`, what the chart's selectors require with its default release name; `{}` when the selectors are `{}`.",
    ),
    prometheus: {
      type: 'string',
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$',
      description:
        'The Prometheus custom resource (`<namespace>/<name>`) that must pick the monitors and rules up; `validate` checks its selectors when the repository holds it or `--prometheus-cr` gives it.',
    },
    dashboardLabel: labelMap(
      'Label of the dashboard ConfigMaps that the Grafana sidecar watches. Default `{grafana_dashboard: "1"}` (kube-prometheus-stack\'s sidecar.dashboards.label and labelValue).',
    ),
    dashboardFolderAnnotation: {
      type: 'string',
      minLength: 1,
      description:
        "Annotation naming the dashboards' folder for the Grafana sidecar (its `folderAnnotation`). Default `k8s-sidecar-target-directory`, the sidecar's own default; the folder becomes a Grafana folder when the chart sets `sidecar.dashboards.provider.foldersFromFilesStructure: true`.",
    },
    datasourceUid: {
      type: 'string',
      minLength: 1,
      description:
        'uid of the Prometheus datasource the dashboards query. Default `prometheus`, the uid kube-prometheus-stack provisions.',
    },
    alertmanagerConfig: {
      type: 'boolean',
      description:
        'Render an AlertmanagerConfig (monitoring.coreos.com/v1alpha1) from `alertmanager.receivers`, `routes`, `inhibitRules` and `timeIntervals`, credentials read from `alertmanager.secretName` (default false: the cluster routes the alerts).',
    },
  },
} as const;

/** `matchLabels` and `portName` of the MLflow and model-server targets. */
export const operatorTargetProperties = (what: string) =>
  ({
    matchLabels: labelMap(
      `mode: operator: labels that select the ${what} Service (ServiceMonitor) or its pods (PodMonitor). Without it, a ServiceMonitor keeps the Service by its name.`,
    ),
    portName: {
      type: 'string',
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 63,
      description: `mode: operator: name of the ${what}'s metrics port: the Service port (ServiceMonitor) or the container port (PodMonitor). Without it, the port number \`port\` is matched against the container port.`,
    },
  }) as const;
