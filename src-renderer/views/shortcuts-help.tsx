import { useTranslation } from 'react-i18next';
import { Modal } from '../components/modal';
import { setHelpOpen, useMappingView } from '../store/mapping-view';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl';

/** `what`: the key of its description under mappings.shortcuts.what. Key names stay as on the keyboard. */
export const SHORTCUTS = [
  { keys: [['N'], [MOD, 'N']], what: 'new' },
  { keys: [['/'], [MOD, 'F']], what: 'search' },
  { keys: [['↑'], ['↓']], what: 'step' },
  { keys: [['Home'], ['End']], what: 'ends' },
  { keys: [['Enter']], what: 'edit' },
  { keys: [['Space'], ['T']], what: 'toggle' },
  { keys: [['Delete']], what: 'delete' },
  { keys: [['Esc']], what: 'escape' },
  { keys: [['?']], what: 'help' },
] as const satisfies readonly { keys: readonly (readonly string[])[]; what: string }[];

export function ShortcutsHelp() {
  const { t } = useTranslation();
  const open = useMappingView((s) => s.helpOpen);
  if (!open) return null;
  const close = () => setHelpOpen(false);
  return (
    <Modal labelledBy="shortcuts-title" onClose={close} className="shortcuts-dialog">
      <h2 id="shortcuts-title">{t('mappings.shortcuts.title')}</h2>
      <p className="dialog-lead">{t('mappings.shortcuts.lead')}</p>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td className="shortcut-keys">
                {s.keys.map((combo, i) => (
                  <span key={combo.join('+')}>
                    {i > 0 && <span className="muted"> {t('mappings.shortcuts.or')} </span>}
                    {combo.map((k, j) => (
                      <span key={k}>
                        {j > 0 && '+'}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </td>
              <td>{t(`mappings.shortcuts.what.${s.what}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
