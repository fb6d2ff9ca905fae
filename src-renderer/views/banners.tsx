import { useTranslation } from 'react-i18next';
import { translateMessage } from '../i18n/messages';
import { showNotice, useApp } from '../store/app-store';

export function Banners() {
  const { t } = useTranslation();
  const connection = useApp((s) => s.connection);
  const loaded = useApp((s) => s.loaded);
  const recovery = useApp((s) => s.info?.storeRecovery);
  const loadError = useApp((s) => s.loadError);
  const notice = useApp((s) => s.ui.notice);
  return (
    <div className="banners">
      {connection === 'reconnecting' && (
        <div className="banner banner-warn" role="alert" data-testid="connection-banner">
          {loaded ? t('banners.reconnecting') : t('banners.unreachable')}
        </div>
      )}
      {recovery && (
        <div className="banner banner-warn" role="alert" data-testid="recovery-banner">
          {t('banners.recoveryBefore')} <code>{recovery.movedTo}</code> {t('banners.recoveryAfter', { reason: recovery.reason })}
        </div>
      )}
      {loadError && connection !== 'reconnecting' && (
        <div className="banner banner-error" role="alert">
          {translateMessage(loadError)}
        </div>
      )}
      {notice && (
        <div className={`banner ${notice.kind === 'error' ? 'banner-error' : 'banner-info'}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{translateMessage(notice.text)}</span>
          <button type="button" className="btn btn-ghost" onClick={() => showNotice(null)} aria-label={t('common.dismissMessage')}>
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
