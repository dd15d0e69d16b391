/**
 * A delete that asks first, in place: the button turns into "Confirm …" and "Cancel", with what
 * goes with it when `question` says (asked when the button is pressed, so the numbers are current).
 */
import { useId, useState } from 'react';
import { ui } from './ui';

interface Props {
  /** E.g. `Delete lobby`; the confirm button reads `Confirm delete lobby`. */
  label: string;
  onConfirm(): Promise<void>;
  disabled?: boolean;
  /** What the delete takes with it, in a sentence; it describes the confirm button. */
  question?: () => Promise<string>;
}

export function ConfirmDeleteButton({ label, onConfirm, disabled, question }: Props) {
  // `back`: the question was answered, so focus returns to the button that asked it.
  const [step, setStep] = useState<'idle' | 'asking' | 'back'>('idle');
  const [text, setText] = useState<string>();
  const questionId = useId();
  const confirmLabel = `Confirm ${label.charAt(0).toLowerCase()}${label.slice(1)}`;

  function ask() {
    setStep('asking');
    if (!question) return;
    setText(undefined);
    void question().then(setText);
  }

  if (step !== 'asking') {
    return (
      <button type="button" className={ui.dangerButton} disabled={disabled} autoFocus={step === 'back'} onClick={ask}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-flex max-w-full flex-wrap items-center gap-1">
      {question && (
        <span id={questionId} role="status" className="basis-full text-sm wrap-anywhere">
          {text ?? 'Counting what goes with it…'}
        </span>
      )}
      <button
        type="button"
        className={`${ui.dangerButton} font-semibold`}
        aria-describedby={question ? questionId : undefined}
        onClick={() => {
          setStep('back');
          void onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className={ui.button} autoFocus onClick={() => setStep('back')}>
        Cancel
      </button>
    </span>
  );
}
