import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import { setPasteOpen, useImports } from '../store/imports';
import { TextAreaField } from './text-area-field';

/** Paste a config (an ssh_config block, an frpc.toml, a Porthole export…) and preview it as the file "clipboard". */
export function ImportPasteDialog() {
  const open = useImports((s) => s.pasteOpen);
  return open ? <PasteForm /> : null;
}

function PasteForm() {
  const { t } = useTranslation();
  const actions = useActions();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const problem = await actions.imports.previewText(text);
    setBusy(false);
    if (problem) setError(problem);
    else setPasteOpen(false);
  }

  return (
    <Modal labelledBy="paste-dialog-title" onClose={() => setPasteOpen(false)} className="paste-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="paste-dialog-title">{t('importExport.paste.title')}</h2>
        <p className="dialog-lead">{t('importExport.paste.lead')}</p>
        <TextAreaField
          id="paste-text"
          label={t('importExport.paste.label')}
          value={text}
          onValue={(v) => {
            setText(v);
            setError(undefined);
          }}
          error={error}
          rows={12}
          autoFocus
          placeholder={'Host db\n  HostName db.example.com\n  LocalForward 5432 localhost:5432'}
        />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setPasteOpen(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || text.trim() === ''}>
            {t('importExport.paste.preview')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
