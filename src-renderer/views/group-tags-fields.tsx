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
  const tags = parseTags(values.tags);
  return (
    <div className="organise-row">
      <FormField
        id="rule-group"
        label="Group"
        value={values.group}
        onValue={(v) => onText('group', v)}
        onBlur={() => onBlur('group')}
        error={errorOf('group')}
        list="rule-group-options"
        placeholder="none"
        hint="One switch turns a whole group on or off."
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
          label="Tags"
          value={values.tags}
          onValue={(v) => onText('tags', v)}
          onBlur={() => onBlur('tags')}
          error={errorOf('tags')}
          placeholder="e.g. web, staging"
          hint="Separate tags with commas."
          className="field-tags-input"
        />
        {tags.length > 0 && (
          <ul className="tag-list tag-list-edit" aria-label="Tags entered">
            {tags.map((t) => (
              <li key={t} className="tag-chip tag-chip-static">
                {t}
                <button type="button" className="tag-remove" aria-label={`Remove tag ${t}`} onClick={() => onText('tags', withoutTag(values.tags, t))}>
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
