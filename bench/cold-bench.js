// Cold-start benchmark: wall time of new `gitops-gen` processes, from a small process of its own
// (a parent holding a large heap makes every spawn slower). Prints the cold `gitops-gen
// validate` of the rendered tree, and render + validate of the three default environments next
// to `kubectl kustomize` of the same three overlays.
// Usage: npm run bench   (or node bench/cold-bench.js --runs 9)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'gitops-gen.js');
const work = mkdtempSync(join(tmpdir(), 'gitops-gen-cold-'));
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

// Cold CLI: a new process running `gitops-gen validate` on the repository's rendered tree (its
// default paths: overlays/ and argocd/), promtool included.
const time = (command, args, options = {}) => {
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  return { ms: performance.now() - start, status: result.status, stdout: result.stdout };
};
const cold = Array.from({ length: runs }, () => time('node', [cli, 'validate'], { cwd: root }));
console.log(
  `cold gitops-gen validate of the rendered tree: ${median(cold.map((result) => result.ms)).toFixed(0)} ms median (goal < 250), exit ${cold[0].status}: ${cold[0].stdout.trim().split('\n').at(-1)}`,
);

// Render + validate of the three default environments vs kubectl kustomize of the same overlays.
const ours = [];
const theirs = [];
for (let run = 0; run < runs; run++) {
  const out = join(work, `tree-${run}`);
  ours.push(
    time('node', [cli, 'render', '--out', out], { cwd: work }).ms +
      time('node', [cli, 'validate'], { cwd: out }).ms,
  );
  theirs.push(
    ['dev', 'staging', 'prod'].reduce(
      (sum, environment) =>
        sum + time('kubectl', ['kustomize', join(root, 'overlays', environment)]).ms,
      0,
    ),
  );
}
console.log(
  `render + validate (3 environments): ${median(ours).toFixed(0)} ms; kubectl kustomize of the 3 overlays: ${median(theirs).toFixed(0)} ms (goal: ours faster)`,
);
rmSync(work, { recursive: true, force: true });
