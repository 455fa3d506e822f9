/**
 * Dashboard JSON files for the tests of `grafana.additionalDashboards`: one exported "for
 * sharing externally" (with `__inputs` and `${DS_PROMETHEUS}`, a legacy string reference
 * included, as Grafana writes them) and one that names the provisioned uid directly.
 */

export const exportedDashboard = `{
  "__inputs": [
    {
      "name": "DS_PROMETHEUS",
      "label": "Prometheus",
      "description": "",
      "type": "datasource",
      "pluginId": "prometheus",
      "pluginName": "Prometheus"
    }
  ],
  "__requires": [
    { "type": "grafana", "id": "grafana", "name": "Grafana", "version": "11.0.0" },
    { "type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0" }
  ],
  "id": 42,
  "uid": "team-exported",
  "title": "Team exported",
  "schemaVersion": 39,
  "templating": {
    "list": [
      {
        "name": "job",
        "type": "query",
        "datasource": { "type": "prometheus", "uid": "\${DS_PROMETHEUS}" },
        "query": "label_values(up, job)",
        "current": { "text": "prometheus", "value": "prometheus" }
      }
    ]
  },
  "panels": [
    {
      "id": 1,
      "type": "timeseries",
      "title": "Requests by job",
      "datasource": { "type": "prometheus", "uid": "\${DS_PROMETHEUS}" },
      "targets": [
        {
          "refId": "A",
          "datasource": { "type": "prometheus", "uid": "\${DS_PROMETHEUS}" },
          "expr": "sum by (job) (rate(prometheus_http_requests_total{job=~\\"$job\\"}[5m]))"
        }
      ]
    },
    {
      "id": 2,
      "type": "stat",
      "title": "Targets up",
      "datasource": "\${DS_PROMETHEUS}",
      "targets": [{ "refId": "A", "expr": "sum(up)" }]
    }
  ]
}
`;

export const plainDashboard = `{
  "uid": "team-plain",
  "title": "Team plain",
  "schemaVersion": 39,
  "panels": [
    {
      "id": 1,
      "type": "stat",
      "title": "Prometheus up",
      "datasource": { "type": "prometheus", "uid": "prometheus" },
      "targets": [
        {
          "refId": "A",
          "datasource": { "type": "prometheus", "uid": "prometheus" },
          "expr": "up{job=\\"prometheus\\"}"
        }
      ]
    }
  ]
}
`;
