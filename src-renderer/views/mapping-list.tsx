import { openDialog, useApp } from '../store/app-store';
import { MappingRow } from './mapping-row';

export function MappingList() {
  const order = useApp((s) => s.order);
  const loaded = useApp((s) => s.loaded);
  if (!loaded) return <p className="placeholder">Loading mappings…</p>;
  if (order.length === 0) {
    return (
      <div className="empty" data-testid="empty-state">
        <h2>No mappings yet</h2>
        <p>
          A mapping listens on a port of this machine and forwards every connection to another host and port. It listens on
          127.0.0.1 unless you choose otherwise.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'create' })}>
          Create your first mapping
        </button>
      </div>
    );
  }
  return (
    <ul className="rows" aria-label="Mappings">
      {order.map((id) => (
        <MappingRow key={id} id={id} />
      ))}
    </ul>
  );
}
