// Validate benchmark: throughput on a generated corpus, the cost over bare YAML parsing and
// peak memory (bench/cold-bench.js times cold starts).
// Usage: npm run bench   (or node bench/validate-bench.js --resources 18200 --runs 5)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import jsYaml from 'js-yaml';
import { parseAllDocuments, stringify } from 'yaml';
import { validate } from '../dist/index.js';
import { kubernetesSchema } from '../dist/kube-yaml.js';

const { values } = parseArgs({
  options: {
    // The issue asks for at least 18,000 resources; the overlays are copied until there are.
    resources: { type: 'string', default: '18200' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'gitops-gen-bench-'));
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

// Corpus: every object of the three rendered overlays, renamed `copies` times.
const objects = ['dev', 'staging', 'prod'].flatMap((environment) =>
  parseAllDocuments(
    execFileSync('kubectl', ['kustomize', join(root, 'overlays', environment)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  ).map((document) => document.toJS()),
);
const copies = Math.ceil(Number(values.resources) / objects.length);
const documents = [];
for (let copy = 0; copy < copies; copy++) {
  for (const object of objects) {
    const clone = structuredClone(object);
    clone.metadata.name = `${clone.metadata.name}-${copy}`;
    documents.push(stringify(clone, { version: '1.1', lineWidth: 0 }));
  }
}
const corpus = documents.join('---\n');
const corpusFile = join(work, 'corpus.yaml');
writeFileSync(corpusFile, corpus);
console.log(`corpus: ${documents.length} resources, ${(corpus.length / 2 ** 20).toFixed(1)} MiB`);

// Bare parsing of the same bytes with the YAML parser validate uses (js-yaml, Kubernetes'
// YAML 1.1 scalars), so the ratio is what validation adds on top of reading.
const parseTimes = [];
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  jsYaml.loadAll(corpus, undefined, { schema: kubernetesSchema });
  parseTimes.push(performance.now() - start);
}
const validateTimes = [];
let summary;
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  const report = await validate({ paths: [corpusFile] });
  validateTimes.push(performance.now() - start);
  summary = report.summary;
}
const parseMs = median(parseTimes);
const validateMs = median(validateTimes);
console.log(
  `validated: ${summary.resources} resources, ${summary.errors} errors, ${summary.warnings} warnings`,
);
console.log(`bare YAML parse: ${parseMs.toFixed(0)} ms (median of ${runs})`);
console.log(
  `validate: ${validateMs.toFixed(0)} ms (median of ${runs}), ${Math.round((summary.resources / validateMs) * 1000)} resources/s (goal >= 10000)`,
);
console.log(`validate / parse: ${(validateMs / parseMs).toFixed(2)} (goal <= 2.0)`);
// Peak memory of `gitops-gen validate` on the corpus, in a process of its own (the CLI loads
// only the validate stage).
const memory = spawnSync(
  'node',
  [
    '--input-type=module',
    '-e',
    `import { run } from ${JSON.stringify(join(root, 'dist', 'cli', 'index.js'))};
     const code = await run([${JSON.stringify('validate')}, ${JSON.stringify(corpusFile)}, '-o', 'json'],
       { stdout: () => {}, stderr: (text) => process.stderr.write(text), cwd: process.cwd() });
     console.log(code === 0 ? process.resourceUsage().maxRSS : 'failed');`,
  ],
  { encoding: 'utf8' },
);
console.log(`peak RSS of validate: ${(Number(memory.stdout) / 1024).toFixed(0)} MB (goal < 150)`);

// A 50 MB one-line manifest: one document over the 1.5 MiB Kubernetes stores, refused from its
// size as it streams by, never parsed (it once took 80 s and 1.8 GiB before being refused).
const hugeFile = join(work, 'huge.yaml');
writeFileSync(
  hugeFile,
  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"${'a'.repeat(50 * 2 ** 20)}"}}\n`,
);
const huge = spawnSync(
  'node',
  [
    '--input-type=module',
    '-e',
    `import { run } from ${JSON.stringify(join(root, 'dist', 'cli', 'index.js'))};
     const start = performance.now();
     let out = '';
     const code = await run(['validate', ${JSON.stringify(hugeFile)}, '-o', 'json', '--promtool', 'never'],
       { stdout: (text) => { out += text; }, stderr: (text) => process.stderr.write(text), cwd: process.cwd() });
     const refused = code === 1 && out.includes('input/object-too-large');
     console.log(refused ? \`\${(performance.now() - start).toFixed(0)} \${process.resourceUsage().maxRSS}\` : 'failed');`,
  ],
  { encoding: 'utf8' },
);
const [hugeMs, hugeRss] = huge.stdout.trim().split(' ');
console.log(
  `50 MB one-line manifest refused in ${hugeMs} ms, peak RSS ${(Number(hugeRss) / 1024).toFixed(0)} MB (goal < 2 s, < 150 MB)`,
);

rmSync(work, { recursive: true, force: true });
