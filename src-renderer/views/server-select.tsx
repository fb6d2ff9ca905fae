import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import { useApp } from '../store/app-store';
import { serverList } from '../store/servers';
import { SelectField } from './select-field';

export const NEW_SERVER_VALUE = '__new__';

interface ServerSelectProps {
  value: string;
  onValue: (id: string) => void;
  /** "New SSH server…" was chosen. */
  onNew: () => void;
  onBlur?: () => void;
  error?: string | undefined;
}

/** "SSH server": the saved servers by name, plus an entry that opens the server dialog. */
export function ServerSelect({ value, onValue, onNew, onBlur, error }: ServerSelectProps) {
  const { t } = useTranslation();
  const state = useApp((s) => s.servers);
  const servers = useMemo(() => serverList(state), [state]);
  const known = servers.some((e) => e.server.id === value);
  const hint = state.error ?? (state.loaded && servers.length === 0 ? t('servers.select.none') : undefined);
  return (
    <SelectField
      id="rule-server"
      label={t('servers.select.label')}
      value={known ? value : ''}
      onValue={(v) => (v === NEW_SERVER_VALUE ? onNew() : onValue(v))}
      onBlur={onBlur}
      error={error}
      hint={hint}
      className="field-server"
    >
      <option value="" disabled>
        {t('servers.select.choose')}
      </option>
      {servers.map((e) => (
        <option key={e.server.id} value={e.server.id}>
          {`${e.server.name} (${e.server.user}@${e.server.host}${e.server.port === 22 ? '' : `:${e.server.port}`})`}
        </option>
      ))}
      <option value={NEW_SERVER_VALUE}>{t('servers.select.new')}</option>
    </SelectField>
  );
}
