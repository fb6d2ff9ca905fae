import { useApp } from '../store/app-store';
import { DeleteDialog } from './delete-dialog';
import { RuleDialog } from './rule-dialog';

/** Renders whichever dialog the store says is open; a rule removed meanwhile closes it. */
export function Dialogs() {
  const dialog = useApp((s) => s.ui.dialog);
  const rule = useApp((s) => (dialog.kind === 'edit' || dialog.kind === 'delete' ? s.rules[dialog.id] : undefined));
  switch (dialog.kind) {
    case 'create':
      return <RuleDialog />;
    case 'edit':
      return rule ? <RuleDialog key={rule.id} rule={rule} /> : null;
    case 'delete':
      return rule ? <DeleteDialog rule={rule} /> : null;
    default:
      return null;
  }
}
