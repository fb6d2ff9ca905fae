import { closeDialog, useApp } from '../store/app-store';
import { DeleteDialog } from './delete-dialog';
import { RelayDeleteDialog } from './relay-delete-dialog';
import { RelayDialog } from './relay-dialog';
import { RelayTrustDialog } from './relay-trust-dialog';
import { RuleDialog } from './rule-dialog';
import { ServerDeleteDialog } from './server-delete-dialog';
import { ServerDialog } from './server-dialog';

/** Renders whichever dialog the store says is open; a rule, server or relay removed meanwhile closes it. */
export function Dialogs() {
  const dialog = useApp((s) => s.ui.dialog);
  const rule = useApp((s) => (dialog.kind === 'edit' || dialog.kind === 'delete' ? s.rules[dialog.id] : undefined));
  const server = useApp((s) => (dialog.kind === 'server-edit' || dialog.kind === 'server-delete' ? s.servers.entries[dialog.id] : undefined));
  const relay = useApp((s) =>
    dialog.kind === 'relay-edit' || dialog.kind === 'relay-delete' || dialog.kind === 'relay-trust' ? s.relays.entries[dialog.id] : undefined,
  );
  switch (dialog.kind) {
    case 'create':
      return <RuleDialog />;
    case 'edit':
      return rule ? <RuleDialog key={rule.id} rule={rule} /> : null;
    case 'delete':
      return rule ? <DeleteDialog rule={rule} /> : null;
    case 'server-create':
      return <ServerDialog onClose={closeDialog} />;
    case 'server-edit':
      return server ? <ServerDialog key={server.server.id} server={server.server} onClose={closeDialog} /> : null;
    case 'server-delete':
      return server ? <ServerDeleteDialog entry={server} /> : null;
    case 'relay-create':
      return <RelayDialog onClose={closeDialog} />;
    case 'relay-edit':
      return relay ? <RelayDialog key={relay.relay.id} relay={relay.relay} onClose={closeDialog} /> : null;
    case 'relay-delete':
      return relay ? <RelayDeleteDialog entry={relay} /> : null;
    case 'relay-trust':
      return relay ? <RelayTrustDialog entry={relay} fingerprint={dialog.fingerprint} /> : null;
    default:
      return null;
  }
}
