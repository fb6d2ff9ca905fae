import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import type { SshServer } from '../../src-shared/model/ssh';
import { moveJump, toggleJump } from '../forms/server-form';

interface JumpHostsFieldProps {
  /** Servers that may be jump hosts (not this one, nothing that would loop). */
  candidates: readonly SshServer[];
  /** Every saved server, to name hops that are no longer candidates. */
  nameOf: (id: string) => string;
  value: readonly string[];
  onValue: (jump: string[]) => void;
  /** This server's name as typed so far, for the route summary. */
  selfName: string;
  error?: string | undefined;
}

/** "Jump hosts" (ProxyJump): an ordered checkbox list. Checked hops come first, in the order they are traversed. */
export function JumpHostsField({ candidates, nameOf, value, onValue, selfName, error }: JumpHostsFieldProps) {
  const { t } = useTranslation();
  const chosen = value.map((id) => ({ id, name: nameOf(id) }));
  const rest = candidates.filter((c) => !value.includes(c.id)).map((c) => ({ id: c.id, name: c.name }));
  const route = [t('serverDialog.thisMachine'), ...chosen.map((c) => c.name), selfName.trim() || t('serverDialog.thisServer')].join(' → ');
  return (
    <div className="field jump-field" role="group" aria-labelledby="server-jump-label" aria-describedby="server-jump-msg">
      <span id="server-jump-label" className="field-label">
        {t('serverDialog.jumpHosts')}
      </span>
      {candidates.length === 0 && value.length === 0 ? (
        <p className="muted jump-empty">{t('serverDialog.jumpNone')}</p>
      ) : (
        <ul className="jump-list">
          {[...chosen, ...rest].map((c) => {
            const i = value.indexOf(c.id);
            const on = i >= 0;
            return (
              <li key={c.id} className={on ? 'jump-on' : undefined}>
                <label className="checkbox">
                  <input type="checkbox" checked={on} onChange={(e) => onValue(toggleJump(value, c.id, e.target.checked))} />
                  {on && <span className="jump-hop">{i + 1}.</span>}
                  {c.name}
                </label>
                {on && value.length > 1 && (
                  <span className="jump-move">
                    <button type="button" className="btn btn-ghost btn-small" aria-label={t('serverDialog.moveEarlier', { name: c.name })} disabled={i === 0} onClick={() => onValue(moveJump(value, c.id, -1))}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      aria-label={t('serverDialog.moveLater', { name: c.name })}
                      disabled={i === value.length - 1}
                      onClick={() => onValue(moveJump(value, c.id, 1))}
                    >
                      ↓
                    </button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p id="server-jump-msg" className={error ? 'field-error' : 'field-hint'} data-testid={error ? 'field-error' : undefined}>
        {error ? translateMessage(error) : t('serverDialog.route', { route })}
      </p>
    </div>
  );
}
