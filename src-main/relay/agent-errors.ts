import type { RuleErrorCode } from '../../src-shared/model/errors';
import { connectError, EngineError, errnoCode } from '../engine/engine-error';
import { HandshakeError } from './handshake';

// What a failed attempt to reach the relay is called, for the rule's error and whether the agent retries.

// Retrying these repeats the refusal; the person has to act (fix the token, check the certificate).
export const FATAL: ReadonlySet<RuleErrorCode> = new Set(['AUTH_FAILED', 'RELAY_CERT_CHANGED', 'RELAY_CERT_UNKNOWN', 'RELAY_REJECTED']);

/** A failed attempt (dial, TLS, pin check, handshake) as the EngineError the agent reports. */
export function toEngineError(err: unknown, label: string): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof HandshakeError) {
    switch (err.code) {
      case 'AUTH_FAILED':
        return new EngineError('AUTH_FAILED', `${label}: ${err.message}`);
      case 'VERSION':
      case 'PROTOCOL':
        return new EngineError('PROTOCOL_ERROR', `${label}: ${err.message}`);
      case 'REPLACED':
        return new EngineError('RELAY_REJECTED', `${label}: ${err.message}`);
      case 'CLOSED':
        // What a relay's admission control looks like from here (relay/admission.ts).
        return new EngineError('CONNECTION_RESET', `${label}: ${err.message} (the relay may be busy, or refusing this address for a while after failed handshakes from it) — reconnecting`);
      default:
        return new EngineError('CONNECTION_RESET', `${label}: ${err.message} — reconnecting`);
    }
  }
  const code = errnoCode(err);
  if (code === 'ECONNREFUSED') return new EngineError('TARGET_REFUSED', `${label} refused the connection (is the relay running?) — retrying`, err);
  if (code === 'ETIMEDOUT') return new EngineError('TARGET_TIMEOUT', `${label} did not answer (${(err as Error).message}) — retrying`, err);
  const mapped = connectError(err, '', 0);
  return new EngineError(mapped.code, `${label}: ${(err as Error).message ?? String(err)}`, err);
}
