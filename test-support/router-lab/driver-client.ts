import type { RelayServerStatus } from '../../src-shared/model/relay';
import type { RuleStatus } from '../../src-shared/model/status';
import type { LineChild } from './line-child';
import type { RouterLab } from './topology';

// The test's side of service-driver.ts: API calls into a real Porthole host in the LAN namespace, and
// its rule-state events to wait on.

export class ServiceDriverClient {
  private next = 1;

  private constructor(private readonly child: LineChild) {}

  static async start(lab: RouterLab, dataDir: string): Promise<ServiceDriverClient> {
    const child = lab.spawnLine(lab.ns.lan, [process.execPath, lab.bundle.lab, 'driver', dataDir]);
    await child.waitForLine(/"ready":true/, 10_000, 'the service driver');
    return new ServiceDriverClient(child);
  }

  /** Calls an API method; resolves with its value, rejects with the host's error message. */
  async call<T = unknown>(method: string, input?: unknown): Promise<T> {
    const id = this.next++;
    this.child.write(JSON.stringify({ id, method, input }));
    const m = await this.child.waitForLine(new RegExp(`^\\{"id":${id},.*$`, 'm'), 15_000, `API ${method}`);
    const { envelope } = JSON.parse(m[0]) as { envelope: { ok: boolean; value?: T; error?: { code: string; message: string } } };
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.code} ${envelope.error?.message}`);
    return envelope.value as T;
  }

  /** Every rule-state event so far, oldest first. */
  states(): RuleStatus[] {
    return this.child
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{"event":"rule-state"'))
      .map((l) => (JSON.parse(l) as { payload: RuleStatus }).payload);
  }

  /** Waits for a rule-state event (after the first `after` of them) that satisfies `pred`. */
  async waitForState(pred: (s: RuleStatus) => boolean, what: string, timeoutMs = 10_000, after = 0): Promise<RuleStatus> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.states().slice(after).find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error(`no rule-state event with ${what} within ${timeoutMs} ms; log:\n${this.logText()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Every (changed) status of the in-app relay so far, oldest first. */
  relayStatuses(): RelayServerStatus[] {
    return this.child
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{"event":"relay-server"'))
      .map((l) => (JSON.parse(l) as { payload: RelayServerStatus }).payload);
  }

  /** Waits for a status of the in-app relay (after the first `after` of them) that satisfies `pred`. */
  async waitForRelay(pred: (s: RelayServerStatus) => boolean, what: string, timeoutMs = 10_000, after = 0): Promise<RelayServerStatus> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.relayStatuses().slice(after).find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error(`no relay-server event with ${what} within ${timeoutMs} ms; last: ${JSON.stringify(this.relayStatuses().at(-1))}\nlog:\n${this.logText()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The host's log lines (messages) so far. */
  logText(): string {
    return this.child
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{"event":"log"'))
      .flatMap((l) => (JSON.parse(l) as { payload: { message: string }[] }).payload.map((e) => e.message))
      .join('\n');
  }

  /** Quits like the app does (graceful shutdown), resolving once the host has shut down. */
  async quit(): Promise<void> {
    this.child.child.stdin?.end();
    await this.child.waitForLine(/"event":"shut-down"/, 10_000, 'the service driver shutdown');
    await this.child.exited(5000);
  }

  /** Kills the host with SIGKILL: nothing is unmapped. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.child.exited(5000);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
