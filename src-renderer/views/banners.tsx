import { showNotice, useApp } from '../store/app-store';

export function Banners() {
  const connection = useApp((s) => s.connection);
  const loaded = useApp((s) => s.loaded);
  const recovery = useApp((s) => s.info?.storeRecovery);
  const loadError = useApp((s) => s.loadError);
  const notice = useApp((s) => s.ui.notice);
  return (
    <div className="banners">
      {connection === 'reconnecting' && (
        <div className="banner banner-warn" role="alert" data-testid="connection-banner">
          {loaded
            ? 'Disconnected from the Porthole host — reconnecting…'
            : 'Cannot reach the Porthole host — reconnecting… If this keeps up, check that this page’s #token=… is the one porthole ui printed.'}
        </div>
      )}
      {recovery && (
        <div className="banner banner-warn" role="alert" data-testid="recovery-banner">
          Your saved mappings file was unreadable and was moved to <code>{recovery.movedTo}</code> ({recovery.reason}). Porthole started
          with an empty list.
        </div>
      )}
      {loadError && connection !== 'reconnecting' && (
        <div className="banner banner-error" role="alert">
          {loadError}
        </div>
      )}
      {notice && (
        <div className={`banner ${notice.kind === 'error' ? 'banner-error' : 'banner-info'}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" className="btn btn-ghost" onClick={() => showNotice(null)} aria-label="Dismiss message">
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
