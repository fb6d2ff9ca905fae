import { useTranslation } from 'react-i18next';
import { translateSecretsBackend } from '../i18n/messages';
import type { SshServer } from '../../src-shared/model/ssh';
import { AUTH_METHODS, isAuthMethod, storedSecret, type ServerFieldKey, type ServerFormValues } from '../forms/server-form';
import { FormField } from './form-field';
import { SelectField } from './select-field';

interface ServerAuthFieldsProps {
  values: ServerFormValues;
  base: SshServer | undefined;
  /** AppInfo.secretsBackend: where passwords and passphrases are kept. */
  secretsBackend: string | undefined;
  errorOf: (key: ServerFieldKey) => string | undefined;
  onText: (key: ServerFieldKey, value: string) => void;
  onBlur: (key: ServerFieldKey) => void;
  onAuth: (method: ServerFormValues['auth']) => void;
}

/** "Authentication" and the fields of the chosen method. Secrets are write-only: an empty field keeps what is stored. */
export function ServerAuthFields({ values, base, secretsBackend, errorOf, onText, onBlur, onAuth }: ServerAuthFieldsProps) {
  const { t } = useTranslation();
  const stored = secretsBackend ? t('serverDialog.storedIn', { backend: translateSecretsBackend(secretsBackend) }) : undefined;
  const secret = (key: 'password' | 'passphrase', label: string, optional: boolean) => {
    const has = storedSecret(base, key);
    const hint = [optional ? t('common.optional') : undefined, has ? t('serverDialog.keepStored') : undefined, stored].filter(Boolean).join(' ');
    return (
      <FormField
        id={`server-${key}`}
        label={label}
        type="password"
        autoComplete="new-password"
        value={values[key]}
        placeholder={has ? t('serverDialog.unchanged') : undefined}
        onValue={(v) => onText(key, v)}
        onBlur={() => onBlur(key)}
        error={errorOf(key)}
        hint={hint || undefined}
        className={`field-${key}`}
      />
    );
  };
  return (
    <div className="auth-fields">
      <SelectField id="server-auth" label={t('serverDialog.authentication')} value={values.auth} onValue={(v) => isAuthMethod(v) && onAuth(v)} className="field-auth">
        {AUTH_METHODS.map((m) => (
          <option key={m.value} value={m.value}>
            {t(`serverDialog.authMethod.${m.value}`)}
          </option>
        ))}
      </SelectField>
      {values.auth === 'agent' && <p className="field-hint auth-note">{t('serverDialog.agentNote')}</p>}
      {values.auth === 'key' && (
        <div className="server-grid">
          <FormField
            id="server-keyPath"
            label={t('serverDialog.keyFile')}
            value={values.keyPath}
            placeholder="~/.ssh/id_ed25519"
            onValue={(v) => onText('keyPath', v)}
            onBlur={() => onBlur('keyPath')}
            error={errorOf('keyPath')}
            hint={t('serverDialog.keyFileHint')}
            className="field-keyPath"
          />
          {secret('passphrase', t('serverDialog.passphrase'), true)}
        </div>
      )}
      {values.auth === 'password' && secret('password', t('serverDialog.password'), false)}
    </div>
  );
}
