import { useTranslation } from 'react-i18next';
import type { Rule } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { ConfirmDeleteDialog } from './confirm-delete-dialog';

export function DeleteDialog({ rule }: { rule: Rule }) {
  const { t } = useTranslation();
  const actions = useActions();
  return (
    <ConfirmDeleteDialog
      idPrefix="delete"
      title={t('deleteDialog.mappingTitle', { name: rule.name })}
      description={t('deleteDialog.mappingDescription')}
      name={rule.name}
      remove={() => actions.remove(rule.id)}
    />
  );
}
