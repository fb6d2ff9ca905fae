import type { DataPlane } from './data-plane';
import { checkAgentStats, checkTickets } from './agent-checks';
import type { AgentExposureSpec, AgentStats, WireConnection } from './protocol';
import { checkConnections } from './protocol-checks';

/**
 * The control thread's handle on one relay agent session's data connections in the data plane
 * (dataplane/agent-sessions.ts). Requests are sent in call order, so a grant or an exposure sent
 * right after the session was started reaches it; once the session or the plane is gone they do nothing.
 */
export class RemoteAgentSession {
  gone = false;

  constructor(
    private readonly plane: DataPlane,
    readonly lid: number,
    /** Settles when the data plane has set the session up (rejects when it could not). */
    readonly started: Promise<void>,
  ) {}

  grant(ids: number[], exp: number): void {
    this.post({ op: 'agent-grant', lid: this.lid, ids, exp });
  }

  expose(exposure: AgentExposureSpec): void {
    this.post({ op: 'agent-expose', lid: this.lid, exposure });
  }

  unexpose(x: string): void {
    this.post({ op: 'agent-unexpose', lid: this.lid, x });
  }

  /** No more data connections there (the ones carrying traffic go on); resolves with the tickets it had not dialled yet. */
  drain(): Promise<Array<{ id: number; exp: number }>> {
    return this.plane.request(this.lid, { op: 'agent-drain', lid: this.lid }, checkTickets, []).catch(() => []);
  }

  connections(x: string): Promise<WireConnection[]> {
    return this.plane.request(this.lid, { op: 'agent-connections', lid: this.lid, x }, checkConnections, []).catch(() => []);
  }

  closeConnection(x: string, id: number): Promise<boolean> {
    return this.plane.request(this.lid, { op: 'agent-close', lid: this.lid, x, id }, (v) => v === true, false).catch(() => false);
  }

  /** Undefined once gone. */
  stats(): Promise<AgentStats | undefined> {
    return this.plane.request(this.lid, { op: 'agent-stats', lid: this.lid }, checkAgentStats, undefined);
  }

  /** Closes every data connection of the session; resolves when they are closed (or the plane is gone). */
  stop(): Promise<void> {
    return this.plane.stopListener(this.lid);
  }

  private post(msg: Parameters<DataPlane['request']>[1]): void {
    // A failed start was reported through `started`; what follows it fails the same way.
    this.plane.request(this.lid, msg, () => undefined, undefined).catch(() => undefined);
  }
}
