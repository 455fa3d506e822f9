/** A valid team rule file (alerting and recording rules) and its promtool test, for the tests. */

export const validRules = [
  'groups:',
  '  - name: team.rules',
  '    rules:',
  '      - record: job:http_requests:rate5m',
  '        expr: sum by (job) (rate(http_requests_total{job="mlflow-server"}[5m]))',
  '      - alert: TeamHighErrorRate',
  '        expr: sum(rate(http_requests_total{job="mlflow-server", status=~"5.."}[5m])) > 1',
  '        for: 10m',
  '        keep_firing_for: 5m',
  '        labels: { severity: warning, team: mlops }',
  '        annotations:',
  '          summary: MLflow answers with errors',
  '          description: "{{ $value }} errors per second on {{ $labels.job }}"',
  '',
].join('\n');

export const validTest = [
  'rule_files: [team.yaml]',
  'evaluation_interval: 1m',
  'tests:',
  '  - interval: 1m',
  '    input_series:',
  '      - series: \'http_requests_total{job="mlflow-server", status="500"}\'',
  "        values: '0+120x30'",
  '    alert_rule_test:',
  '      - eval_time: 20m',
  '        alertname: TeamHighErrorRate',
  '        exp_alerts:',
  '          - exp_labels: { severity: warning, team: mlops }',
  '            exp_annotations:',
  '              summary: MLflow answers with errors',
  '              description: "2 errors per second on "',
  '',
].join('\n');
