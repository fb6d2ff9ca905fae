#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, plus totals by
// category (GC, idle/program = native + kernel time spent outside JS, JS). Usage:
//   node bench/tools/cpuprofile-top.mjs FILE.cpuprofile [TOP=25]
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dts = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dts[i] ?? 0));
}
const agg = new Map();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const where = cf.url ? `${cf.url.replace(/^.*\/(out|node:)/, '$1').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}` : '';
  const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
  agg.set(key, (agg.get(key) ?? 0) + us);
  total += us;
}
const rows = [...agg].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
for (const [k, us] of rows) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
