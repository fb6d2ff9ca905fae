import type { RelayServerStatus } from '../../src-shared/model/relay';
import { formatDuration } from '../../src-shared/format/units';
import { useNow } from '../lib/use-now';
import { Fingerprint } from './fingerprint';

interface RelayStatusCardProps {
  status: RelayServerStatus | null;
  busy: 'save' | 'start' | 'stop' | null;
  /** The settings form has unsaved changes (Start saves them first). */
  dirty: boolean;
  /** Why the last Start or Stop failed (e.g. an agent without a token). */
  actionError: string | null;
  onStart: () => void;
  onStop: () => void;
}

function stateOf(status: RelayServerStatus | null): { label: string; tone: 'green' | 'red' | 'grey' } {
  if (status?.running) return { label: 'Running', tone: 'green' };
  if (status?.error) return { label: 'Failed', tone: 'red' };
  return { label: 'Stopped', tone: 'grey' };
}

/** Running or not, where it listens, its certificate, and Start/Stop. */
export function RelayStatusCard({ status, busy, dirty, actionError, onStart, onStop }: RelayStatusCardProps) {
  const running = status?.running === true;
  const now = useNow(running);
  const state = stateOf(status);
  return (
    <section className="card relay-status" aria-labelledby="relay-status-title" data-testid="relay-status" data-running={running}>
      <div className="card-head">
        <h3 id="relay-status-title">Status</h3>
        <span className={`pill pill-${state.tone}`} data-testid="relay-server-state">
          <span className="pill-dot" aria-hidden="true" />
          {state.label}
        </span>
        <span className="card-head-spacer" />
        {running ? (
          <button type="button" className="btn" onClick={onStop} disabled={busy !== null}>
            {busy === 'stop' ? 'Stopping…' : 'Stop relay'}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={onStart} disabled={busy !== null} title={dirty ? 'Saves the changed settings first' : undefined}>
            {busy === 'start' ? 'Starting…' : dirty ? 'Save and start relay' : 'Start relay'}
          </button>
        )}
      </div>
      {running && status ? (
        <dl className="relay-facts">
          <div>
            <dt>Listening on</dt>
            <dd>
              <code data-testid="relay-listening">{status.listening ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>Running for</dt>
            <dd>{status.startedAt ? formatDuration(Math.max(0, now - status.startedAt)) : '—'}</dd>
          </div>
          <div>
            <dt>Encryption</dt>
            <dd className={status.tls ? undefined : 'text-warn'}>{status.tls ? 'TLS' : 'None (plain TCP)'}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted relay-idle-note">Not running. Agents cannot connect and no public ports are open.</p>
      )}
      {running && status?.fingerprint && (
        <>
          <Fingerprint label="Certificate fingerprint (SHA-256)" value={status.fingerprint} testId="relay-server-fingerprint" copyLabel="Copy fingerprint" />
          <p className="field-hint relay-fp-hint">Agents pin this on their first connection: compare it there, or give it to them in their relay settings.</p>
        </>
      )}
      {(actionError ?? status?.error) && (
        <p className="form-error" role="alert" data-testid="relay-server-error">
          {actionError ?? status?.error?.message}
        </p>
      )}
      {status && status.warnings.length > 0 && (
        <ul className="relay-warnings">
          {status.warnings.map((w) => (
            <li key={w} className="inline-warn">
              {w}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
