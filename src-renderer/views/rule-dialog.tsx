import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rule } from '../../src-shared/model/rule';
import { useActions } from '../api/api-context';
import { Modal } from '../components/modal';
import {
  ADVANCED_FIELDS,
  checkForm,
  draftFromValues,
  emptyFormValues,
  formValuesFromRule,
  serverIssuesToErrors,
  switchRuleType,
  type FieldKey,
  type RuleFormValues,
} from '../forms/rule-form';
import { applyTemplate } from '../forms/rule-templates';
import { editableRule, socksPasswordStored } from '../forms/socks-password';
import { isRuleType, RULE_TYPE_INFO, ruleTypeInfo, typeShape } from '../forms/rule-types';
import { closeDialog, useApp } from '../store/app-store';
import { groupNames } from '../store/mapping-sections';
import { AdvancedOptions } from './advanced-options';
import { FormField } from './form-field';
import { GroupTagsFields } from './group-tags-fields';
import { RelayDialog } from './relay-dialog';
import { RelaySelect } from './relay-select';
import { RuleFields, type RenderField } from './rule-fields';
import { RouterField } from './router-field';
import { hasRouterOption } from '../forms/rule-router';
import { SelectField } from './select-field';
import { ServerDialog } from './server-dialog';
import { ServerSelect } from './server-select';
import { TemplateBar } from './template-bar';
import { FormFooter } from './form-footer';
import { PortCheckNote, usePortCheck } from './port-check-note';
import type { PortCheckInput } from '../../src-shared/model/ports';
import { useSavedForm } from './use-saved-form';

/** The listen address to check as it is typed, once it is a whole one. */
function listenCheckInput(values: RuleFormValues, listens: boolean, ruleId: string | undefined): PortCheckInput | undefined {
  const host = values.listenHost.trim();
  const text = values.listenPort.trim();
  const port = Number(text);
  if (!listens || host === '' || !/^\d{1,5}$/.test(text) || port < 1 || port > 65535) return undefined;
  return { protocol: values.type === 'udp-forward' ? 'udp' : 'tcp', host, port, ...(ruleId !== undefined ? { ruleId } : {}) };
}

