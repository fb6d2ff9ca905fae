import { Notification } from 'electron';
import type { Rule } from '../../src-shared/model/rule';
import type { RuleStatus } from '../../src-shared/model/status';
import type { TunnelService } from '../service/tunnel-service';
import { noticeText } from './notice-text';
import { diffRules, NotifyPolicy } from './notify-policy';
import type { Notice } from './notify-policy';

// Desktop notifications for rules that fail or recover. What deserves one is notify-policy's call;
// this file only listens to the service and talks to the OS.

export interface NotificationsOptions {
  service: Pick<TunnelService, 'on' | 'off' | 'list'>;
  /** Read on every notice, so the tray checkbox takes effect at once. */
  enabled: () => boolean;
  /** A click on a notification: show the window. */
  onClick: () => void;
  policy?: NotifyPolicy;
  /** How often suppressed (rate-limited) notices are reconsidered. */
  dueCheckMs?: number;
}

export function installNotifications(opts: NotificationsOptions): () => void {
  const policy = opts.policy ?? new NotifyPolicy();
  const names = new Map<string, string>();
  let rules: Rule[] = [];
  // Held so they are not garbage-collected while on screen (their click handler would go with them),
  // and so a summary can close the single notices it replaces.
  const shown = new Map<string, Notification>();

  const show = (notices: readonly Notice[]): void => {
    for (const n of notices) {
      if (n.kind === 'summary') for (const id of n.replaces) shown.get(id)?.close();
      if (!opts.enabled() || !Notification.isSupported()) continue;
      const key = n.kind === 'summary' ? 'summary' : n.ruleId;
      const { title, body } = noticeText(n, (id) => names.get(id));
      const note = new Notification({ title, body, silent: n.kind === 'recovered' });
      note.on('click', () => opts.onClick());
      note.on('close', () => {
        if (shown.get(key) === note) shown.delete(key);
      });
      shown.get(key)?.close();
      shown.set(key, note);
      note.show();
    }
  };

  const setRules = (next: Rule[]): void => {
    const { touched, removed } = diffRules(rules, next);
    for (const id of touched) policy.userInitiated(id);
    for (const id of removed) policy.forget(id);
    rules = next;
    names.clear();
    for (const r of next) names.set(r.id, r.name);
  };

  const onRules = (next: Rule[]): void => setRules(next);
  const onState = (status: RuleStatus): void => show(policy.observe(status));
  opts.service.on('rules-changed', onRules);
  opts.service.on('rule-state', onState);

  // Rules that already failed while the app started (before this listener) are news too.
  const entries = opts.service.list();
  setRules(entries.map((e) => e.rule));
  show(entries.flatMap((e) => policy.observe(e.status)));

  const timer = setInterval(() => show(policy.due()), opts.dueCheckMs ?? 5_000);
  timer.unref();

  return () => {
    clearInterval(timer);
    opts.service.off('rules-changed', onRules);
    opts.service.off('rule-state', onState);
    for (const note of shown.values()) note.close();
    shown.clear();
  };
}
