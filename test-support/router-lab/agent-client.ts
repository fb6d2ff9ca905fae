import type { LineChild } from './line-child';
import type { RouterLab } from './topology';

// The test's side of ns-agent.ts: one request per call, answered by id, each with a deadline.

export interface FetchResult {
  bytes: number;
  sha256?: string;
  error?: string;
}

export class NsAgentClient {
  private next = 1;

  private constructor(private readonly child: LineChild) {}

  static async start(lab: RouterLab, ns: string): Promise<NsAgentClient> {
    const child = lab.spawnLine(ns, [process.execPath, lab.bundle.lab, 'agent']);
    await child.waitForLine(/"ready":true/, 5000, `the agent in ${ns}`);
    return new NsAgentClient(child);
  }

  private async call<T>(cmd: Record<string, unknown>, timeoutMs: number): Promise<T> {
    const id = this.next++;
    this.child.write(JSON.stringify({ ...cmd, id }));
    const m = await this.child.waitForLine(new RegExp(`^\\{"id":${id},.*$`, 'm'), timeoutMs, `agent ${String(cmd.op)}`);
    const reply = JSON.parse(m[0]) as { ok: boolean; value?: T; error?: string };
    if (!reply.ok) throw new Error(`agent ${String(cmd.op)} failed: ${reply.error}`);
    return reply.value as T;
  }

  /** Serves `bytes` of seeded noise to every TCP connection; resolves with the bound port and the data's hash. */
  tcpSource(host: string, port: number, bytes: number, seed: number): Promise<{ port: number; sha256: string }> {
    return this.call({ op: 'tcp-source', host, port, bytes, seed }, 10_000);
  }

  udpEcho(host: string, port: number): Promise<{ port: number }> {
    return this.call({ op: 'udp-echo', host, port }, 5000);
  }

  /** Connects and reads to the end; a refused or silent port comes back as `error`, not a throw. */
  tcpFetch(host: string, port: number, timeoutMs = 5000): Promise<FetchResult> {
    return this.call({ op: 'tcp-fetch', host, port, timeoutMs }, timeoutMs + 5000);
  }

  /** Sends `count` datagrams and collects the answers until all came back or `timeoutMs` passed. */
  udpAsk(host: string, port: number, count: number, timeoutMs = 2000): Promise<{ received: string[] }> {
    return this.call({ op: 'udp-ask', host, port, count, timeoutMs }, timeoutMs + 5000);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
