import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetFixtures, waitFor } from '../../test-support/net-fixtures';
import { agentPolicy, RelayFixtures } from '../../test-support/relay-fixtures';
import { agentHandshake } from './handshake';
import type { RelayServer } from './relay-server';

// An agent that passed the handshake gets handshakeTimeoutMs to start HTTP/2; one that never does is
// dropped with a warning. One whose connection closes first is simply offline: its deadline must not
// fire later and warn about a session that is already gone.

const net = new NetFixtures();
const rf = new RelayFixtures();
afterEach(async () => {
  await rf.cleanup();
  await net.cleanup();
});

const TOKEN = 'secret-token-for-tests';

/** A TLS connection to the relay that passes the agent handshake and then says nothing more. */
async function silentAgent(relay: RelayServer, name: string): Promise<TLSSocket> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: relay.address!.port, rejectUnauthorized: false, ALPNProtocols: ['porthole-relay/1'] }, () => resolve(s));
    net.socket(s);
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  await agentHandshake(socket, { agent: name, token: TOKEN, assigned: false });
  return socket;
}

describe('the relay\'s deadline for an agent\'s first HTTP/2 exchange', () => {
  it('warns about an agent that never speaks HTTP/2, and not about one whose connection closed before its deadline', async () => {
    const logs: string[] = [];
    const [p1, p2] = [await net.freePort(), await net.freePort()];
    const relay = await rf.relay(
      { agents: [agentPolicy('gone', TOKEN, p1), agentPolicy('mute', TOKEN, p2)] },
      { limits: { handshakeTimeoutMs: 300 }, log: (level, m) => logs.push(`${level}: ${m}`) },
    );
    // 'gone' authenticates and hangs up at once: offline, for that reason.
    (await silentAgent(relay, 'gone')).destroy();
    await waitFor(() => logs.some((l) => l.includes('agent "gone" offline')), 'agent "gone" offline');
    // 'mute' authenticates after that and stays silent: its deadline (the same length, started later)
    // fires after the one 'gone' had, so once 'mute' is warned about, 'gone''s would have been too.
    const mute = await silentAgent(relay, 'mute');
    await waitFor(() => logs.some((l) => l.includes('agent "mute"') && l.includes('no HTTP/2 settings')), 'the warning about "mute"');
    expect(logs.filter((l) => l.includes('no HTTP/2 settings'))).toEqual([expect.stringContaining('agent "mute"')]);
    mute.destroy();
  });
});
