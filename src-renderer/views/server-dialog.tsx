import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import type { SshServer, SshServerEntry } from '../../src-shared/model/ssh';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import {
  checkServerForm,
  emptyServerValues,
  HOST_KEY_POLICIES,
  isHostKeyPolicy,
  jumpCandidates,
  serverApiErrors,
  serverInputFrom,
  serverValuesFrom,
  type ServerFieldKey,
  type ServerFormValues,
} from '../forms/server-form';
import { useApp } from '../store/app-store';
import { serverList } from '../store/servers';
import { FormField } from './form-field';
import { FormFooter } from './form-footer';
import { useSavedForm } from './use-saved-form';
import { JumpHostsField } from './jump-hosts-field';
import { SelectField } from './select-field';
import { ServerAuthFields } from './server-auth-fields';

interface ServerDialogProps {
  /** Edit this server; without it, create one. */
  server?: SshServer;
  onClose: () => void;
  /** After the host saved it (the rule dialog selects a new server this way). */
  onSaved?: (entry: SshServerEntry) => void;
}

/** Create or edit a saved SSH server. */
export function ServerDialog({ server, onClose, onSaved }: ServerDialogProps) {
  const { t } = useTranslation();
  const actions = useActions();
  const serversState = useApp((s) => s.servers);
  const secretsBackend = useApp((s) => s.info?.secretsBackend);
  const all = useMemo(() => serverList(serversState).map((e) => e.server), [serversState]);
  const candidates = useMemo(() => jumpCandidates(all, server?.id), [all, server?.id]);
  const form = useSavedForm({
    initial: () => (server ? serverValuesFrom(server) : emptyServerValues()),
    check: (v: ServerFormValues) => checkServerForm(v, server),
    save: (v: ServerFormValues) => {
      const input = serverInputFrom(v, server);
      return server ? actions.updateServer(server.id, input) : actions.createServer(input);
    },
    apiErrors: serverApiErrors,
    onSaved,
    onClose,
  });
  const { values, check, patch, reveal, errorOf } = form;
  const editing = server !== undefined;
  const setText = (key: ServerFieldKey, value: string) => patch({ [key]: value }, [key]);

  const text = (key: 'name' | 'host' | 'port' | 'user' | 'keepalive', label: string, extra: { placeholder?: string; hint?: string; inputMode?: 'numeric' | 'decimal'; autoFocus?: boolean } = {}) => (
    <FormField
      id={`server-${key}`}
      label={label}
      value={values[key]}
      onValue={(v) => setText(key, v)}
      onBlur={() => reveal(key)}
      error={errorOf(key)}
      className={`field-${key}`}
      {...extra}
    />
  );
  const nameOf = (id: string) => all.find((s) => s.id === id)?.name ?? id;

  return (
    <Modal labelledBy="server-dialog-title" onClose={onClose} className="server-dialog">
      <form onSubmit={(e) => void form.submit(e)} noValidate>
        <h2 id="server-dialog-title">{editing ? t('serverDialog.editTitle', { name: server.name }) : t('serverDialog.newTitle')}</h2>
        <p className="dialog-lead">{t('serverDialog.lead')}</p>
        {text('name', t('serverDialog.name'), { placeholder: t('serverDialog.namePlaceholder'), autoFocus: true })}
        <div className="server-grid server-grid-host">
          {text('host', t('serverDialog.host'), { placeholder: 'ssh.example.com' })}
          {text('port', t('serverDialog.port'), { inputMode: 'numeric', placeholder: '22' })}
          {text('user', t('serverDialog.user'), { placeholder: 'deploy' })}
        </div>
        <ServerAuthFields
          values={values}
          base={server}
          secretsBackend={secretsBackend}
          errorOf={errorOf}
          onText={setText}
          onBlur={reveal}
          onAuth={(auth) => patch({ auth }, [])}
        />
        <JumpHostsField
          candidates={candidates}
          nameOf={nameOf}
          value={values.jump}
          onValue={(jump) => patch({ jump }, ['jump'])}
          selfName={values.name}
          error={errorOf('jump')}
        />
        <div className="server-grid">
          {text('keepalive', t('serverDialog.keepalive'), { inputMode: 'decimal', hint: t('serverDialog.keepaliveHint') })}
          <SelectField
            id="server-hostKeyPolicy"
            label={t('serverDialog.hostKey')}
            value={values.hostKeyPolicy}
            onValue={(v) => isHostKeyPolicy(v) && patch({ hostKeyPolicy: v }, [])}
            warning={values.hostKeyPolicy === 'off' ? t('serverDialog.hostKeyOffWarning') : undefined}
            hint={t('serverDialog.hostKeyHint')}
          >
            {HOST_KEY_POLICIES.map((p) => (
              <option key={p.value} value={p.value}>
                {t(`serverDialog.policy.${p.value}`)}
              </option>
            ))}
          </SelectField>
        </div>
        <FormFooter message={form.formMessage} submitLabel={editing ? t('serverDialog.save') : t('serverDialog.add')} submitDisabled={!check.valid || form.busy || form.apiProblem} onCancel={onClose} />
      </form>
    </Modal>
  );
}
