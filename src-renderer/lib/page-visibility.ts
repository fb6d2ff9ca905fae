/** The window is minimised, hidden to the tray or in a background tab: nothing needs drawing. */
export function isPageHidden(): boolean {
  return document.visibilityState === 'hidden' || document.hidden;
}
