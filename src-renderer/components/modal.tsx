import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

interface ModalProps {
  labelledBy: string;
  describedBy?: string;
  onClose: () => void;
  className?: string;
  /** `alertdialog` for an urgent question the user must answer. */
  role?: 'dialog' | 'alertdialog';
  children: ReactNode;
}

const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * showModal() keeps focus off the page behind, but Tab past the last control still leaves for the
 * browser's own UI; wrapping here keeps it cycling inside the dialog (WAI-ARIA dialog pattern).
 */
function wrapTab(e: KeyboardEvent<HTMLDialogElement>): void {
  if (e.key !== 'Tab') return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * A native modal <dialog>: showModal() makes the rest of the page inert (so focus stays inside) and
 * Esc fires `cancel`, which we turn into onClose so React stays the owner of whether it is open.
 */
export function Modal({ labelledBy, describedBy, onClose, className, role, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  useLayoutEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} role={role} className={`modal ${className ?? ''}`} aria-modal="true" aria-labelledby={labelledBy} aria-describedby={describedBy} onKeyDown={wrapTab}>
      {children}
    </dialog>
  );
}
