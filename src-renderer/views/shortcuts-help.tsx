import { Modal } from '../components/modal';
import { setHelpOpen, useMappingView } from '../store/mapping-view';

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl';

export const SHORTCUTS: readonly { keys: readonly string[][]; what: string }[] = [
  { keys: [['N'], [MOD, 'N']], what: 'New mapping' },
  { keys: [['/'], [MOD, 'F']], what: 'Search mappings' },
  { keys: [['↑'], ['↓']], what: 'Select the previous or next mapping' },
  { keys: [['Home'], ['End']], what: 'Select the first or last mapping' },
  { keys: [['Enter']], what: 'Edit the selected mapping' },
  { keys: [['Space'], ['T']], what: 'Switch the selected mapping on or off' },
  { keys: [['Delete']], what: 'Delete the selected mapping (asks first)' },
  { keys: [['Esc']], what: 'Clear the search, close the details' },
  { keys: [['?']], what: 'Show these shortcuts' },
];

export function ShortcutsHelp() {
  const open = useMappingView((s) => s.helpOpen);
  if (!open) return null;
  const close = () => setHelpOpen(false);
  return (
    <Modal labelledBy="shortcuts-title" onClose={close} className="shortcuts-dialog">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p className="dialog-lead">In the Mappings view, when you are not typing in a field.</p>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td className="shortcut-keys">
                {s.keys.map((combo, i) => (
                  <span key={combo.join('+')}>
                    {i > 0 && <span className="muted"> or </span>}
                    {combo.map((k, j) => (
                      <span key={k}>
                        {j > 0 && '+'}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={close} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
