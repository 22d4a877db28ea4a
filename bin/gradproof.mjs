#!/usr/bin/env node
// The `gradproof` command: runs src/cli/main.ts in-process through jiti, so there is no build step.
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url);
const { main } = await jiti.import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
