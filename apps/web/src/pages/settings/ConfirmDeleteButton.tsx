/** A delete that asks first, in place: the button turns into "Confirm …" and "Cancel". */
import { useState } from 'react';
import { ui } from './ui';

interface Props {
  /** E.g. `Delete lobby`; the confirm button reads `Confirm delete lobby`. */
  label: string;
  onConfirm(): Promise<void>;
  disabled?: boolean;
}

export function ConfirmDeleteButton({ label, onConfirm, disabled }: Props) {
  // `back`: the question was answered, so focus returns to the button that asked it.
  const [step, setStep] = useState<'idle' | 'asking' | 'back'>('idle');
  const confirmLabel = `Confirm ${label.charAt(0).toLowerCase()}${label.slice(1)}`;

  if (step !== 'asking') {
    return (
      <button type="button" className={ui.dangerButton} disabled={disabled} autoFocus={step === 'back'} onClick={() => setStep('asking')}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-flex gap-1">
      <button
        type="button"
        className={`${ui.dangerButton} font-semibold`}
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
