#!/usr/bin/env node
// Runs a TypeScript file in-process through jiti (no build step): `node bin/run-ts.mjs FILE.ts ARGS…`.
import { createJiti } from 'jiti';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], file, ...rest];
// interopDefault off: its Proxy around every module would sit in each call between modules.
const jiti = createJiti(import.meta.url, { interopDefault: false });
await jiti.import(pathToFileURL(resolve(file)).href);
