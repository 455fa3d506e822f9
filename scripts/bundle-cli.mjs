// Build step after tsc: bundles the CLI into dist/cli/bundle.cjs, one CommonJS file that
// bin/gitops-gen.js runs through V8's code cache (Node 20 has no compile cache for ES modules,
// and compiling our code and its dependencies is most of a cold start). Then runs the bundle once
// on the built-in environments (render, then validate) so that the cache it writes holds the
// functions those commands use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const start = performance.now();
const root = join(import.meta.dirname, '..');
await build({
  entryPoints: [join(root, 'dist', 'cli', 'index.js')],
  outfile: join(root, 'dist', 'cli', 'bundle.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The bundle sits where dist/cli/index.js does, so URLs relative to a module still resolve.
  define: { 'import.meta.url': '__gitopsGenModuleUrl' },
  banner: {
    js: "const __gitopsGenModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  logLevel: 'warning',
});
const work = mkdtempSync(join(tmpdir(), 'gitops-gen-warm-'));
try {
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { loadCli } from ${JSON.stringify(join(root, 'bin', 'cli-loader.js'))};
       const cli = loadCli();
       // Errors still show; the render's warnings about the built-in tree (the prod NodePort)
       // are for the user's own render, not for the build.
       const io = { stdout: () => {}, stderr: (text) => { if (!text.startsWith('warning: ')) process.stderr.write(text); }, cwd: ${JSON.stringify(work)} };
       await cli.run(['render', '--out', '.'], io);
       await cli.run(['validate', '--promtool', 'never'], io);
       cli.saveCache();`,
    ],
    { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] },
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(
  `bundle-cli: dist/cli/bundle.cjs and its code cache, ${Math.round(performance.now() - start)} ms`,
);
