/**
 * Asks before a destructive action, in a modal <dialog> (focus stays inside it, Escape cancels). The
 * confirming button names the action ("Delete 3 files"); the failure, if any, shows in the dialog so the
 * user can try again or cancel.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "./error-message";

interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  /** The confirming button's text, e.g. "Delete voice". */
  confirmLabel: string;
  /** The action; the dialog closes when it resolves and shows its error when it rejects. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    dialog.current?.showModal();
    // Enter on an accidental open must not destroy anything: the safe choice has the focus.
    cancel.current?.focus();
    return () => dialog.current?.close();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
        <button ref={cancel} type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
