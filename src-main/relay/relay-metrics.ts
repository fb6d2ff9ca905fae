import type { AdmissionStats } from './admission';

/** What the relay's Prometheus text is made of (RelayServer.metricsText). */
export interface RelayMetrics {
  /** Every configured agent: its open public ports and ready data connections (0 while offline). */
  agents: Array<{ name: string; exposures: number; dataReady: number }>;
  online: number;
  sessionsAccepted: number;
  handshakeFailures: number;
  admission: AdmissionStats;
  publicRefused: number;
  /** Cumulative counters per `agent \0 protocol \0 port`. */
  totals: ReadonlyMap<string, { bytesIn: number; bytesOut: number; activeConnections: number; totalConnections: number }>;
}

/** Prometheus text exposition of the relay's gauges and counters. */
export function relayMetricsText(m: RelayMetrics): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const out: string[] = [];
  out.push('# HELP porthole_relay_agents_online Agents with a live session.', '# TYPE porthole_relay_agents_online gauge', `porthole_relay_agents_online ${m.online}`);
  out.push('# HELP porthole_relay_agents_configured Agents in the relay config.', '# TYPE porthole_relay_agents_configured gauge', `porthole_relay_agents_configured ${m.agents.length}`);
  out.push('# HELP porthole_relay_exposures Public ports open, per agent.', '# TYPE porthole_relay_exposures gauge');
  for (const a of m.agents) out.push(`porthole_relay_exposures{agent="${esc(a.name)}"} ${a.exposures}`);
  out.push('# HELP porthole_relay_data_connections_ready Data connections waiting in the pool, per agent.', '# TYPE porthole_relay_data_connections_ready gauge');
  for (const a of m.agents) out.push(`porthole_relay_data_connections_ready{agent="${esc(a.name)}"} ${a.dataReady}`);
  out.push('# HELP porthole_relay_sessions_total Agent sessions accepted.', '# TYPE porthole_relay_sessions_total counter', `porthole_relay_sessions_total ${m.sessionsAccepted}`);
  out.push('# HELP porthole_relay_handshake_failures_total Connections refused during the handshake.', '# TYPE porthole_relay_handshake_failures_total counter', `porthole_relay_handshake_failures_total ${m.handshakeFailures}`);
  const a = m.admission;
  out.push('# HELP porthole_relay_handshakes_pending Connections to the agent port not authenticated yet.', '# TYPE porthole_relay_handshakes_pending gauge', `porthole_relay_handshakes_pending ${a.pending}`);
  out.push('# HELP porthole_relay_handshake_timeouts_total Connections closed at the handshake deadline.', '# TYPE porthole_relay_handshake_timeouts_total counter', `porthole_relay_handshake_timeouts_total ${a.timedOut}`);
  out.push(
    '# HELP porthole_relay_admission_refused_total Agent-port connections refused or dropped before their handshake.',
    '# TYPE porthole_relay_admission_refused_total counter',
    `porthole_relay_admission_refused_total{reason="per_address"} ${a.refusedBusy}`,
    `porthole_relay_admission_refused_total{reason="blocked"} ${a.refusedBlocked}`,
    `porthole_relay_admission_refused_total{reason="evicted"} ${a.evicted}`,
  );
  out.push('# HELP porthole_relay_sources_blocked_total Times a source address was refused after failed handshakes.', '# TYPE porthole_relay_sources_blocked_total counter', `porthole_relay_sources_blocked_total ${a.blocks}`);
  out.push('# HELP porthole_relay_public_refused_total Public connections reset at a port\'s max_connections.', '# TYPE porthole_relay_public_refused_total counter', `porthole_relay_public_refused_total ${m.publicRefused}`);
  const series: Array<[string, string, string]> = [
    ['porthole_relay_bytes_in_total', 'counter', 'Bytes from public clients to the agent.'],
    ['porthole_relay_bytes_out_total', 'counter', 'Bytes from the agent to public clients.'],
    ['porthole_relay_connections_active', 'gauge', 'Open public connections (UDP: peers).'],
    ['porthole_relay_connections_total', 'counter', 'Public connections accepted (UDP: peers seen).'],
  ];
  for (const [name, type, help] of series) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [key, t] of m.totals) {
      const [agent, protocol, port] = key.split('\0') as [string, string, string];
      const v = name.endsWith('bytes_in_total') ? t.bytesIn : name.endsWith('bytes_out_total') ? t.bytesOut : name.endsWith('active') ? t.activeConnections : t.totalConnections;
      out.push(`${name}{agent="${esc(agent)}",protocol="${protocol}",port="${port}"} ${v}`);
    }
  }
  return `${out.join('\n')}\n`;
}
