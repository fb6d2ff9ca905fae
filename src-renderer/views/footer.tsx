import { useApp } from '../store/app-store';

export function Footer() {
  const info = useApp((s) => s.info);
  const connection = useApp((s) => s.connection);
  if (!info) return <footer className="app-footer">Connecting…</footer>;
  return (
    <footer className="app-footer" data-testid="footer">
      <span className="mode" data-mode={info.mode}>
        <span className={`dot ${connection === 'open' || connection === 'local' ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
        {info.mode === 'desktop' ? 'Desktop' : 'Browser mode'}
      </span>
      <span title="Where mappings, keys and logs are kept">
        Data: <code>{info.dataDir}</code>
      </span>
      <span className="muted">
        {info.name} {info.version} · {info.storeBackend} · {info.platform}
      </span>
    </footer>
  );
}
