import type { ReactNode } from 'react';

interface Props {
  /** Prefix of the heading id and the empty state's test id (`servers` → `servers-title`, `servers-empty`). */
  id: string;
  className?: string;
  title: string;
  newLabel: string;
  onNew: () => void;
  loaded: boolean;
  error?: string | null | undefined;
  loadingText: string;
  emptyTitle: string;
  emptyText: ReactNode;
  /** One row per saved item, in order; empty when there are none. */
  rows: readonly ReactNode[];
}

/**
 * A section of saved far ends (SSH servers, relays): heading with a New button, the load error, a
 * loading line, an empty state that offers the same button, and the list of rows.
 */
export function SavedSection({ id, className, title, newLabel, onNew, loaded, error, loadingText, emptyTitle, emptyText, rows }: Props) {
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={onNew}>
      {newLabel}
    </button>
  );
  return (
    <section className={className ? `servers-section ${className}` : 'servers-section'} aria-labelledby={`${id}-title`}>
      <div className="servers-toolbar">
        <h2 id={`${id}-title`}>{title}</h2>
        {rows.length > 0 && newButton}
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="placeholder">{loadingText}</p>}
      {loaded && rows.length === 0 && (
        <div className="empty empty-compact" data-testid={`${id}-empty`}>
          <h3>{emptyTitle}</h3>
          <p>{emptyText}</p>
          {newButton}
        </div>
      )}
      {rows.length > 0 && (
        <ul className="rows" aria-label={title}>
          {rows}
        </ul>
      )}
    </section>
  );
}
