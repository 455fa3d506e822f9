#!/usr/bin/env node
// Build step: brings the npm packages that generate-schemas.mjs reads the CRD schemas from
// into generated/schema-packages/node_modules, as tarballs unpacked (`npm pack`), not
// installed. Their type declarations are all the build reads; their code never runs. They are
// not devDependencies because their current releases declare `engines: node >= 22` (for code
// we never run), and installing them on Node 20 would print engine warnings on every `npm ci`.
//
// Versions are pinned here (together: the CRD packages share @kubernetes-models/base and
// apimachinery), so the generated schemas are the same on every machine. npm's cache makes a
// second run offline. Usage: node scripts/fetch-schema-packages.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const schemaPackages = {
  '@kubernetes-models/argo-cd': '4.0.0',
  '@kubernetes-models/external-secrets': '2.0.0',
  '@kubernetes-models/flux-cd': '4.0.0',
  '@kubernetes-models/prometheus-operator': '6.0.0',
  '@kubernetes-models/sealed-secrets': '6.0.0',
  // What their declarations import, and the Quantity types of the built-in kinds.
  '@kubernetes-models/apimachinery': '3.0.2',
  '@kubernetes-models/base': '6.0.1',
  '@kubernetes-models/validate': '5.0.2',
  'kubernetes-models': '5.1.0',
};

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const schemaPackagesRoot = join(projectRoot, 'generated', 'schema-packages', 'node_modules');

function installedVersion(directory) {
  try {
    return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let fetched = 0;
for (const [name, version] of Object.entries(schemaPackages)) {
  const target = join(schemaPackagesRoot, ...name.split('/'));
  if (installedVersion(target) === version) continue;
  const scratch = mkdtempSync(join(tmpdir(), 'gitops-gen-schema-pack-'));
  try {
    const output = execFileSync(
      npm,
      ['pack', `${name}@${version}`, '--json', '--silent', '--pack-destination', scratch],
      { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [{ filename }] = JSON.parse(output);
    const unpacked = join(scratch, 'unpacked');
    mkdirSync(unpacked);
    // npm tarballs hold one top folder, `package/`.
    execFileSync('tar', ['-xzf', join(scratch, filename), '-C', unpacked, '--strip-components=1']);
    if (installedVersion(unpacked) !== version) {
      throw new Error(`fetch-schema-packages: ${name}@${version} unpacked as another version`);
    }
    rmSync(target, { recursive: true, force: true });
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(unpacked, target);
    fetched++;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
if (!existsSync(schemaPackagesRoot)) throw new Error('fetch-schema-packages: nothing unpacked');
console.log(
  `fetch-schema-packages: ${Object.keys(schemaPackages).length} packages in generated/schema-packages (${fetched} fetched)`,
);
