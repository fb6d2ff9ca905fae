import { RULE_TEMPLATES, type RuleTemplate } from '../forms/rule-templates';

/** Quick starts at the top of the create dialog. */
export function TemplateBar({ onPick }: { onPick: (t: RuleTemplate) => void }) {
  return (
    <div className="template-bar" role="group" aria-labelledby="template-bar-label">
      <span id="template-bar-label" className="template-bar-label">
        Quick start
      </span>
      {RULE_TEMPLATES.map((t) => (
        <button key={t.id} type="button" className="btn btn-small template-btn" title={t.description} onClick={() => onPick(t)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}
