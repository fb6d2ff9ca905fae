/**
 * Copies text from a click or a key press. The `copy` event route needs no clipboard permission — the
 * desktop app denies every permission request, which makes navigator.clipboard.writeText fail there —
 * and the async Clipboard API is the fallback where execCommand is gone.
 */
export async function copyPlainText(text: string): Promise<void> {
  let done = false;
  const onCopy = (e: ClipboardEvent): void => {
    if (!e.clipboardData) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    done = true;
  };
  document.addEventListener('copy', onCopy, true);
  try {
    document.execCommand('copy');
  } catch {
    // Treated as not done: the Clipboard API below gets its turn.
  } finally {
    document.removeEventListener('copy', onCopy, true);
  }
  if (done) return;
  if (!navigator.clipboard) throw new Error('this browser offers no clipboard');
  await navigator.clipboard.writeText(text);
}
