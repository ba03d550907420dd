import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

interface ConfirmButtonProps {
  readonly label: string;
  /** The question in the dialog. */
  readonly question: ComponentChildren;
  readonly confirmLabel?: string;
  readonly danger?: boolean;
  readonly disabled?: boolean;
  readonly onConfirm: () => void;
}

/**
 * A button that asks first, in a modal <dialog>: the browser keeps focus inside it, Escape
 * cancels, and focus goes back to the button that opened it.
 */
export function ConfirmButton({ label, question, confirmLabel, danger, disabled, onConfirm }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const close = () => {
    dialog.current?.close();
    opener.current?.focus();
  };
  const confirm = () => {
    close();
    onConfirm();
  };
  return (
    <>
      <button type="button" ref={opener} class={danger === true ? 'danger' : 'secondary'} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="confirm" aria-label={label} onClose={() => opener.current?.focus()}>
        <p>{question}</p>
        <div class="actions">
          <button type="button" class="secondary" onClick={close} autofocus>
            Cancel
          </button>
          <button type="button" class={danger === true ? 'danger' : 'primary'} onClick={confirm}>
            {confirmLabel ?? label}
          </button>
        </div>
      </dialog>
    </>
  );
}
