import { useTranslation } from 'react-i18next';
import type { HostKeyPrompt } from '../../src-shared/model/ssh';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { formatHostPort } from '../../src-shared/format/address';
import { useApp } from '../store/app-store';
import { Fingerprint } from './fingerprint';

/** The oldest waiting host-key prompt, one at a time, above everything else. */
export function HostKeyPrompts() {
  const prompt = useApp((s) => s.hostKeyPrompts[0]);
  const serverName = useApp((s) => (prompt ? s.servers.entries[prompt.serverId]?.server.name : undefined));
  if (!prompt) return null;
  return prompt.previousFingerprint ? (
    <ChangedKeyDialog key={prompt.promptId} prompt={prompt} serverName={serverName} />
  ) : (
    <UnknownKeyDialog key={prompt.promptId} prompt={prompt} serverName={serverName} />
  );
}

function UnknownKeyDialog({ prompt, serverName }: { prompt: HostKeyPrompt; serverName: string | undefined }) {
  const { t } = useTranslation();
  const actions = useActions();
  const where = formatHostPort(prompt.host, prompt.port);
  const reject = () => void actions.answerHostKey(prompt.promptId, 'reject');
  return (
    <Modal labelledBy="hostkey-title" describedBy="hostkey-desc" onClose={reject} role="alertdialog" className="hostkey-dialog">
      <h2 id="hostkey-title">{t('hostKey.unknownTitle', { where })}</h2>
      <p id="hostkey-desc" className="dialog-lead">
        {t('hostKey.unknownLead', { server: serverName ? t('hostKey.serverNamed', { name: serverName }) : '' })}
      </p>
      <Fingerprint label={prompt.keyType} value={prompt.fingerprint} testId="hostkey-fingerprint" />
      <p className="field-hint">{t('hostKey.trustHint')}</p>
      <div className="dialog-actions">
        <button type="button" className="btn btn-danger" onClick={reject}>
          {t('hostKey.reject')}
        </button>
        <button type="button" className="btn" onClick={() => void actions.answerHostKey(prompt.promptId, 'once')}>
          {t('hostKey.trustOnce')}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void actions.answerHostKey(prompt.promptId, 'always')}>
          {t('hostKey.trustAlways')}
        </button>
      </div>
    </Modal>
  );
}

function ChangedKeyDialog({ prompt, serverName }: { prompt: HostKeyPrompt; serverName: string | undefined }) {
  const { t } = useTranslation();
  const actions = useActions();
  const close = () => actions.dismissHostKey(prompt.promptId);
  return (
    <Modal labelledBy="hostkey-title" describedBy="hostkey-desc" onClose={close} role="alertdialog" className="hostkey-dialog hostkey-changed">
      <h2 id="hostkey-title" className="hostkey-danger">
        {t('hostKey.changedTitle', { host: prompt.host })}
      </h2>
      <p id="hostkey-desc" className="dialog-lead">
        {t('hostKey.changedLead', {
          where: formatHostPort(prompt.host, prompt.port),
          server: serverName ? t('hostKey.serverNamed', { name: serverName }) : '',
        })}
      </p>
      <Fingerprint label={t('hostKey.recorded')} value={prompt.previousFingerprint ?? ''} testId="hostkey-previous" />
      <Fingerprint label={t('hostKey.presentedNow', { keyType: prompt.keyType })} value={prompt.fingerprint} testId="hostkey-fingerprint" />
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
