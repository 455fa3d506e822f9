// Build step after tsc: writes generated/validators/, one module of precompiled ajv code per
// kind plus index.json, so that `validate` loads the code of the kinds it meets instead of
// compiling schemas at start.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { environmentValidatorModule } from '../dist/config/check-schema.js';
import { loadSchemaBundles, SchemaValidator } from '../dist/validate/schemas.js';

const start = performance.now();
const directory = process.argv[2] ?? join(import.meta.dirname, '..', 'generated', 'validators');
const validator = new SchemaValidator({
  bundles: loadSchemaBundles(),
  strict: true,
  forStandalone: true,
});
rmSync(directory, { recursive: true, force: true });
mkdirSync(directory, { recursive: true });
const index = {};
let bytes = 0;
[...validator.standaloneModules()].forEach(([key, code], number) => {
  const file = `kind-${number}.cjs`;
  writeFileSync(join(directory, file), code);
  index[key] = file;
  bytes += code.length;
});
writeFileSync(join(directory, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
// The environment files' validator, for `render` (see src/config/check-schema.ts).
writeFileSync(join(directory, 'environment.cjs'), environmentValidatorModule());
console.log(
  `precompile-validators: ${Object.keys(index).length} kinds, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(performance.now() - start)} ms`,
);
