import { useTranslation } from 'react-i18next';
import type { RelayServerStatus } from '../../src-shared/model/relay';
import { fmtDuration } from '../i18n/format';
import { t as tt } from '../i18n/i18n';
import { translateMessage } from '../i18n/messages';
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
  if (status?.running) return { label: tt('relayView.running'), tone: 'green' };
  if (status?.error) return { label: tt('relayView.failed'), tone: 'red' };
  return { label: tt('relayView.stopped'), tone: 'grey' };
}

/** Running or not, where it listens, its certificate, and Start/Stop. */
export function RelayStatusCard({ status, busy, dirty, actionError, onStart, onStop }: RelayStatusCardProps) {
  const { t } = useTranslation();
  const running = status?.running === true;
  const now = useNow(running);
  const state = stateOf(status);
  return (
    <section className="card relay-status" aria-labelledby="relay-status-title" data-testid="relay-status" data-running={running}>
      <div className="card-head">
        <h3 id="relay-status-title">{t('relayView.status')}</h3>
        <span className={`pill pill-${state.tone}`} data-testid="relay-server-state">
          <span className="pill-dot" aria-hidden="true" />
          {state.label}
        </span>
        <span className="card-head-spacer" />
        {running ? (
          <button type="button" className="btn" onClick={onStop} disabled={busy !== null}>
            {busy === 'stop' ? t('relayView.stopping') : t('relayView.stop')}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={onStart} disabled={busy !== null} title={dirty ? t('relayView.savesFirst') : undefined}>
            {busy === 'start' ? t('relayView.starting') : dirty ? t('relayView.saveAndStart') : t('relayView.start')}
          </button>
        )}
      </div>
      {running && status ? (
        <dl className="relay-facts">
          <div>
            <dt>{t('relayView.listeningOn')}</dt>
            <dd>
              <code data-testid="relay-listening">{status.listening ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>{t('relayView.runningFor')}</dt>
            <dd>{status.startedAt ? fmtDuration(Math.max(0, now - status.startedAt)) : '—'}</dd>
          </div>
          <div>
            <dt>{t('relayView.encryption')}</dt>
            <dd className={status.tls ? undefined : 'text-warn'}>{status.tls ? t('relayView.tls') : t('relayView.plain')}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted relay-idle-note">{t('relayView.notRunning')}</p>
      )}
      {running && status?.fingerprint && (
        <>
          <Fingerprint label={t('relayView.fingerprint')} value={status.fingerprint} testId="relay-server-fingerprint" copyLabel={t('relayView.copyFingerprint')} />
          <p className="field-hint relay-fp-hint">{t('relayView.fingerprintHint')}</p>
        </>
      )}
      {(actionError ?? status?.error) && (
        <p className="form-error" role="alert" data-testid="relay-server-error">
          {translateMessage(actionError ?? status?.error?.message ?? '')}
        </p>
      )}
      {status && status.warnings.length > 0 && (
        <ul className="relay-warnings">
          {status.warnings.map((w) => (
            <li key={w} className="inline-warn">
              {translateMessage(w)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
