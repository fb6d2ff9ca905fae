import { openDialog, useApp } from '../store/app-store';
import { RelayRow } from './relay-row';

/** Saved relays that relay-expose mappings go through (this machine is their agent). */
export function RelaysSection() {
  const order = useApp((s) => s.relays.order);
  const loaded = useApp((s) => s.relays.loaded);
  const error = useApp((s) => s.relays.error);
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => openDialog({ kind: 'relay-create' })}>
      New relay
    </button>
  );
  return (
    <section className="servers-section relays-section" aria-labelledby="relays-title">
      <div className="servers-toolbar">
        <h2 id="relays-title">Relays</h2>
        {order.length > 0 && newButton}
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="placeholder">Loading relays…</p>}
      {loaded && order.length === 0 && (
        <div className="empty empty-compact" data-testid="relays-empty">
          <h3>No relays yet</h3>
          <p>
            A relay on a machine with a public address (a VPS, say) gives services on this machine a public port, without opening anything here. Run one
            with <code>porthole relay</code> or in the Relay view of Porthole on that machine, then add it here.
          </p>
          {newButton}
        </div>
      )}
      {order.length > 0 && (
        <ul className="rows" aria-label="Relays">
          {order.map((id) => (
            <RelayRow key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}
