import { useTranslation } from 'react-i18next';
import { RULE_TEMPLATES, type RuleTemplate } from '../forms/rule-templates';

/** Quick starts at the top of the create dialog. */
export function TemplateBar({ onPick }: { onPick: (t: RuleTemplate) => void }) {
  const { t } = useTranslation();
  return (
    <div className="template-bar" role="group" aria-labelledby="template-bar-label">
      <span id="template-bar-label" className="template-bar-label">
        {t('templates.quickStart')}
      </span>
      {RULE_TEMPLATES.map((tpl) => (
        <button key={tpl.id} type="button" className="btn btn-small template-btn" title={tpl.description} onClick={() => onPick(tpl)}>
          {tpl.label}
        </button>
      ))}
    </div>
  );
}
