/**
 * Large manifest files are read a block at a time and checked in one pass: the documents, their
 * lines and every cross-check come out as if the file had been read whole.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/random.js';
import { validate, type Finding } from '../../src/index.js';
import { splitDocumentStream, splitDocuments } from '../../src/kube-yaml.js';
import { tempDir } from '../helpers/temp.js';

function blocksOf(text: string, size: number): string[] {
  const blocks: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    blocks.push(text.slice(start, start + size));
  }
  return blocks;
}

describe('splitDocumentStream', () => {
  const lines = ['---', '--- ', '...', '... ', '# note', 'a: 1', 'b: |', '  ---', '----', '--- |'];
  const next = seededRandom(20261125);
  const texts = [
    '',
    '\n',
    '# only a comment\n',
    'a: 1\n---\nb: 2\n',
    '--- |\n  text\n---\nc: 3',
    'a: 1\r\n--- \r\nb: 2\r\n...\r\n',
    ...Array.from({ length: 400 }, () => {
      const count = Math.floor(next() * 10);
      const picked = Array.from({ length: count }, () => lines[Math.floor(next() * lines.length)]);
      return picked.join('\n') + (next() < 0.5 ? '\n' : '');
    }),
  ];

  it('splits any text into the same documents and lines, whatever the block size', () => {
    for (const text of texts) {
      const whole = splitDocuments(text);
      for (const size of [1, 2, 3, 7, 64]) {
        expect([...splitDocumentStream(blocksOf(text, size))], JSON.stringify(text)).toEqual(whole);
      }
    }
  });
});

const configMap = (name: string, data: Record<string, string>): string =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    '  namespace: monitoring',
    'data:',
    ...Object.entries(data).flatMap(([key, value]) => [
      `  ${key}: |`,
      ...value.split('\n').map((line) => `    ${line}`),
    ]),
  ].join('\n');

async function validateText(text: string): Promise<Finding[]> {
  const dir = await tempDir();
  const file = join(dir, 'manifests.yaml');
  await writeFile(file, text);
  const report = await validate({ paths: [file], displayRoot: dir, promtool: 'never' });
  return report.findings;
}

const dashboard = (uid: string): string =>
  JSON.stringify({
    uid: 'mlflow',
    title: 'MLflow',
    panels: [
      {
        id: 1,
        type: 'timeseries',
        title: 'up',
        datasource: { type: 'prometheus', uid },
        targets: [{ refId: 'A', expr: 'up{job="mlflow"}' }],
      },
    ],
  });

const datasources = [
  'apiVersion: 1',
  'datasources:',
  '  - name: Prometheus',
  '    type: prometheus',
  '    uid: prometheus',
  '    url: http://prometheus:9090',
].join('\n');

describe('a file larger than a block', () => {
  it('locates findings and duplicates by their real lines', async () => {
    // Nearly 3 MiB: the broken and the duplicate objects lie blocks after the first.
    const documents = Array.from({ length: 20_000 }, (_, index) =>
      configMap(`settings-${index}`, { 'app.properties': `index=${index}\nmode=fast` }),
    );
    documents.push(configMap('settings-5', { 'app.properties': 'again' }));
    documents.push(
      ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: Bad_Name'].join('\n'),
    );
    const text = documents.join('\n---\n');
    expect(text.length).toBeGreaterThan(2.5 * 2 ** 20);
    const findings = await validateText(text);
    const lineOf = (needle: string): number =>
      text.slice(0, text.indexOf(needle)).split('\n').length;
    const duplicate = findings.find((finding) => finding.code === 'api/duplicate-object');
    expect(duplicate).toMatchObject({
      document: 20_000,
      line: lineOf(
        'name: settings-5\n  namespace: monitoring\ndata:\n  app.properties: |\n    again',
      ),
    });
    expect(duplicate?.message).toContain('document 6');
    const badName = findings.find((finding) => finding.document === 20_001);
    expect(badName).toMatchObject({ document: 20_001, line: lineOf('name: Bad_Name') });
  });
});

describe('cross-checks that look ahead in the file', () => {
  it('a dashboard before the datasources it names is accepted; an unknown uid is not', async () => {
    const good = await validateText(
      [
        configMap('grafana-dashboards', { 'mlflow.json': dashboard('prometheus') }),
        configMap('grafana-datasources', { 'datasources.yaml': datasources }),
      ].join('\n---\n'),
    );
    expect(good.filter((finding) => finding.code.startsWith('grafana/'))).toEqual([]);
    const bad = await validateText(
      [
        configMap('grafana-dashboards', { 'mlflow.json': dashboard('thanos') }),
        configMap('grafana-datasources', { 'datasources.yaml': datasources }),
      ].join('\n---\n'),
    );
    expect(bad.filter((finding) => finding.code === 'grafana/unknown-datasource')).toEqual([
      expect.objectContaining({
        document: 0,
        path: 'data["mlflow.json"].panels[0].datasource.uid',
        hint: 'provisioned datasource uids: prometheus',
      }),
    ]);
  });

  it('alert rules before the scrape configuration are checked against its jobs', async () => {
    const rules = (job: string): string =>
      [
        'groups:',
        '  - name: mlflow',
        '    rules:',
        '      - alert: MlflowDown',
        `        expr: up{job="${job}"} == 0`,
        '        for: 5m',
        '        labels: { severity: critical }',
        '        annotations: { summary: down, description: down }',
      ].join('\n');
    const scrape = [
      'global: { scrape_interval: 30s }',
      'scrape_configs:',
      '  - job_name: mlflow',
      '    static_configs: [{ targets: ["mlflow:5000"] }]',
    ].join('\n');
    const run = (job: string): Promise<Finding[]> =>
      validateText(
        [
          configMap('rules', { 'alert-rules.yml': rules(job) }),
          configMap('prometheus', { 'prometheus.yml': scrape }),
        ].join('\n---\n'),
      );
    const unknown = (await run('mlfow')).filter((finding) => finding.code.startsWith('catalogue/'));
    expect(unknown).toEqual([
      expect.objectContaining({ code: 'catalogue/unknown-job', severity: 'error', document: 0 }),
    ]);
    expect(
      (await run('mlflow')).filter((finding) => finding.code.startsWith('catalogue/')),
    ).toEqual([]);
  });
});
