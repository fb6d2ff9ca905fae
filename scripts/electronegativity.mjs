#!/usr/bin/env node
// Electron security lint (@doyensec/electronegativity) over the desktop shell's sources and the
// renderer's HTML (its CSP). Offline by construction: the tool fetches translations and Electron's
// release list with `got` at run time; here `got` is replaced by a stub that fails at once, so no
// request ever leaves the machine (the checks themselves are all local).
//
// Prints one line per finding and the counts per severity; exits 1 when any HIGH finding is left, 2
// when the tool itself failed (or could not parse a file). `--csv FILE` also writes the findings.
//
// A HIGH finding is fixed in the code. If one is a false positive, silence that one line where it is,
// with the tool's own inline marker and a comment saying why it is safe:
//   const x = risky(); /* eng-disable CHECK_ID */ // why this is safe here
// Whole checks are excluded only below, each with its reason.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);

/** Electron version the checks assume (the devDependency; the tool cannot read it from a .ts tree). */
const ELECTRON_VERSION = require('electron/package.json').version;

/**
 * What is scanned, copied into one scratch tree so the global checks (navigation limits, permission
 * handler, CSP) see the main-process code and the page's <meta> CSP together. Unit tests are left
 * out: they hold hostile strings on purpose.
 */
const INPUTS = [
  { from: 'src-main/electron', to: 'electron', filter: (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') },
  { from: 'src-renderer/index.html', to: 'renderer/index.html' },
];

/**
 * Checks switched off, each with the reason. Keep this list short and narrow: a check that finds
 * something real is fixed in the code, not listed here.
 */
const EXCLUDED_CHECKS = {
  // Compares the Electron version with the release list it downloads; offline there is no list, and
  // the version is pinned by package.json (Dependabot-style bumps are the way to follow fixes).
  AvailableSecurityFixesGlobalCheck: 'needs the network (downloads the Electron release list)',
};

function stubGot() {
  const toolDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const gotPath = createRequire(`${toolDir}/package.json`).resolve('got');
  const offline = () => Promise.reject(new Error('offline: network disabled by scripts/electronegativity.mjs'));
  offline.head = offline;
  offline.get = offline;
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: Object.assign(offline, { default: offline }) };
}

function csvCell(v) {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function main() {
  const csvAt = process.argv.indexOf('--csv');
  const csvFile = csvAt >= 0 ? process.argv[csvAt + 1] : undefined;
  stubGot();
  // The tool prints translation/connectivity notes through console.log; keep our output readable.
  const log = console.log;
  console.log = () => {};
  const stage = mkdtempSync(join(tmpdir(), 'porthole-electronegativity-'));
  const backToRepo = new Map();
  for (const { from, to, filter } of INPUTS) {
    if (filter) {
      for (const name of readdirSync(from).filter(filter)) {
        cpSync(join(from, name), join(stage, to, name));
        backToRepo.set(join(stage, to, name), join(from, name));
      }
    } else {
      cpSync(from, join(stage, to));
      backToRepo.set(join(stage, to), from);
    }
  }
  let result;
  try {
    const run = require('@doyensec/electronegativity');
    result = await run({
      input: stage,
      output: undefined,
      isSarif: false,
      customScan: [],
      excludeFromScan: Object.keys(EXCLUDED_CHECKS),
      severitySet: undefined,
      confidenceSet: undefined,
      isRelative: false,
      isVerbose: true,
      electronUpgrade: undefined,
      electronVersionOverride: ELECTRON_VERSION,
      parserPlugins: [],
    });
  } finally {
    console.log = log;
    rmSync(stage, { recursive: true, force: true });
  }
  const repoPath = (file) => backToRepo.get(file) ?? (file ? relative(stage, file) : 'N/A');

  const counts = { HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 };
  const high = [];
  const rows = [['issue', 'severity', 'confidence', 'file', 'location', 'sample', 'description']];
  let parseErrors = 0;
  {
    for (const e of result.errors) {
      if (!e.tolerable) parseErrors++;
      console.log(`electronegativity: ${e.tolerable ? 'note' : 'PARSE ERROR'}: ${repoPath(e.file)}: ${e.message}`);
    }
    for (const issue of result.issues) {
      const file = repoPath(issue.file);
      const severity = issue.severity.name;
      const sample = String(issue.sample ?? '').trim();
      const where = `${file}:${issue.location.line}:${issue.location.column}`;
      rows.push([issue.id, severity, issue.confidence.name, file, `${issue.location.line}:${issue.location.column}`, sample, issue.description]);
      counts[severity] = (counts[severity] ?? 0) + 1;
      console.log(`  ${severity.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id} ${where}`);
      if (severity === 'HIGH') high.push(`${issue.id} at ${where}: ${issue.description}`);
    }
  }
  if (csvFile) writeFileSync(csvFile, `${rows.map((row) => row.map(csvCell).join(',')).join('\n')}\n`);
  console.log(
    `electronegativity (Electron ${ELECTRON_VERSION}, ${INPUTS.map((i) => i.from).join(' + ')}): ` +
      `${counts.HIGH} high, ${counts.MEDIUM} medium, ${counts.LOW} low, ${counts.INFORMATIONAL} informational` +
      ` (excluded: ${Object.entries(EXCLUDED_CHECKS).map(([id, why]) => `${id} — ${why}`).join('; ')})`,
  );
  if (parseErrors > 0) {
    console.log(`electronegativity: ${parseErrors} file(s) could not be parsed, so they were not checked`);
    process.exit(2);
  }
  if (high.length > 0) {
    console.log(`electronegativity: HIGH severity findings:\n  ${high.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`electronegativity could not run: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(2);
});
