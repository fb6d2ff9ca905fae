import { z } from 'zod';
import { RuleIdSchema } from './primitives';

// The HTTP inspector (issue 17): what a mapping with "Inspect HTTP" records of each request/response
// exchange, how the UI and the CLI ask for it, and how a replay is described. Bodies travel as base64:
// they are bytes, and the API is JSON.

export const KIB = 1024;
export const MIB = 1024 * KIB;
/** Per-body capture limit unless the mapping says otherwise; the rest is counted, not kept. */
export const DEFAULT_MAX_BODY_BYTES = MIB;
export const MAX_BODY_LIMIT = 16 * MIB;
/** The store keeps the last this many exchanges per mapping… */
export const RING_PER_MAPPING = 1000;
/** …and at most this many bytes (bodies and heads) across all mappings: the oldest go first. */
export const STORE_MAX_BYTES = 64 * MIB;

/** A mapping's "Inspect HTTP" switch (tcp-forward, ssh-local, relay-expose). */
export const InspectOptionSchema = z
  .object({
    enabled: z.boolean().default(false),
    maxBodyBytes: z.number().int().min(0).max(MAX_BODY_LIMIT, `at most ${MAX_BODY_LIMIT / MIB} MiB`).default(DEFAULT_MAX_BODY_BYTES),
  })
  .strict();
export type InspectOption = z.output<typeof InspectOptionSchema>;

/** Header fields in order, as sent (names keep their case; repeated fields stay separate). */
export type HeaderList = Array<[string, string]>;

/** Header values hidden in the UI until revealed (and in `porthole inspect` output). */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}

/** Why an exchange has no (complete) response. */
export type ExchangeEnd = 'complete' | 'closed' | 'upgraded' | 'tunnel' | 'gave-up';

/** One row of the inspector list. */
export interface ExchangeSummary {
  /** Unique for the life of the host process, increasing. */
  id: number;
  ruleId: string;
  /** Connection number within the mapping (same number: same TCP connection, keep-alive). */
  connId: number;
  /** The client's address, host:port. */
  client: string;
  /** Epoch ms of the request's first byte. */
  startedAt: number;
  method: string;
  /** The request-target as sent (origin form `/path?q`, or absolute form through a proxy). */
  url: string;
  /** The Host header, when there is one. */
  host?: string;
  /** Final status; 0 when no response head arrived. */
  status: number;
  /** Body sizes as they crossed the wire (after de-chunking), whether or not all of it was kept. */
  requestBytes: number;
  responseBytes: number;
  /** First request byte → response complete (or connection end). */
  durationMs: number;
  /** First request byte → first response byte. */
  ttfbMs?: number;
  end: ExchangeEnd;
  /** The protocol switched to (`websocket`): bytes after the 101 flow untouched and are not shown. */
  upgrade?: string;
  /** Some body bytes were not kept (over the mapping's limit). */
  truncated?: boolean;
  responseType?: string;
  /** Set on an exchange Porthole sent itself (replay): the id it replayed. */
  replayOf?: number;
}

export interface BodyView {
  /** Bytes on the wire (de-chunked). */
  size: number;
  /** The kept bytes, base64. */
  base64: string;
  truncated: boolean;
  /** Content-Encoding when the body was decoded for display (gzip, br, deflate). */
  encoding?: string;
  /** The decoded bytes, base64, when `encoding` is set and decoding worked. */
  decodedBase64?: string;
  /** Why decoding did not work (a truncated body cannot be decoded to the end, or it is not what it says). */
  decodeError?: string;
}

export interface ExchangeTimings {
  /** First request byte → request complete. */
  requestMs?: number;
  /** Request complete → first response byte (the server's think time). */
  waitMs?: number;
  /** First response byte → response complete. */
  receiveMs?: number;
}

export interface ExchangeDetail extends ExchangeSummary {
  httpVersion: string;
  request: { headers: HeaderList; body: BodyView };
  response?: { httpVersion: string; reason: string; headers: HeaderList; body: BodyView };
  /** Interim responses seen before the final one (100 Continue, 103 Early Hints). */
  interim: number[];
  timings: ExchangeTimings;
  /** The mapping's target when recorded (where a replay goes). */
  target?: string;
}

/** A mapping the inspector has noticed something about (not HTTP, TLS): said once per mapping. */
export interface InspectorNotice {
  ruleId: string;
  kind: 'not-http' | 'tls' | 'gave-up';
  message: string;
  at: number;
}

export interface InspectorList {
  exchanges: ExchangeSummary[];
  notices: InspectorNotice[];
}

export type InspectorEvent = { kind: 'added'; exchanges: ExchangeSummary[] } | { kind: 'cleared'; ruleId?: string } | { kind: 'notice'; notice: InspectorNotice };

export const InspectorListSchema = z
  .object({
    ruleId: RuleIdSchema.optional(),
    /** Only exchanges with a greater id. */
    afterId: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(10_000).default(1000),
  })
  .strict();
export type InspectorListQuery = z.input<typeof InspectorListSchema>;

const HeaderNameSchema = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/, 'not a valid header name');
// Field values may not hold CR, LF or NUL (RFC 9110 §5.5): they would split the request.
const HeaderValueSchema = z.string().max(16 * KIB).regex(/^[^\r\n\0]*$/, 'a header value cannot contain line breaks');

export const ReplayEditSchema = z
  .object({
    method: z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$/, 'not a valid method'),
    url: z.string().min(1, 'enter a path such as /').max(16 * KIB).regex(/^[^\s]+$/, 'the URL cannot contain spaces or line breaks'),
    headers: z.array(z.tuple([HeaderNameSchema, HeaderValueSchema])).max(200),
    /** The body to send, base64 (Content-Length is set to its size). */
    bodyBase64: z.string().max(Math.ceil((MAX_BODY_LIMIT * 4) / 3) + 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
  })
  .strict();
export type ReplayEdit = z.output<typeof ReplayEditSchema>;

export const ReplayInputSchema = z.object({ id: z.number().int().min(1), edit: ReplayEditSchema.optional() }).strict();
export type ReplayInput = z.input<typeof ReplayInputSchema>;

export const InspectorGetSchema = z.object({ id: z.number().int().min(1) }).strict();
export const InspectorClearSchema = z.object({ ruleId: RuleIdSchema.optional() }).strict();

/** The exchange's value for a header (first occurrence, case-insensitive). */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === n)?.[1];
}
