import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuleEntry } from '../../src-shared/api/contract';
import type { ImportItem, ImportOutcome, ImportPreview, ImportSource } from '../../src-shared/model/import';
import { waitFor } from '../../test-support/net-fixtures';
import { useServiceCore } from '../../test-support/service-core';

// Issue 14, through the API of a real core with real listeners: Include is never followed for text
// sent over the API, imports start nothing unless asked, a porthole:// link never starts anything and
// skips what would listen off loopback, and a SOCKS user without a password arrives switched off.

const MARKER = 'Kx9LEAKmarker';

describe('imports: nothing read or started behind the user’s back', () => {
  const svc = useServiceCore({ options: (dir) => ({ dataDir: join(dir, 'data') }) });
  const { net, call, refused } = svc;

  const preview = (...sources: ImportSource[]) => call<ImportPreview>('imports.preview', { sources });
  const apply = (p: ImportPreview, extra: object = {}) => call<ImportOutcome>('imports.apply', { previewId: p.id, ...extra });
  const item = (p: ImportPreview, name: string) => p.items.find((i) => i.name === name)!;
  const rules = async () => (await call<RuleEntry[]>('rules.list')).map((e) => e.rule);
  const ruleId = async (name: string) => (await rules()).find((r) => r.name === name)!.id;
  const stateOf = (id: string) => svc.core.service.list().find((e) => e.rule.id === id)?.status.state;
  const connectResult = (port: number) => net.connectOutcome(port);
  const yaml = (rules: string) => ({ name: 'team.yaml', text: `porthole: 1\nrules:\n${rules}` });
  const tcp = (name: string, host: string, port: number, target: number) =>
    `  - { type: tcp-forward, name: ${name}, enabled: true, listen: { host: "${host}", port: ${port} }, target: { host: 127.0.0.1, port: ${target} } }\n`;

  it('a pasted ssh_config that Includes a file never shows that file in the preview, and says Include was not followed', async () => {
    const secret = join(svc.dir, 'secrets.json');
    writeFileSync(secret, `{"entries": {"ssh:1:password": "${MARKER}-pw"}}\nroot:${MARKER}:19000:0:::\nHost ${MARKER}host\n  HostName ${MARKER}.example\n  LocalForward 1 ${MARKER}:1\n`);
    const text = `Include ${secret}\nHost lab\n  HostName 127.0.0.1\n  Include ${secret}\n  LocalForward ${await net.freePort()} 127.0.0.1:80\n`;
    const pv = await preview({ name: 'pasted', text });
    expect(JSON.stringify(pv)).not.toContain(MARKER);
    expect(pv.items.map((i) => i.name)).toEqual(['lab', expect.stringMatching(/^lab: L /)]);
    expect(pv.files[0]!.origin).toBe('text');
    expect(pv.files[0]!.warnings).toEqual([
      expect.stringMatching(new RegExp(`^pasted:1: Include ${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was not followed: included files are read only when Porthole opens the file itself — run \`porthole import ~/.ssh/config\``)),
      expect.stringMatching(/^pasted:4: Include .* was not followed: /),
    ]);
    // A caller cannot claim its text is a file read by path: the input schema has no such field.
    await expect(refused('imports.preview', { sources: [{ name: 'pasted', text, origin: 'file' }] })).resolves.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('the host’s own file import follows Include and names the included file and line instead of quoting it', () => {
    const home = svc.dir;
    writeFileSync(join(home, 'inc.conf'), `Host box\n  HostName 127.0.0.1\n  ${MARKER}Option yes\n  Port ${MARKER}\n`);
    const pv = svc.core.imports.previewFrom([{ name: 'config', text: `Include ${join(home, 'inc.conf')}\nHost top\n  HostName 127.0.0.1\n`, origin: 'file' }]);
    expect(JSON.stringify(pv)).not.toContain(MARKER);
    // The bad Port of the included file refuses the file, at its line, without its value.
    expect(pv.files[0]).toMatchObject({ origin: 'file', error: `${join(home, 'inc.conf')}:4: Port: not a port number (1–65535)` });
  });

  it('an applied import leaves every listener closed until switched on; start: true listens at once', async () => {
    const [echo, any, lo] = [await net.echoServer(), await net.freePort(), await net.freePort()];
    const file = yaml(tcp('Everyone', '0.0.0.0', any, echo.port) + tcp('Local', '127.0.0.1', lo, echo.port));
    const pv = await preview(file);
    expect(item(pv, 'Everyone')).toMatchObject({ listenAt: `0.0.0.0:${any}`, offLoopback: true, startsOn: true, action: 'import' });
    expect(item(pv, 'Local')).toMatchObject({ listenAt: `127.0.0.1:${lo}`, offLoopback: false, startsOn: true });
    expect(pv.canStart).toBe(true);
    const outcome = await apply(pv);
    expect(outcome).toMatchObject({ rules: 2, startedIds: [] });
    expect((await rules()).map((r) => [r.name, r.enabled])).toEqual([['Everyone', false], ['Local', false]]);
    expect([await connectResult(any), await connectResult(lo)]).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    // Switched on by the user: now it listens.
    await call('rules.setEnabled', { id: await ruleId('Local'), enabled: true });
    await waitFor(async () => (await connectResult(lo)) === 'connected', 'Local listening once switched on');
    expect(await connectResult(any)).toBe('ECONNREFUSED');

    // With "start after import" ticked, what the file has on starts with the apply.
    await call('imports.undo');
    const again = await preview(file);
    const started = await apply(again, { start: true });
    expect(started.startedIds).toHaveLength(2);
    for (const id of started.startedIds) expect(stateOf(id)).toBe('running');
    expect([await connectResult(any), await connectResult(lo)]).toEqual(['connected', 'connected']);
  });

  it('a porthole:// link: off-loopback mappings are skipped unless chosen, and nothing may start', async () => {
    const [any, lo] = [await net.freePort(), await net.freePort()];
    const pv = svc.core.imports.offer([{ name: 'porthole:// link', text: yaml(tcp('Everyone', '0.0.0.0', any, 9) + tcp('Local', '127.0.0.1', lo, 9)).text, origin: 'link' }]);
    expect(pv.canStart).toBe(false);
    expect(item(pv, 'Everyone')).toMatchObject({ action: 'skip', actions: ['import', 'skip'], skippedBecause: 'link-off-loopback', offLoopback: true });
    expect(item(pv, 'Local')).toMatchObject({ action: 'import', offLoopback: false });
    expect(item(pv, 'Local').skippedBecause).toBeUndefined();
    await expect(refused('imports.apply', { previewId: pv.id, start: true })).resolves.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Mappings from a porthole:// link are never started by the import — import them, check them, then switch them on in Mappings',
    });
    expect(await rules()).toEqual([]);
    // The user un-skips the off-loopback one: it is imported, switched off like the rest.
    await apply(pv, { decisions: [{ key: item(pv, 'Everyone').key, action: 'import' }] });
    expect((await rules()).map((r) => [r.name, r.enabled])).toEqual([['Everyone', false], ['Local', false]]);
    expect(await connectResult(any)).toBe('ECONNREFUSED');
  });

  it('a SOCKS user without a password (an export without secrets says hasPassword: true) arrives switched off, saying why, even with start', async () => {
    const [p1, p2] = [await net.freePort(), await net.freePort()];
    const socks = (name: string, port: number, extra = '') =>
      `  - { type: socks, name: ${name}, enabled: true, listen: { host: 127.0.0.1, port: ${port} }, socks: { username: alice, hasPassword: true }${extra} }\n`;
    const pv = await preview(yaml(socks('No password', p1) + socks('With password', p2, ', socksPassword: s3cret-s3cret')));
    const noPw: Partial<ImportItem> = { startsOn: false, cannotStart: { reason: 'socks-password', user: 'alice' } };
    expect(item(pv, 'No password')).toMatchObject(noPw);
    expect(item(pv, 'With password')).toMatchObject({ startsOn: true, hasSecret: true });
    expect(item(pv, 'With password').cannotStart).toBeUndefined();
    expect(pv.files[0]!.warnings).toEqual(['team.yaml: mapping "No password": SOCKS user alice has no password here: set one in the rule before switching it on']);
    const outcome = await apply(pv, { start: true });
    const byName = Object.fromEntries((await rules()).map((r) => [r.name, r]));
    expect(byName['No password']).toMatchObject({ enabled: false, socks: { username: 'alice', hasPassword: false } });
    expect(byName['With password']).toMatchObject({ enabled: true, socks: { username: 'alice', hasPassword: true } });
    expect(outcome.startedIds).toEqual([byName['With password']!.id]);
    expect(await connectResult(p1)).toBe('ECONNREFUSED');
    await waitFor(async () => (await connectResult(p2)) === 'connected', 'the SOCKS server with its password listening');
  });
});
