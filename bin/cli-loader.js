// Loads dist/cli/bundle.cjs, and the precompiled validators it loads, through V8's code
// cache: the bytecode of every function a run compiles is kept beside each file (`.cache`), so
// the next start skips parsing and compiling them (Node 20 has no compile cache of its own). A
// cache from another Node or V8 is rejected by V8 itself and written again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/cli/bundle.cjs', import.meta.url));

function readCache(file) {
  try {
    return readFileSync(`${file}.cache`);
  } catch {
    return undefined;
  }
}

/** Compiles CommonJS source with its cache; records the script when its cache needs writing. */
function compile(source, file, stale) {
  const cachedData = readCache(file);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cachedData === undefined || script.cachedDataRejected === true) stale.push({ script, file });
  return script.runInThisContext();
}

/** The CLI module ({ run }) and a way to save the code caches that were missing or stale. */
export function loadCli() {
  const stale = [];
  // The precompiled validators the bundle loads (see requireValidator in src/validate/schemas.ts).
  Reflect.set(globalThis, Symbol.for('gitops-gen.loadCommonJs'), (file) => {
    const loaded = { exports: {} };
    compile(readFileSync(file, 'utf8'), file, stale)(
      loaded.exports,
      createRequire(file),
      loaded,
      file,
      dirname(file),
    );
    return loaded.exports;
  });
  const module = { exports: {} };
  compile(readFileSync(bundle, 'utf8'), bundle, stale)(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    dirname(bundle),
  );
  return {
    run: module.exports.run,
    /** Whether some cache was missing or stale, so that saving is worth the time. */
    get cacheStale() {
      return stale.length > 0;
    },
    /** Writes those caches, atomically; a read-only install just runs without them. */
    saveCache() {
      for (const { script, file } of stale.splice(0)) {
        try {
          const temporary = `${file}.cache.${process.pid}`;
          writeFileSync(temporary, script.createCachedData());
          renameSync(temporary, `${file}.cache`);
        } catch {
          // not writable: the next start compiles again
        }
      }
    },
  };
}
