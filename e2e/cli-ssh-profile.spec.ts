import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { expect, test } from './support/fixtures';
import { type SshdFixture, sshdAvailable, startSshd } from '../test-support/sshd';
import { type Echo, freePort, roundTrip, startEcho } from './support/host';

// `porthole run --profile ~/.ssh/config` as a person would use it on a server: the built CLI reads an
// ordinary OpenSSH client config and runs its LocalForward and DynamicForward lines against real sshd.

test.skip(!sshdAvailable(), 'openssh-server is not installed (apt-get install -y openssh-server)');

let sshd: SshdFixture;
/** The fixture's temp dir (removed after each test). */
let data: { dir: string };
let echo: Echo;
let http: Server;
let proc: ChildProcess | undefined;

test.beforeEach(async ({ porthole: fixture }) => {
  sshd = await startSshd();
  data = { dir: fixture.dataDir };
  echo = await startEcho();
  http = createServer((req, res) => res.end(`via ${req.url}`));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
});

test.afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGKILL');
    await new Promise((r) => proc!.once('exit', r));
  }
  await new Promise<void>((r) => http.close(() => r()));
  await echo.close();
  await sshd.cleanup();
});

function curl(args: string[]): Promise<string> {
  return new Promise((resolveCurl, reject) => {
    const p = spawn('curl', ['-sS', '--max-time', '10', ...args]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolveCurl(out) : reject(new Error(`curl exited ${code}`))));
  });
}

test('runs the LocalForward and DynamicForward lines of an ssh_config against a real sshd', async () => {
  const [lport, dport] = [await freePort(), await freePort()];
  const cfg = join(data.dir, 'config');
  writeFileSync(
    cfg,
    [
      '# a lab box',
      'Host lab',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  User ${sshd.user}`,
      `  IdentityFile ${sshd.userKeyPath}`,
      '  StrictHostKeyChecking accept-new',
      `  LocalForward ${lport} 127.0.0.1:${echo.port}`,
      `  DynamicForward 127.0.0.1:${dport}`,
      '',
      'Match exec "touch /tmp/porthole-must-not-exist"',
      '  User nobody',
      '',
    ].join('\n'),
  );
  proc = spawn(process.execPath, [resolve('out/main/cli.js'), 'run', '--profile', cfg, '--data-dir', join(data.dir, 'state')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await expect.poll(() => out, { timeout: 20_000 }).toMatch(/2 mappings, 2 running/);
  expect(out).toMatch(/Match/);
  expect((await roundTrip(lport, Buffer.from('hello -L'))).toString()).toBe('hello -L');
  const httpPort = (http.address() as { port: number }).port;
  expect(await curl(['--socks5-hostname', `127.0.0.1:${dport}`, `http://localhost:${httpPort}/socks`])).toBe('via /socks');
  const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('a malformed forward line exits 2 naming the file and line', async () => {
  const cfg = join(data.dir, 'config');
  writeFileSync(cfg, `Host x\n  HostName 127.0.0.1\n  LocalForward notaport 127.0.0.1:80\n`);
  const p = spawn(process.execPath, [resolve('out/main/cli.js'), 'run', '--profile', cfg, '--data-dir', join(data.dir, 'state')]);
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  expect(code).toBe(2);
  expect(err).toContain(`${cfg}:3:`);
});
