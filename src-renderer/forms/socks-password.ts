import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';

// A SOCKS rule with a username needs a password stored with it: the host refuses to start one without
// (SOCKS_PASSWORD_MISSING) rather than let anyone in. The editor asks for it up front. Secrets are
// write-only, so the form never holds the stored password: an empty field keeps whatever is stored.

/** Shown on the password field (English; validation.socksPassword holds it for translateMessage). */
export const SOCKS_PASSWORD_REQUIRED = 'enter a password for this user, or clear the username to let anyone who can reach the port connect';

/** Whether the rule has a SOCKS password stored on the host. */
export function socksPasswordStored(base: Rule | undefined): boolean {
  return base !== undefined && 'socks' in base && base.socks.hasPassword;
}

/**
 * The rule the editor works from. Its `hasPassword` flag can claim a password the host does not hold (a
 * rule imported from an export without secrets); the host said so when it refused to start it, and then
 * the editor asks for the password instead of offering to keep one that is not there.
 */
export function editableRule<R extends Rule | undefined>(rule: R, status: RuleStatus | undefined): R {
  if (!rule || !('socks' in rule) || !rule.socks.hasPassword || status?.error?.code !== 'SOCKS_PASSWORD_MISSING') return rule;
  return { ...rule, socks: { ...rule.socks, hasPassword: false } };
}

/** The error for the password field, if any: a username without a typed or stored password. */
export function socksPasswordError(v: { socksUser: string; socksPassword: string }, base: Rule | undefined): string | undefined {
  if (v.socksUser.trim() === '' || v.socksPassword !== '' || socksPasswordStored(base)) return undefined;
  return SOCKS_PASSWORD_REQUIRED;
}
