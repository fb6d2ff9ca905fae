import { useTranslation } from 'react-i18next';
import type { ImportItem } from '../../src-shared/model/import';
import { actionLabel, conflictText, type ItemChoice, renameError } from '../forms/import-plan';

interface ImportItemRowProps {
  item: ImportItem;
  choice: ItemChoice;
  /** Several files: each item says which one it came from. */
  showSource: boolean;
  onChoice: (choice: ItemChoice) => void;
}

/** One mapping, SSH server or relay of an import preview: what it is, what it clashes with, and what to do with it. */
export function ImportItemRow({ item, choice, showSource, onChoice }: ImportItemRowProps) {
  const { t } = useTranslation();
  const id = `import-item-${item.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const error = renameError(item, choice);
  const skipped = choice.action === 'skip' || choice.action === 'reuse';
  return (
    <li className={`import-item ${skipped ? 'is-skipped' : ''}`} data-testid="import-item" data-item-name={item.name} data-kind={item.kind} data-action={choice.action}>
      <div className="import-item-main">
        <div className="import-item-title">
          <span className="import-item-name">{item.name}</span>
          {item.hasSecret && (
            <span className="secret-badge" data-testid="secret-badge" title={t('importExport.item.secretTitle')}>
              <svg viewBox="0 0 16 16" width="11" height="11" aria-hidden="true" fill="currentColor">
                <path d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V7a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm2 5H6V4.5a2 2 0 1 1 4 0V6Z" />
              </svg>
              {t('importExport.item.secret')}
            </span>
          )}
          {item.offLoopback && (
            <span className="exposure-badge" data-testid="off-loopback-badge" title={t('importExport.item.offLoopbackTitle', { address: item.listenAt ?? '' })}>
              <span aria-hidden="true">⚠ </span>
              {t('importExport.item.offLoopback')}
            </span>
          )}
          {showSource && <span className="import-item-source muted">{t('importExport.item.from', { source: item.source })}</span>}
        </div>
        <p className="import-item-summary">
          {item.summary}
          {item.jumps ? ` ${t('importExport.item.viaJumps', { count: item.jumps })}` : ''}
        </p>
        {item.skippedBecause === 'link-off-loopback' && choice.action === 'skip' && (
          <p className="import-conflict" data-testid="link-skipped">
            {t('importExport.item.linkSkipped', { address: item.listenAt ?? '' })}
          </p>
        )}
        {item.cannotStart?.reason === 'socks-password' && (
          <p className="import-conflict" data-testid="cannot-start">
            {t('importExport.item.socksPassword', { user: item.cannotStart.user })}
          </p>
        )}
        {item.conflicts.length > 0 && (
          <p className="import-conflict" data-testid="import-conflict">
            <span aria-hidden="true">⚠ </span>
            {item.conflicts.map((c) => conflictText(c, item)).join(t('importExport.item.conflictSeparator'))}
          </p>
        )}
      </div>
      <div className="import-item-action">
        {item.actions.length > 1 ? (
          <select
            id={`${id}-action`}
            aria-label={t('importExport.item.actionFor', { name: item.name })}
            value={choice.action}
            onChange={(e) => {
              const action = item.actions.find((a) => a === e.target.value);
              if (action) onChoice({ ...choice, action });
            }}
          >
            {item.actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a, item.kind)}
              </option>
            ))}
          </select>
        ) : (
          <span className="import-item-fixed">{actionLabel(choice.action, item.kind)}</span>
        )}
        {choice.action === 'rename' && (
          <>
            <input
              id={`${id}-name`}
              className="import-rename"
              aria-label={t('importExport.item.newNameFor', { name: item.name })}
              value={choice.newName}
              maxLength={80}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-name-msg` : undefined}
              onChange={(e) => onChoice({ ...choice, newName: e.target.value })}
            />
            {error && (
              <p id={`${id}-name-msg`} className="field-error">
                {error}
              </p>
            )}
          </>
        )}
      </div>
    </li>
  );
}
