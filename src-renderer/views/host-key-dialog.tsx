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
  const actions = useActions();
  const where = formatHostPort(prompt.host, prompt.port);
  const reject = () => void actions.answerHostKey(prompt.promptId, 'reject');
  return (
    <Modal labelledBy="hostkey-title" describedBy="hostkey-desc" onClose={reject} role="alertdialog" className="hostkey-dialog">
      <h2 id="hostkey-title">Unknown host key for {where}</h2>
      <p id="hostkey-desc" className="dialog-lead">
        Porthole has not seen this server’s key before{serverName ? ` (server “${serverName}”)` : ''}. Check this fingerprint with the server’s
        administrator before trusting it.
      </p>
      <Fingerprint label={prompt.keyType} value={prompt.fingerprint} testId="hostkey-fingerprint" />
      <p className="field-hint">“Trust always” records the key so you are not asked again; “Trust once” allows only this connection.</p>
      <div className="dialog-actions">
        <button type="button" className="btn btn-danger" onClick={reject}>
          Reject
        </button>
        <button type="button" className="btn" onClick={() => void actions.answerHostKey(prompt.promptId, 'once')}>
          Trust once
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void actions.answerHostKey(prompt.promptId, 'always')}>
          Trust always
        </button>
      </div>
    </Modal>
  );
}

function ChangedKeyDialog({ prompt, serverName }: { prompt: HostKeyPrompt; serverName: string | undefined }) {
  const actions = useActions();
  const close = () => actions.dismissHostKey(prompt.promptId);
  return (
    <Modal labelledBy="hostkey-title" describedBy="hostkey-desc" onClose={close} role="alertdialog" className="hostkey-dialog hostkey-changed">
      <h2 id="hostkey-title" className="hostkey-danger">
        The host key for {prompt.host} has CHANGED
      </h2>
      <p id="hostkey-desc" className="dialog-lead">
        {formatHostPort(prompt.host, prompt.port)}
        {serverName ? ` (server “${serverName}”)` : ''} now presents a different key than the one recorded. Someone may be intercepting the
        connection, or the server was reinstalled. Porthole refused to connect. Ask the server’s administrator; if the new key is genuine,
        remove the old one from your known hosts and connect again.
      </p>
      <Fingerprint label="Recorded" value={prompt.previousFingerprint ?? ''} testId="hostkey-previous" />
      <Fingerprint label={`Presented now (${prompt.keyType})`} value={prompt.fingerprint} testId="hostkey-fingerprint" />
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
