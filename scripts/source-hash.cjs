// The hash of the native addon's sources: each file in `dir` (native/), by name, its name and
// text. The install script (build-native.mjs) records it beside a build; src/core/native.ts loads
// a build only when it matches the sources beside it. CommonJS, so both can load it at once.
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

exports.sourceHash = (dir) => {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) hash.update(`${name}\0`).update(readFileSync(join(dir, name))).update('\0');
  return hash.digest('hex');
};
