import { type Page, type WebSocketRoute, expect } from '@playwright/test';
import type { LogEntry, LogLevel } from '../../src-shared/model/log';
import type { WsEvent } from '../../src-shared/api/ws-protocol';

/**
 * Extra `log` events on the page's own API socket. The socket still goes to the real host (Playwright
 * relays every message both ways); the test only adds event frames, exactly as the host sends them, so
 * the lines travel the renderer's real path: transport → client → bridge → store → view. Nothing
 * test-only is built into the app.
 */
export class LogFeed {
  private route: WebSocketRoute | undefined;
  private seq = 1_000_000;

  static async attach(page: Page): Promise<LogFeed> {
    const feed = new LogFeed();
    await page.routeWebSocket(/\/api$/, (ws) => {
      ws.connectToServer();
      feed.route = ws;
    });
    return feed;
  }

  async ready(): Promise<void> {
    await expect.poll(() => this.route !== undefined).toBe(true);
  }

  /** Sends one batch; seq numbers continue past the host's own so the bridge takes them as new. */
  send(lines: readonly Omit<LogEntry, 'seq'>[]): void {
    if (!this.route) throw new Error('the page has not opened its API socket yet');
    const p = lines.map((l) => ({ ...l, seq: ++this.seq }));
    const event: WsEvent = { t: 'event', e: 'log', p };
    this.route.send(JSON.stringify(event));
  }
}

export const line = (level: LogLevel, message: string, extra: Partial<LogEntry> = {}): Omit<LogEntry, 'seq'> => ({
  ts: Date.now(),
  level,
  message,
  ...extra,
});

const SAMPLES: readonly [LogLevel, string][] = [
  ['info', 'Accepted 10.0.0.{n}:5{n} → 127.0.0.1:5432'],
  ['info', 'Listening on 127.0.0.1:8080'],
  ['debug', 'keepalive ok after {n} ms'],
  ['warn', 'connect ETIMEDOUT 10.1.2.3:22 — retrying in 2.0 s'],
  ['info', 'relay web 0.0.0.0:8080 10.0.0.5:5{n} GET /assets/app.{n}.js → 200 (1.{n} ms)'],
  ['error', 'Port 8080 on 127.0.0.1 is already in use by nginx (pid {n}) — choose another listen port'],
  ['info', 'Closed 10.0.0.{n}:4{n} after 12.{n} s: 4.1 MB in, 230 kB out'],
  ['warn', 'agent "laptop" (192.168.1.{n}) missed a heartbeat (15000 ms); dropping its session'],
];

/** `count` realistic lines, mixed levels; every 97th is long enough to wrap. */
export function syntheticLines(count: number, start = 0, ruleIds: readonly string[] = []): Omit<LogEntry, 'seq'>[] {
  const out: Omit<LogEntry, 'seq'>[] = [];
  const now = Date.now();
  for (let i = start; i < start + count; i++) {
    const [level, tpl] = SAMPLES[i % SAMPLES.length]!;
    let message = `#${i} ${tpl.replaceAll('{n}', String(i % 250))}`;
    if (i % 97 === 0) message += ` — ${'upstream said: connection reset by peer; '.repeat(6)}`;
    const e: Omit<LogEntry, 'seq'> = { ts: now - (start + count - i), level, message };
    const rule = ruleIds.length > 0 ? ruleIds[i % (ruleIds.length + 1)] : undefined;
    if (rule) e.ruleId = rule;
    out.push(e);
  }
  return out;
}
