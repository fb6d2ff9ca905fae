import type { Rule } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { ConfirmDeleteDialog } from './confirm-delete-dialog';

export function DeleteDialog({ rule }: { rule: Rule }) {
  const actions = useActions();
  return (
    <ConfirmDeleteDialog
      idPrefix="delete"
      title={`Delete mapping ${rule.name}?`}
      description="The mapping stops and its settings are removed. Connections through it are closed."
      name={rule.name}
      remove={() => actions.remove(rule.id)}
    />
  );
}
