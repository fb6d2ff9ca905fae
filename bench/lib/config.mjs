// Paths, command-line flags and the run configuration shared by scripts/bench.mjs and its modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS = path.join(ROOT, 'bench', 'tools');
export const RESULTS = path.join(ROOT, 'bench', 'results');
export const CLI = path.join(ROOT, 'out', 'main', 'cli.js');

const argv = process.argv.slice(2);
export const QUICK = argv.includes('--quick');
export const NO_BUILD = argv.includes('--no-build');
/** The word after `--name` in `args` (the by-hand tools' options), or undefined where it is absent. */
export const flagValue = (args, name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
/** flagValue as a number, `dflt` where the flag is absent. */
export const flagNumber = (args, name, dflt) => {
  const v = flagValue(args, name);
  return v === undefined ? dflt : Number(v);
};
export const envNum = (name, dflt) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : dflt);
export const CFG = {
  rounds: envNum('BENCH_ROUNDS', QUICK ? 2 : 5),
  iperfSeconds: envNum('BENCH_IPERF_SECONDS', QUICK ? 1 : 3),
  pingCount: QUICK ? 2000 : 5000,
  pingWarmup: QUICK ? 200 : 500,
  pingSize: 64,
  // 3 s a run: at 32 concurrent, 1.5 s runs of the same forwarder varied from 2,189 to 3,842/s.
  cpsSeconds: envNum('BENCH_CPS_SECONDS', QUICK ? 1 : 3),
  cpsConcurrency: 32,
  idleConnections: envNum('BENCH_IDLE_CONNECTIONS', 10_000),
  idleBatch: 500,
  udpSeconds: envNum('BENCH_UDP_SECONDS', QUICK ? 1 : 2),
  udpProbeSeconds: QUICK ? 0.5 : 1,
  udpSize: 64,
  udpMaxLossPct: 0.1,
  nofile: 65536,
};
// Scenario ids from BENCH_ONLY=a,b or as words after `--` (`npm run bench -- relay`).
const words = argv.filter((a) => !a.startsWith('-'));
const onlyText = process.env.BENCH_ONLY || words.join(',');
export const ONLY = onlyText ? new Set(onlyText.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
export const enabled = (id) => ONLY === undefined || ONLY.has(id);
/**
 * What bench/results/NAME.json and NAME.md are called: BENCH_OUT=NAME, else `latest` for a run of every
 * default scenario and `partial` for --quick or a subset, so a smoke test or one scenario's rerun does
 * not replace the last full run's results.
 */
export const OUT_NAME = process.env.BENCH_OUT || (QUICK || ONLY !== undefined ? 'partial' : 'latest');
if (!/^[\w.-]+$/.test(OUT_NAME)) throw new Error(`BENCH_OUT=${OUT_NAME}: a file name of letters, digits, '.', '-' and '_'`);
// Self-test hook for the UDP code path while Porthole has no UDP: a second socat plays "porthole".
export const UDP_STANDIN = process.env.BENCH_UDP_STANDIN === 'socat';
