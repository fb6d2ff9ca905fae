#!/usr/bin/env node
// The `porthole` command: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('porthole: the CLI is not built yet — run `npm run build` in the Porthole directory\n');
  process.exit(1);
}
await import(cli);
