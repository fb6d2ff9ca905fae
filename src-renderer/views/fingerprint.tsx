import { useTranslation } from 'react-i18next';
import { Fragment, useEffect, useState } from 'react';
import { copyPlainText } from '../lib/clipboard';

/** A button that copies `text` and says so for two seconds. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small copy-btn"
      aria-label={label}
      onClick={() =>
        void copyPlainText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }
    >
      {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : t('common.copy')}
    </button>
  );
}

/** `AB:CD:…` with line-break opportunities after the colons only, so no byte is split across lines. */
export function FingerprintText({ value }: { value: string }) {
  const parts = value.split(':');
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && (
            <>
              :<wbr />
            </>
          )}
        </Fragment>
      ))}
    </>
  );
}

interface FingerprintProps {
  label: string;
  value: string;
  testId: string;
  /** Shows a copy button labelled this way. */
  copyLabel?: string;
}

/** A labelled fingerprint in monospace, selectable as a whole. */
export function Fingerprint({ label, value, testId, copyLabel }: FingerprintProps) {
  return (
    <div className="fingerprint">
      <span className="fingerprint-label">{label}</span>
      <div className="fingerprint-line">
        <code className="fingerprint-value" data-testid={testId}>
          <FingerprintText value={value} />
        </code>
        {copyLabel && <CopyButton text={value} label={copyLabel} />}
      </div>
    </div>
  );
}
