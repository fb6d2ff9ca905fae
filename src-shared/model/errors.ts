// Stable error codes carried by rule states, connection errors and API failures. The UI and the CLI
// key their behaviour on these; the message next to them is for people.

export const RULE_ERROR_CODES = [
  'PORT_IN_USE',
  'PERMISSION_DENIED',
  'ADDRESS_NOT_AVAILABLE',
  'TARGET_REFUSED',
  'TARGET_UNREACHABLE',
  'TARGET_TIMEOUT',
  'DNS_FAILED',
  'CONNECTION_RESET',
  'HOST_KEY_CHANGED',
  'HOST_KEY_UNKNOWN',
  'AUTH_FAILED',
  // A SOCKS rule names a user but this machine holds no password for it: refusing to start beats
  // serving everyone without authentication.
  'SOCKS_PASSWORD_MISSING',
  'RELAY_REJECTED',
  'RELAY_CERT_CHANGED',
  'RELAY_CERT_UNKNOWN',
  'PROTOCOL_ERROR',
  // The data plane (the thread that moves TCP/UDP/SOCKS bytes) stopped under a running rule.
  'DATA_PLANE_STOPPED',
  'INTERNAL',
] as const;

export type RuleErrorCode = (typeof RULE_ERROR_CODES)[number];

export const API_ERROR_CODES = ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'UNAUTHORIZED', 'INTERNAL'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiIssue {
  /** Dotted path of the offending field, e.g. `listen.port`; empty for the whole input. */
  path: string;
  message: string;
}

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  issues?: ApiIssue[];
}

/** Thrown by API clients when the host answered with a failure. */
export class ApiError extends Error implements ApiErrorData {
  readonly code: ApiErrorCode;
  readonly issues: ApiIssue[];
  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.issues = data.issues ?? [];
  }
}
