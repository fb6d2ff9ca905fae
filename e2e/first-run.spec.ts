import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BUILD_INPUTS, BUILD_OUTPUTS, buildIsFresh } from '../scripts/build-fresh.mjs';
import { expect, test } from './support/fixtures';

// Issue 18, a first run and the terminal: `npm start` starts the build `npm install` made instead of
// building again, no renderer chunk passes Vite's 500 kB warning, and the host's log lines in the
// terminal name their mapping, never its id.

const ROOT = resolve('.');
let child: ChildProcess | undefined;

test.afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

test('out/ counts as fresh until a source is newer than its oldest output', ({ porthole }) => {
  const root = join(porthole.dataDir, 'checkout');
  const at = (path: string, seconds: number) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, seconds, seconds);
  };
  for (const input of BUILD_INPUTS) at(input.includes('.') ? input : `${input}/index.ts`, 1_000);
  // A directory counts by its own time too (a file added or removed): these were made just now.
  for (const input of BUILD_INPUTS) if (!input.includes('.')) utimesSync(join(root, input), 1_000, 1_000);
  expect(buildIsFresh(root)).toBe(false);
  for (const output of BUILD_OUTPUTS) at(output, 2_000);
  expect(buildIsFresh(root)).toBe(true);
  at('src-renderer/views/new-view.tsx', 3_000);
  expect(buildIsFresh(root)).toBe(false);
});

test('npm start runs the build npm install made, without building again, and serves browser mode here', async ({ porthole }) => {
  // The e2e command has just built out/; a source saved since (others work in this tree) makes npm start build, as it should.
  const fresh = buildIsFresh(ROOT);
  child = spawn(process.execPath, ['scripts/start.mjs', '--listen', '127.0.0.1:0', '--data-dir', porthole.dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTHOLE_DATA_DIR: '' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await expect.poll(() => out, { timeout: 60_000 }).toMatch(/Porthole UI: http:\/\/127\.0\.0\.1:\d+\//);
  if (fresh) {
    expect(out).toContain('starting it without building again');
    expect(out).not.toMatch(/vite v\d|transforming/);
  } else console.log('a source changed after the e2e build: npm start built again (expected then)');
  expect(out).toContain('serving browser mode instead');
});

test('no renderer chunk passes Vite’s 500 kB warning', () => {
  const dir = join(ROOT, 'out', 'renderer', 'assets');
  const sizes = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ f, kB: statSync(join(dir, f)).size / 1000 }));
  console.log(sizes.map(({ f, kB }) => `${f} ${kB.toFixed(1)} kB`).join('\n'));
  expect(sizes.length).toBeGreaterThan(3);
  for (const { f, kB } of sizes) expect(kB, f).toBeLessThan(500);
});

test('the terminal names a mapping in its log lines, never by its id', async ({ host, api }) => {
  const { rule } = await api.call<{ rule: { id: string } }>('rules.create', { type: 'tcp-forward', name: 'Terminal name', enabled: false, listen: { host: '127.0.0.1', port: 9 }, target: { host: '127.0.0.1', port: 9 } });
  await expect.poll(() => host.output()).toContain('[Terminal name] Created mapping "Terminal name"');
  expect(host.output()).not.toContain(rule.id);
});

test('--help says run --profile takes any format porthole import reads', async () => {
  const help = await new Promise<string>((resolveHelp) => {
    const p = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout!.on('data', (d) => (text += d));
    p.on('close', () => resolveHelp(text));
  });
  expect(help).toContain('any format porthole import reads');
  expect(help).not.toContain('Porthole JSON profile');
});