/** Create (no `rule`) or edit a mapping of any type. */
export function RuleDialog({ rule: given }: { rule?: Rule }) {
  const { t } = useTranslation();
  const actions = useActions();
  const status = useApp((s) => (given ? s.statuses[given.id] : undefined));
  const rule = useMemo(() => editableRule(given, status), [given, status]);
  const rules = useApp((s) => s.rules);
  const servers = useApp((s) => s.servers);
  const others = useMemo(() => Object.values(rules).filter((r) => r.id !== rule?.id), [rules, rule?.id]);
  const groups = useMemo(() => groupNames(rules), [rules]);
  const serverIds = useMemo(() => (servers.loaded ? new Set(servers.order) : undefined), [servers]);
  const relays = useApp((s) => s.relays);
  const relayIds = useMemo(() => (relays.loaded ? new Set(relays.order) : undefined), [relays]);
  const [newServer, setNewServer] = useState(false);
  const [newRelay, setNewRelay] = useState(false);
  // Messages with a value in them are made in the UI language: useTranslation re-renders on a change
  // of language, and the check runs again on every render.
  const form = useSavedForm({
    initial: () => (rule ? formValuesFromRule(rule) : emptyFormValues()),
    check: (v: RuleFormValues) => checkForm(v, others, rule, serverIds, relayIds),
    save: async (v: RuleFormValues) => {
      const draft = draftFromValues(v, rule);
      // Write-only: sent only when typed, never shown back.
      const password = typeShape(v.type).socks && v.socksUser.trim() !== '' ? v.socksPassword : '';
      if (password === '') return rule ? actions.update(rule.id, draft) : actions.create(draft);
      // The password is a second call: the mapping is saved switched off until it is stored, so it never
      // starts without it (the host would refuse it with SOCKS_PASSWORD_MISSING).
      const off = { ...draft, enabled: false };
      const saved = rule ? await actions.update(rule.id, off) : await actions.create(off);
      const entry = await actions.setSocksPassword(saved.rule.id, password);
      if (draft.enabled) await actions.setEnabled(entry.rule.id, true);
      return entry;
    },
    apiErrors: serverIssuesToErrors,
    onClose: closeDialog,
  });
  const { values, check, shown, apiErrors: serverErrors, update: setValues, errorOf } = form;
  const editing = rule !== undefined;
  const shape = typeShape(values.type);

  const set = (field: FieldKey, value: string) => form.patch({ [field]: value }, [field]);
  const portInput = listenCheckInput(values, shape.listen, rule?.id);
  const portCheck = usePortCheck(portInput, actions.checkPort);
  const reveal = (field: FieldKey) => () => form.reveal(field);

  const field: RenderField = (key, label, extra = {}) => (
    <FormField
      id={`rule-${key}`}
      label={label}
      value={values[key]}
      onValue={(v) => set(key, v)}
      onBlur={reveal(key)}
      error={errorOf(key)}
      warning={check.warnings[key]}
      className={`field-${key}`}
      {...extra}
    />
  );
  const advancedError = ADVANCED_FIELDS.some((k) => Boolean(serverErrors[k] ?? check.errors[k]));
  const onlyServer = servers.order.length === 1 ? servers.order[0] : undefined;
  const onlyRelay = relays.order.length === 1 ? relays.order[0] : undefined;

  return (
    <Modal labelledBy="rule-dialog-title" onClose={closeDialog} className="rule-dialog">
      <form onSubmit={(e) => void form.submit(e)} noValidate>
        <h2 id="rule-dialog-title">{editing ? t('editors.ruleDialog.editTitle', { name: rule.name }) : t('editors.ruleDialog.newTitle')}</h2>
        {!editing && <TemplateBar onPick={(tpl) => setValues((v) => applyTemplate(v, tpl, onlyServer, onlyRelay))} />}
        <p className="dialog-lead">{ruleTypeInfo(values.type).lead}</p>
        <div className="name-row">
          {field('name', t('editors.ruleDialog.name'), { placeholder: t('editors.ruleDialog.namePlaceholder'), autoFocus: true })}
          <SelectField
            id="rule-type"
            label={t('editors.ruleDialog.type')}
            value={values.type}
            onValue={(next) => {
              if (!isRuleType(next)) return;
              setValues((v) => switchRuleType(v, next));
            }}
          >
            {RULE_TYPE_INFO.map((info) => (
              <option key={info.value} value={info.value}>
                {info.label}
              </option>
            ))}
          </SelectField>
        </div>
        {shape.server && (
          <ServerSelect
            value={values.server}
            onValue={(id) => set('server', id)}
            onNew={() => setNewServer(true)}
            onBlur={reveal('server')}
            error={serverErrors.server ?? (shown.server || values.server !== '' ? check.errors.server : undefined)}
          />
        )}
        {shape.relay && (
          <RelaySelect
            value={values.relay}
            onValue={(id) => set('relay', id)}
            onNew={() => setNewRelay(true)}
            onBlur={reveal('relay')}
            error={serverErrors.relay ?? (shown.relay || values.relay !== '' ? check.errors.relay : undefined)}
          />
        )}
        <RuleFields
          values={values}
          field={field}
          onPatch={(patch) => setValues((v) => ({ ...v, ...patch }))}
          listenNote={<PortCheckNote result={portCheck} onUse={(port) => set('listenPort', String(port))} />}
          socksPassword={
            <FormField
              id="rule-socksPassword"
              label={t('editors.ruleDialog.password')}
              type="password"
              autoComplete="new-password"
              value={values.socksPassword}
              onValue={(v) => set('socksPassword', v)}
              onBlur={reveal('socksPassword')}
              // Shown once the username was left too, so a new username says at once what else it needs.
              error={errorOf('socksPassword') ?? (shown.socksUser ? check.errors.socksPassword : undefined)}
              placeholder={socksPasswordStored(rule) ? t('editors.ruleDialog.passwordStored') : t('editors.ruleDialog.passwordPlaceholder')}
              hint={t('editors.ruleDialog.passwordHint')}
              className="field-socksPassword"
            />
          }
        />
        {hasRouterOption(values.type) && <RouterField values={values} field={field} onPatch={(patch) => setValues((v) => ({ ...v, ...patch }))} />}
        <GroupTagsFields values={values} groups={groups} errorOf={errorOf} onText={set} onBlur={(key) => reveal(key)()} />
        {shape.advanced && (
          <AdvancedOptions
            values={values}
            errorOf={errorOf}
            onText={set}
            onBlur={(key) => reveal(key)()}
            onPatch={(patch) => setValues((v) => ({ ...v, ...patch }))}
            forceOpen={advancedError}
          />
        )}
        <label className="checkbox">
          <input type="checkbox" checked={values.enabled} onChange={(e) => setValues((v) => ({ ...v, enabled: e.target.checked }))} />
          {editing ? t('editors.ruleDialog.enabled') : t('editors.ruleDialog.startNow')}
        </label>
        <FormFooter
          message={form.formMessage}
          submitLabel={editing ? t('editors.ruleDialog.save') : t('editors.ruleDialog.create')}
          submitDisabled={!check.valid || form.busy || form.apiProblem}
          onCancel={closeDialog}
        />
      </form>
      {newServer && (
        <ServerDialog
          onClose={() => setNewServer(false)}
          onSaved={(entry) => {
            setNewServer(false);
            set('server', entry.server.id);
          }}
        />
      )}
      {newRelay && (
        <RelayDialog
          onClose={() => setNewRelay(false)}
          onSaved={(entry) => {
            setNewRelay(false);
            set('relay', entry.relay.id);
          }}
        />
      )}
    </Modal>
  );
}
