// A render counter for tests. Playwright defines `window.__portholeRenderProbe = { counts: {} }` before
// the page loads (page.addInitScript); without it this is one property read per render and nothing else.

interface RenderProbe {
  counts: Record<string, number>;
}

const probe: RenderProbe | undefined = (globalThis as { __portholeRenderProbe?: RenderProbe }).__portholeRenderProbe;

/** Counts one render of `key` (e.g. `row:<id>`), when a test asked for counting. */
export function countRender(key: string): void {
  if (probe) probe.counts[key] = (probe.counts[key] ?? 0) + 1;
}
