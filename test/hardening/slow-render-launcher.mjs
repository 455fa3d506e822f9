// Test-only launcher: bin/gitops-gen.js with the temporaries of write-tree slowed down, so that
// a test can interrupt a render in a chosen phase. SLOW_PHASE=stage slows the writes of phase 1,
// SLOW_PHASE=commit the renames of phase 2; after the third such call it prints `READY` on
// stderr, then pauses 30 ms per call. Nothing in src/ reads SLOW_PHASE.
import fs from 'node:fs';

const phase = process.env.SLOW_PHASE;
const pause = new Int32Array(new SharedArrayBuffer(4));
let calls = 0;

function slowed(original) {
  return (path, ...rest) => {
    const result = original(path, ...rest);
    if (String(path).includes('.gitops-gen-tmp-')) {
      calls++;
      if (calls === 3) process.stderr.write('READY\n');
      if (calls >= 3) Atomics.wait(pause, 0, 0, 30);
    }
    return result;
  };
}

if (phase === 'stage') fs.writeFileSync = slowed(fs.writeFileSync);
if (phase === 'commit') fs.renameSync = slowed(fs.renameSync);

await import('../../bin/gitops-gen.js');
