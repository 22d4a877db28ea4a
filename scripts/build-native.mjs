#!/usr/bin/env node
// npm install's step for the optional native kernels (native/kernels.c): build them with the
// node-gyp npm ships, and say so in one line either way. A failed build does not fail the install:
// gradproof then runs its JavaScript loops, which give the same numbers, more slowly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const gyp = process.env.npm_config_node_gyp;
if (process.env.GRADPROOF_NATIVE === '0') {
  console.log('gradproof: native kernels not built (GRADPROOF_NATIVE=0); the JavaScript loops will be used');
} else if (!gyp || !existsSync(gyp)) {
  console.log('gradproof: native kernels not built (no node-gyp from npm); the JavaScript loops will be used');
} else {
  const run = spawnSync(process.execPath, [gyp, 'rebuild'], { encoding: 'utf8' });
  if (run.status === 0) console.log('gradproof: native kernels built (build/Release/gradproof_kernels.node)');
  else console.log(`gradproof: native kernels not built (node-gyp exited ${run.status}); the JavaScript loops will be used\n${(run.stderr || '').split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join('\n')}`);
}
