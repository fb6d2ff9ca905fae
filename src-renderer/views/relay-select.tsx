import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import { relayOptionLabel } from '../forms/relay-describe';
import { useApp } from '../store/app-store';
import { relayList } from '../store/relays';
import { SelectField } from './select-field';

export const NEW_RELAY_VALUE = '__new__';

interface RelaySelectProps {
  value: string;
  onValue: (id: string) => void;
  /** "New relay…" was chosen, or the "Add a relay" button pressed. */
  onNew: () => void;
  onBlur?: () => void;
  error?: string | undefined;
}

/** "Relay": the saved relays by name, plus an entry that opens the relay dialog. */
export function RelaySelect({ value, onValue, onNew, onBlur, error }: RelaySelectProps) {
  const { t } = useTranslation();
  const state = useApp((s) => s.relays);
  const relays = useMemo(() => relayList(state), [state]);
  const known = relays.some((e) => e.relay.id === value);
  const none = state.loaded && relays.length === 0;
  const hint = state.error ?? (none ? t('relays.select.none') : undefined);
  return (
    <div className="relay-select">
      <SelectField
        id="rule-relay"
        label={t('relays.select.label')}
        value={known ? value : ''}
        onValue={(v) => (v === NEW_RELAY_VALUE ? onNew() : onValue(v))}
        onBlur={onBlur}
        error={error}
        hint={hint}
        className="field-relay"
      >
        <option value="" disabled>
          {t('relays.select.choose')}
        </option>
        {relays.map((e) => (
          <option key={e.relay.id} value={e.relay.id}>
            {relayOptionLabel(e.relay)}
          </option>
        ))}
        <option value={NEW_RELAY_VALUE}>{t('relays.select.new')}</option>
      </SelectField>
      {none && (
        <button type="button" className="btn btn-small relay-add" onClick={onNew}>
          {t('relays.select.add')}
        </button>
      )}
    </div>
  );
}
