import { useApp } from '../store/app-store';

/** A labelled free-text filter of a toolbar (Connections, Inspector). */
export function FilterText({ id, label, placeholder, value, onChange }: { id: string; label: string; placeholder: string; value: string; onChange: (text: string) => void }) {
  return (
    <div className="conn-filter">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" />
    </div>
  );
}

/** A labelled choice of one mapping (or all of them), in the Mappings list's order. */
export function MappingFilter({ id, label, allLabel, value, onChange }: { id: string; label: string; allLabel: string; value: string; onChange: (ruleId: string) => void }) {
  const order = useApp((s) => s.order);
  const rules = useApp((s) => s.rules);
  return (
    <div className="conn-filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{allLabel}</option>
        {order.map((ruleId) => (
          <option key={ruleId} value={ruleId}>
            {rules[ruleId]?.name ?? ruleId}
          </option>
        ))}
      </select>
    </div>
  );
}
