/**
 * Integration: the rendered Alertmanager configuration, checked and routed by the real
 * `amtool` (CI installs it with `apt-get install prometheus-alertmanager`), and its wiring into
 * the overlay: the credentials come from the environment's Secret as files, never as text.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEnvironments } from '../helpers/render.js';
import { missingToolMessage, runTool, type ToolResult } from '../helpers/tools.js';
import { kustomizeBuild } from '../helpers/kubectl.js';

const amtool = (args: string[], cwd: string): Promise<ToolResult> => runTool('amtool', args, cwd);

const environments: Record<string, string> = {
  dev: '',
  staging: '',
  prod: '',
  // Every receiver kind, critical alerts elsewhere, and a gossip cluster of three.
  team: [
    'tier: prod',
    'alertmanager:',
    '  replicas: 3',
    '  secretName: team-alerting',
    '  receivers:',
    '    - { name: chat, type: slack, channel: "#ml-team", apiUrlKey: slack-url }',
    '    - { name: pager, type: pagerduty, routingKeyKey: pd-key }',
    '    - { name: hook, type: webhook, url: "https://hooks.example.com/ml", bearerTokenKey: hook-token }',
    '    - name: mail',
    '      type: email',
    '      to: mlops@example.com',
    '      from: alertmanager@example.com',
    '      smarthost: smtp.example.com:587',
    '      authUsername: alertmanager',
    '      authPasswordKey: smtp-password',
    '  criticalReceiver: pager',
    '',
  ].join('\n'),
  quiet: 'tier: staging\nalertmanager: { enabled: false }\n',
};

let root: string;

beforeAll(async () => {
  const version = await amtool(['--version'], process.cwd());
  if (version.code !== 0) throw new Error(`${missingToolMessage('amtool')}\n${version.output}`);
  root = await renderEnvironments(environments, 'gitops-gen-amtool-');
});

const configFile = (name: string): string =>
  join(root, 'overlays', name, 'alertmanager', 'alertmanager.yml');

describe.each(['staging', 'prod', 'team'])('Alertmanager of %s', (name) => {
  it('passes amtool check-config', async () => {
    const result = await amtool(['check-config', configFile(name)], root);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('holds no credential: every receiver reads its secret from a file of the Secret', async () => {
    const text = await readFile(configFile(name), 'utf8');
    expect(text).not.toMatch(
      /hooks\.slack\.com|routing_key:|api_url:|service_key:|credentials:|auth_password:/,
    );
    const files = [...text.matchAll(/_file: (\S+)/g)].map((match) => match[1] ?? '');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file).toMatch(/^\/etc\/alertmanager\/secrets\/[-._\w]+$/);
  });

  it('is wired into the overlay: ConfigMap, Secret volume and Prometheus', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', name));
    const statefulSet = objects.find(
      (object) => object.kind === 'StatefulSet' && object.metadata.name === 'alertmanager',
    );
    const text = JSON.stringify(statefulSet);
    // The generated ConfigMap's hashed name: a config change rolls the pods.
    expect(text).toMatch(/"name":"alertmanager-config-[a-z0-9]+"/);
    const secret = name === 'team' ? 'team-alerting' : 'alertmanager-receivers';
    expect(text).toContain(`"secretName":"${secret}"`);
    const prometheusConfig = objects.find(
      (object) =>
        object.kind === 'ConfigMap' && object.metadata.name.startsWith('prometheus-config'),
    );
    const prometheusYaml = parse(
      String((prometheusConfig as { data?: Record<string, string> }).data?.['prometheus.yml']),
    ) as { alerting: { alertmanagers?: unknown[] } };
    expect(prometheusYaml.alerting.alertmanagers).toHaveLength(1);
  });
});

describe('routing', () => {
  async function receiverOf(name: string, labels: string[]): Promise<string> {
    const result = await amtool(
      ['config', 'routes', 'test', `--config.file=${configFile(name)}`, ...labels],
      root,
    );
    expect(result.code, result.output).toBe(0);
    // amtool also warns on stderr that the flag overrides its own config file: the receiver
    // is the first line.
    return result.output.split('\n')[0]?.trim() ?? '';
  }

  it('sends critical alerts to the critical receiver and the rest to the first', async () => {
    expect(await receiverOf('team', ['alertname=MLflowServerDown', 'severity=critical'])).toBe(
      'pager',
    );
    expect(await receiverOf('team', ['alertname=HighCPUUsage', 'severity=warning'])).toBe('chat');
    expect(await receiverOf('prod', ['alertname=ModelServerDown', 'severity=critical'])).toBe(
      'default',
    );
  });
});

describe('without Alertmanager', () => {
  it.each(['dev', 'quiet'])('%s renders none and Prometheus notifies nobody', async (name) => {
    const objects = await kustomizeBuild(join(root, 'overlays', name));
    expect(objects.some((object) => object.metadata.name.startsWith('alertmanager'))).toBe(false);
    const prometheusYaml = await readFile(
      join(root, 'overlays', name, 'prometheus', 'prometheus.yml'),
      'utf8',
    );
    expect(prometheusYaml).not.toContain('alertmanagers');
  });
});

describe('HA Alertmanager', () => {
  it('joins its replicas through the headless Service and has a disruption budget', async () => {
    const objects = await kustomizeBuild(join(root, 'overlays', 'team'));
    const args = JSON.stringify(
      objects.find(
        (object) => object.kind === 'StatefulSet' && object.metadata.name === 'alertmanager',
      ),
    );
    for (const index of [0, 1, 2]) {
      expect(args).toContain(
        `--cluster.peer=alertmanager-${index}.alertmanager-cluster.mlflow-team.svc:9094`,
      );
    }
    expect(
      objects.some(
        (object) =>
          object.kind === 'PodDisruptionBudget' && object.metadata.name === 'alertmanager',
      ),
    ).toBe(true);
  });
});

describe('amtool really checks', () => {
  it('rejects a receiver with a plaintext field Alertmanager does not know', async () => {
    const file = join(root, 'broken-alertmanager.yml');
    await writeFile(
      file,
      'route: { receiver: a }\nreceivers: [{ name: a, webhook_configs: [{ url_fle: x }] }]\n',
      'utf8',
    );
    const result = await amtool(['check-config', file], root);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('url_fle');
  });
});
