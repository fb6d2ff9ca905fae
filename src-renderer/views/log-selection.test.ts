import { describe, expect, it } from 'vitest';
import { LogRing } from '../lib/log-ring';
import { compileLogFilter, defaultLogFilter } from '../store/log-filter';
import { LogView } from '../store/log-view';
import { idsToCopy, NO_SELECTION, pickLine, selectAll, selectionFor } from './log-selection';

function viewOf(n: number): LogView {
  const ring = new LogRing(100);
  for (let i = 0; i < n; i++) ring.push({ seq: i, ts: i, level: i % 2 ? 'info' : 'debug', message: `m${i}` });
  const view = new LogView(compileLogFilter(defaultLogFilter())); // debug hidden: ids 1, 3, 5, …
  view.sync(ring);
  return view;
}
const plain = { range: false, toggle: false };

describe('log line selection', () => {
  it('selects one line on click, and none on a second click', () => {
    const view = viewOf(10);
    const one = pickLine(NO_SELECTION, view, view.count, 3, plain);
    expect([...one.ids]).toEqual([3]);
    expect(pickLine(one, view, view.count, 3, plain).ids.size).toBe(0);
  });

  it('extends with shift over the lines shown only, and toggles with ctrl', () => {
    const view = viewOf(10);
    let sel = pickLine(NO_SELECTION, view, view.count, 7, plain);
    sel = pickLine(sel, view, view.count, 3, { range: true, toggle: false });
    expect([...sel.ids].sort()).toEqual([3, 5, 7]);
    sel = pickLine(sel, view, view.count, 5, { range: false, toggle: true });
    expect(idsToCopy(sel, view, view.count)).toEqual([3, 7]);
  });

  it('copies every shown line when nothing is selected, and forgets a selection made under another filter', () => {
    const view = viewOf(6);
    expect(idsToCopy(NO_SELECTION, view, view.count)).toEqual([1, 3, 5]);
    expect(idsToCopy(NO_SELECTION, view, 2)).toEqual([1, 3]);
    const sel = selectAll(view, view.count);
    expect(sel.ids.size).toBe(3);
    expect(selectionFor(sel, viewOf(6)).ids.size).toBe(0);
  });
});
