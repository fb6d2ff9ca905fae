import { useTranslation } from 'react-i18next';
import { useApp } from '../store/app-store';

export function Footer() {
  const { t } = useTranslation();
  const info = useApp((s) => s.info);
  const connection = useApp((s) => s.connection);
  if (!info) return <footer className="app-footer">{t('footer.connecting')}</footer>;
  return (
    <footer className="app-footer" data-testid="footer">
      <span className="mode" data-mode={info.mode}>
        <span className={`dot ${connection === 'open' || connection === 'local' ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
        {info.mode === 'desktop' ? t('footer.desktop') : t('footer.browserMode')}
      </span>
      <span title={t('footer.dataTitle')}>
        {t('footer.data')} <code>{info.dataDir}</code>
      </span>
      <span className="muted">
        {info.name} {info.version} · {info.storeBackend} · {info.platform}
      </span>
    </footer>
  );
}
