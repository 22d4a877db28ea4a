#!/usr/bin/env node
// The `gradproof` command: runs src/cli/main.ts in-process through jiti, so there is no build step.
import { createJiti } from 'jiti';

// interopDefault off: its Proxy around every module would sit in each call between modules
// (the replays' hot loop calls across modules; about 20% of a small check's time).
const jiti = createJiti(import.meta.url, { interopDefault: false });
const { main } = await jiti.import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
