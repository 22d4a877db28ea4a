#!/usr/bin/env node
// npm install's step for the optional native kernels (native/*.c): build them with the
// node-gyp npm ships, and say so in one line either way. A failed build does not fail the install:
// gradproof then runs its JavaScript loops, which give the same numbers, more slowly. A build
// records the hash of the source it was made from (src/core/native.ts loads only a build of the
// source beside it); a skipped or failed one leaves no build behind.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import hashing from './source-hash.cjs';

const built = 'build/Release/gradproof_kernels.node';
const skip = (why) => {
  rmSync(built, { force: true });
  console.log(`gradproof: native kernels not built (${why}); the JavaScript loops will be used`);
};
const gyp = process.env.npm_config_node_gyp;
if (process.env.GRADPROOF_NATIVE === '0') skip('GRADPROOF_NATIVE=0');
else if (!gyp || !existsSync(gyp)) skip('no node-gyp from npm');
else {
  const run = spawnSync(process.execPath, [gyp, 'rebuild'], { encoding: 'utf8', timeout: 300_000 });
  if (run.status === 0) {
    writeFileSync('build/Release/kernels.sha256', hashing.sourceHash('native'));
    console.log(`gradproof: native kernels built (${built})`);
  } else {
    skip(run.status === null ? 'node-gyp timed out' : `node-gyp exited ${run.status}`);
    console.log((run.stderr || '').split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join('\n'));
  }
}
