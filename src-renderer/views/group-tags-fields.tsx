import { useTranslation } from 'react-i18next';
import type { FieldKey, RuleFormValues } from '../forms/rule-form';
import { parseTags, withoutTag } from '../forms/tags';
import { FormField } from './form-field';

interface GroupTagsFieldsProps {
  values: RuleFormValues;
  /** Existing group names, suggested by the group field. */
  groups: readonly string[];
  errorOf: (key: FieldKey) => string | undefined;
  onText: (key: FieldKey, value: string) => void;
  onBlur: (key: FieldKey) => void;
}

/** The rule dialog's group (free text, existing groups suggested) and tags (comma-separated, shown as chips). */
export function GroupTagsFields({ values, groups, errorOf, onText, onBlur }: GroupTagsFieldsProps) {
  const { t } = useTranslation();
  const tags = parseTags(values.tags);
  return (
    <div className="organise-row">
      <FormField
        id="rule-group"
        label={t('editors.groupTags.group')}
        value={values.group}
        onValue={(v) => onText('group', v)}
        onBlur={() => onBlur('group')}
        error={errorOf('group')}
        list="rule-group-options"
        placeholder={t('editors.groupTags.groupPlaceholder')}
        hint={t('editors.groupTags.groupHint')}
        className="field-group"
      />
      <datalist id="rule-group-options">
        {groups.map((g) => (
          <option key={g} value={g} />
        ))}
      </datalist>
      <div className="field-tags">
        <FormField
          id="rule-tags"
          label={t('editors.groupTags.tags')}
          value={values.tags}
          onValue={(v) => onText('tags', v)}
          onBlur={() => onBlur('tags')}
          error={errorOf('tags')}
          placeholder={t('editors.groupTags.tagsPlaceholder')}
          hint={t('editors.groupTags.tagsHint')}
          className="field-tags-input"
        />
        {tags.length > 0 && (
          <ul className="tag-list tag-list-edit" aria-label={t('editors.groupTags.entered')}>
            {tags.map((tag) => (
              <li key={tag} className="tag-chip tag-chip-static">
                {tag}
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={t('editors.groupTags.remove', { tag })}
                  onClick={() => onText('tags', withoutTag(values.tags, tag))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
