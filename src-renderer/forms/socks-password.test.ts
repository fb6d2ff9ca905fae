import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import { i18n } from '../i18n/i18n';
import { translateError, translateMessage } from '../i18n/messages';
import { checkForm, emptyFormValues, formValuesFromRule, type RuleFormValues } from './rule-form';
import { SOCKS_PASSWORD_REQUIRED, editableRule, socksPasswordStored } from './socks-password';

const v = (patch: Partial<RuleFormValues>): RuleFormValues => ({ ...emptyFormValues(), name: 'proxy', type: 'socks', listenPort: '1080', ...patch });
const servers = new Set(['s1']);
const rule = (hasPassword: boolean, username: string | undefined = 'alice'): Rule => ({
  id: 'r1',
  name: 'proxy',
  type: 'socks',
  enabled: true,
  autoStart: true,
  tags: [],
  listen: { host: '127.0.0.1', port: 1080 },
  socks: { ...(username ? { username } : {}), hasPassword, connectTimeoutMs: 10_000 },
});

afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('the rule editor requires a SOCKS password with a username', () => {
  it('refuses a new socks or ssh-dynamic rule with a username and no password, on the password field', () => {
    for (const type of ['socks', 'ssh-dynamic'] as const) {
      const check = checkForm(v({ type, server: 's1', socksUser: 'alice' }), [], undefined, servers);
      expect(check.valid).toBe(false);
      expect(check.errors).toEqual({ socksPassword: SOCKS_PASSWORD_REQUIRED });
    }
  });

  it('accepts it with a typed password, or with no username at all (anyone may connect)', () => {
    expect(checkForm(v({ socksUser: 'alice', socksPassword: 'wonderland' }), []).valid).toBe(true);
    expect(checkForm(v({ socksUser: '  ', socksPassword: '' }), []).valid).toBe(true);
    expect(checkForm(v({ socksUser: '' }), []).errors.socksPassword).toBeUndefined();
  });

  it('does not ask again for a password the rule already has stored (write-only: the field stays empty)', () => {
    const stored = rule(true);
    const values = formValuesFromRule(stored);
    expect(values.socksPassword).toBe('');
    expect(socksPasswordStored(stored)).toBe(true);
    expect(checkForm(values, [], stored).valid).toBe(true);
    // A new username keeps the stored password.
    expect(checkForm({ ...values, socksUser: 'bob' }, [], stored).valid).toBe(true);
    // An existing rule given its first username needs one.
    const open = rule(false, undefined);
    expect(checkForm({ ...formValuesFromRule(open), socksUser: 'bob' }, [], open).errors.socksPassword).toBe(SOCKS_PASSWORD_REQUIRED);
  });

  it('asks for the password when the host found none, whatever the rule claims (an import without secrets)', () => {
    const claims = rule(true);
    const missing: RuleStatus = {
      id: 'r1',
      state: 'failed',
      since: 1,
      error: { code: 'SOCKS_PASSWORD_MISSING', message: 'SOCKS user alice has no password stored on this machine — …', at: 1 },
    };
    const base = editableRule(claims, missing);
    expect(socksPasswordStored(base)).toBe(false);
    expect(checkForm(formValuesFromRule(claims), [], base).errors.socksPassword).toBe(SOCKS_PASSWORD_REQUIRED);
    // Any other status leaves the rule as it is.
    expect(editableRule(claims, { id: 'r1', state: 'running', since: 1 })).toBe(claims);
    expect(editableRule(undefined, missing)).toBeUndefined();
  });

  it('says it in Chinese too: the field message and the host’s status message', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(translateMessage(SOCKS_PASSWORD_REQUIRED)).toBe('请为该用户输入密码，或清空用户名以允许任何能访问此端口的人连接');
    const host =
      'SOCKS user alice has no password stored on this machine — set the password in the rule, or clear the username to allow anyone who can reach 127.0.0.1:1080';
    expect(translateError({ code: 'SOCKS_PASSWORD_MISSING', message: host })).toBe(
      '本机没有保存 SOCKS 用户 alice 的密码——请在映射中设置密码，或清空用户名以允许任何能访问 127.0.0.1:1080 的人连接',
    );
  });
});
