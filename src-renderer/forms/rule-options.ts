import type { TcpOptions, UdpOptions } from '../../src-shared/model/rule';
import { t } from '../i18n/i18n';

// The "Advanced" part of the create/edit form: per-type forwarding options as the strings inputs hold,
// and the conversion both ways. Times are seconds in the form and milliseconds in the model.

export type ProxyProtocol = TcpOptions['proxyProtocol'];
/** "Off" is read from the catalogue each time, so it follows the UI language. */
export const PROXY_PROTOCOLS: readonly { value: ProxyProtocol; label: string }[] = [
  {
    value: 'off',
    get label() {
      return t('advanced.proxyOff');
    },
  },
  { value: 'v1', label: 'v1' },
  { value: 'v2', label: 'v2' },
];

export interface OptionValues {
  /** One IP or CIDR range per line or comma-separated. */
  allow: string;
  deny: string;
  /** TCP only. */
  maxConnections: string;
  /** UDP only. */
  maxSessions: string;
  /** TCP and SOCKS, seconds. */
  connectTimeout: string;
  /** Seconds; TCP 0 = never. */
  idleTimeout: string;
  keepAlive: boolean;
  proxyProtocol: ProxyProtocol;
}

export const TCP_DEFAULTS: TcpOptions = {
  allow: [],
  deny: [],
  maxConnections: 0,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  keepAlive: true,
  proxyProtocol: 'off',
};

export const UDP_DEFAULTS: UdpOptions = { allow: [], deny: [], idleTimeoutMs: 60_000, maxSessions: 1000 };

export function msToSeconds(ms: number): string {
  return String(ms / 1000);
}

/** Blank → undefined (the schema's default applies); otherwise seconds → whole ms (NaN stays NaN, so it fails). */
export function secondsToMs(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const s = Number(t);
  return Number.isFinite(s) ? Math.round(s * 1000) : NaN;
}

/** Blank → undefined; anything else → Number (non-integers and NaN fail the schema). */
export function countValue(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** Splits a textarea into entries: newlines and commas separate, blanks are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function joinList(entries: readonly string[]): string {
  return entries.join('\n');
}

export function optionValuesFrom(tcp: TcpOptions = TCP_DEFAULTS, udp: UdpOptions = UDP_DEFAULTS, type: 'tcp' | 'udp' = 'tcp'): OptionValues {
  const lists = type === 'udp' ? udp : tcp;
  return {
    allow: joinList(lists.allow),
    deny: joinList(lists.deny),
    maxConnections: String(tcp.maxConnections),
    maxSessions: String(udp.maxSessions),
    connectTimeout: msToSeconds(tcp.connectTimeoutMs),
    idleTimeout: msToSeconds(type === 'udp' ? udp.idleTimeoutMs : tcp.idleTimeoutMs),
    keepAlive: tcp.keepAlive,
    proxyProtocol: tcp.proxyProtocol,
  };
}

/** Drops keys whose value is undefined, so the schema's defaults fill them in. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type TcpOptionsInput = Partial<TcpOptions>;
export type UdpOptionsInput = Partial<UdpOptions>;

export function tcpOptionsFromValues(v: OptionValues): TcpOptionsInput {
  return defined({
    allow: splitList(v.allow),
    deny: splitList(v.deny),
    maxConnections: countValue(v.maxConnections),
    connectTimeoutMs: secondsToMs(v.connectTimeout),
    idleTimeoutMs: secondsToMs(v.idleTimeout),
    keepAlive: v.keepAlive,
    proxyProtocol: v.proxyProtocol,
  });
}

export function udpOptionsFromValues(v: OptionValues): UdpOptionsInput {
  return defined({
    allow: splitList(v.allow),
    deny: splitList(v.deny),
    idleTimeoutMs: secondsToMs(v.idleTimeout),
    maxSessions: countValue(v.maxSessions),
  });
}

/**
 * Switching TCP ↔ UDP keeps what the user typed, except an idle timeout still at the old type's
 * default, which becomes the new type's default (TCP never times out by default, UDP after 60 s).
 */
export function switchOptionType<T extends OptionValues>(v: T, to: 'tcp' | 'udp'): T {
  const from = to === 'udp' ? TCP_DEFAULTS.idleTimeoutMs : UDP_DEFAULTS.idleTimeoutMs;
  const next = to === 'udp' ? UDP_DEFAULTS.idleTimeoutMs : TCP_DEFAULTS.idleTimeoutMs;
  const idle = secondsToMs(v.idleTimeout);
  return idle === from || idle === undefined ? { ...v, idleTimeout: msToSeconds(next) } : v;
}

/** How many advanced settings differ from the defaults (shown next to the collapsed section). */
export function countCustomOptions(v: OptionValues, type: 'tcp' | 'udp' | 'socks'): number {
  const d = optionValuesFrom(TCP_DEFAULTS, UDP_DEFAULTS, type === 'udp' ? 'udp' : 'tcp');
  const keys: (keyof OptionValues)[] =
    type === 'udp'
      ? ['allow', 'deny', 'idleTimeout', 'maxSessions']
      : type === 'socks'
        ? ['connectTimeout']
        : ['allow', 'deny', 'maxConnections', 'connectTimeout', 'idleTimeout', 'keepAlive', 'proxyProtocol'];
  const norm = (k: keyof OptionValues, x: OptionValues) => {
    const val = x[k];
    if (typeof val === 'boolean') return String(val);
    if (k === 'allow' || k === 'deny') return joinList(splitList(val));
    if (k === 'connectTimeout' || k === 'idleTimeout') return String(secondsToMs(val));
    return val.trim();
  };
  return keys.filter((k) => norm(k, v) !== norm(k, d)).length;
}
