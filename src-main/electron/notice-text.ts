import { formatDuration } from '../../src-shared/format/units';
import type { Notice } from './notify-policy';

// The words of a desktop notification: short title (some desktops cut it at ~40 characters), and a
// body that says what to do next.

/** Title and body for a notice; `nameOf` gives a rule's current name. */
export function noticeText(n: Notice, nameOf: (ruleId: string) => string | undefined): { title: string; body: string } {
  const name = (id: string): string => nameOf(id) ?? 'A mapping';
  switch (n.kind) {
    case 'failed':
      return { title: `${name(n.ruleId)} failed`, body: n.message };
    case 'recovered':
      return { title: `${name(n.ruleId)} is running again`, body: `It was down for ${formatDuration(n.downForMs)}.` };
    case 'summary': {
      const names = n.ruleIds.slice(0, 3).map(name);
      const more = n.ruleIds.length - names.length;
      return {
        title: `${n.ruleIds.length} mappings failed`,
        body: `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}. Open Porthole to see why.`,
      };
    }
  }
}
