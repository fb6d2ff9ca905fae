// The idle scenario of the relay bench (relayIdle in bench/relay-scenarios.mjs): how much memory each
// side of a reverse tunnel holds per idle tunnelled connection.
import { askCount } from './contenders.mjs';
import { rssKiB } from './cpu.mjs';
import { whileIdle } from './measure.mjs';
import { freeTcpPort, sleep, stopProc, waitFor } from './procs.mjs';
import { CLI_IDS, startCliPair } from './relay-cli.mjs';
import { onStreams, startRelayPair } from './relay-contenders.mjs';
import { startSshR } from './sshd.mjs';

/**
 * One idle round: fresh processes for contender c (relay pair or ssh -R), RSS of each side before and
 * after n connections that each proved themselves end to end with a 1 B echo and then stay idle.
 */
export async function idleRound(c, echo, sshd, n) {
  await waitFor('idle target drained', async () => (await askCount(echo.entry)) === 0, undefined, 15_000);
  const pub = await freeTcpPort();
  let sides;
  let stop;
  let pair;
  if (c === 'relay' || c === 'relay-h2' || CLI_IDS.includes(c)) {
    try {
      pair = CLI_IDS.includes(c) ? await startCliPair(c, `${c}-idle`, [{ pub, target: echo.port }]) : await startRelayPair(`${c}-idle`, [{ pub, target: echo.port }], { pool: c === 'relay' });
    } catch (err) {
      return { error: `${c} did not start: ${err.message}` };
    }
    sides = { pub: () => [pair.relay.child.pid], agent: () => [pair.agent.child.pid] };
    stop = pair.stop;
  } else {
    const before = new Set(sshd.pids());
    const ssh = await startSshR('ssh-R-idle', sshd, [{ pub, target: echo.port }]);
    // This session's sshd processes (monitor + session child), not the listener or other sessions.
    const session = sshd.pids().filter((p) => !before.has(p));
    sides = { pub: () => session, agent: () => [ssh.child.pid] };
    stop = () => stopProc(ssh, 3000);
  }
  try {
    await sleep(300);
    const base = { pub: rssKiB(sides.pub()), agent: rssKiB(sides.agent()) };
    return await whileIdle('relay-idle-client', pub, n, 200, echo.entry, async (opened, atTarget) => {
      const after = { pub: rssKiB(sides.pub()), agent: rssKiB(sides.agent()) };
      // Connections opened in bursts find the pool empty after its first few: say how many took which path.
      const pool = pair?.poolStats ? await pair.poolStats() : undefined;
      const per = (k) => Math.round(((after[k] - base[k]) / opened.opened) * 100) / 100;
      const res = {
        connections: opened.opened,
        atTarget,
        openMs: opened.ms,
        pubBaseMiB: Math.round(base.pub / 102.4) / 10,
        agentBaseMiB: Math.round(base.agent / 102.4) / 10,
        pubKiBPerConn: per('pub'),
        agentKiBPerConn: per('agent'),
        ...(pool ? { onDataConns: pool.taken, onStreams: onStreams(pool) } : {}),
      };
      if (opened.opened < n) res.error = `only ${opened.opened}/${n} connections opened (${opened.lastError ?? ''})`;
      return res;
    });
  } finally {
    await stop();
  }
}
