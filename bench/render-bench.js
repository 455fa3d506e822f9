// Render benchmark: loads and renders N environments in memory and prints wall time and heap.
// Usage: npm run bench [-- --environments 50 --rounds 20]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { resolveEnvironmentSources, renderTree } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    environments: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '20' },
  },
});
const count = Number(values.environments);
const rounds = Number(values.rounds);
const tiers = ['dev', 'staging', 'prod'];
const sources = Array.from({ length: count }, (_, index) => ({
  file: `env-${index}.yaml`,
  name: `env-${index}`,
  text: `tier: ${tiers[index % 3]}\nnamespace: mlflow-env-${index}\n`,
}));

const timings = [];
let files = 0;
let bytes = 0;
for (let round = 0; round < rounds; round++) {
  const start = performance.now();
  const tree = renderTree(resolveEnvironmentSources(sources));
  timings.push(performance.now() - start);
  files = tree.size;
  bytes = [...tree.values()].reduce((sum, text) => sum + text.length, 0);
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)];
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
console.log(`environments: ${count}, rounds: ${rounds}`);
console.log(`files: ${files}, bytes: ${bytes}`);
console.log(
  `render median: ${median.toFixed(1)} ms, min: ${timings[0].toFixed(1)} ms, max: ${timings.at(-1).toFixed(1)} ms`,
);
console.log(`per environment: ${(median / count).toFixed(2)} ms`);
console.log(`heap used: ${heapMiB.toFixed(1)} MiB`);
