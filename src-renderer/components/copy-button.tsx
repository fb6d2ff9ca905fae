import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyPlainText } from '../lib/clipboard';

function CopyIcon() {
  return (
    <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <path d="M10.5 3.5V3A1.5 1.5 0 0 0 9 1.5H3A1.5 1.5 0 0 0 1.5 3v6A1.5 1.5 0 0 0 3 10.5h.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}

interface CopyButtonProps {
  text: string;
  /** The accessible name, e.g. "Copy address of Web". */
  label: string;
  className?: string;
  /** The visible text when idle (default "Copy" in the UI language); `null`: an icon only (rows, where width is short). */
  caption?: string | null;
}

/** "Copy" that says "Copied" for a moment (and announces it), or "Copy failed". */
export function CopyButton({ text, label, className, caption }: CopyButtonProps) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1600);
    return () => clearTimeout(timer);
  }, [state]);

  return (
    <>
      <button
        type="button"
        className={`copy-addr${caption === null ? ' copy-addr-icon' : ''}${state === 'copied' ? ' is-copied' : ''} ${className ?? ''}`}
        aria-label={label}
        title={t('mappings.copy.title', { text })}
        data-testid="copy-address"
        data-state={state}
        onClick={(e) => {
          e.stopPropagation();
          copyPlainText(text).then(
            () => setState('copied'),
            () => setState('failed'),
          );
        }}
      >
        {state === 'copied' ? `✓ ${t('common.copied')}` : state === 'failed' ? t('common.copyFailed') : caption === null ? <CopyIcon /> : (caption ?? t('common.copy'))}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? t('mappings.copy.copiedNote', { text }) : state === 'failed' ? t('mappings.copy.failedNote', { text }) : ''}
      </span>
    </>
  );
}
