import { useTranslation } from 'react-i18next';
import type { RouteSegment } from '../forms/rule-describe';

/** A mapping's route as the row shows it: addresses in monospace, arrows announced as "forwards to". */
export function RouteLine({ segments, text }: { segments: readonly RouteSegment[]; text: string }) {
  const { t } = useTranslation();
  return (
    <div className="row-route" data-testid="route" title={text}>
      {segments.map((s, i) => {
        switch (s.kind) {
          case 'addr':
            return (
              <code key={i} title={s.title} data-testid={s.testId}>
                {s.text}
              </code>
            );
          case 'arrow':
            return (
              <span key={i} className="arrow" aria-label={t('common.forwardsTo')}>
                →
              </span>
            );
          case 'server':
            return (
              <span key={i} className="route-server" title={s.title}>
                {s.text}
              </span>
            );
          case 'text':
            return (
              <span key={i} className="route-text" title={s.title}>
                {s.text}
              </span>
            );
        }
      })}
    </div>
  );
}
