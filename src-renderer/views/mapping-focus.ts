import { setUi } from '../store/app-store';

function rowElement(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-testid="rule-row"][data-rule-id="${CSS.escape(id)}"]`);
}

/** Selects a mapping (opening its detail pane) and, with `focus`, moves keyboard focus to its row. */
export function selectMapping(id: string | null, focus = false): void {
  setUi({ selectedId: id });
  if (!focus || id === null) return;
  // The row may only appear on the next render (a duplicate just created, a group just expanded).
  requestAnimationFrame(() => {
    const el = rowElement(id);
    el?.focus();
    el?.scrollIntoView({ block: 'nearest' });
  });
}

/** The id of the row that has focus itself (not one of its buttons), if any. */
export function focusedRowId(target: EventTarget | null): string | undefined {
  return target instanceof HTMLElement && target.dataset.testid === 'rule-row' ? target.dataset.ruleId : undefined;
}
