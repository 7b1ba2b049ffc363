// "I did not order this": a confirmation that says what will happen before the report is filed.
import { useEffect, useRef } from 'react';
import { useText } from './i18n/language.tsx';

export function ClaimDialog(props: { merchant: string; amount: string; onConfirm: () => void; onCancel: () => void }) {
  const { text } = useText();
  const dialog = useRef<HTMLDialogElement>(null);
  // A modal <dialog> keeps keyboard focus inside and closes on Escape (the browser's own, accessible behaviour).
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="claim-title" onCancel={props.onCancel}>
      <h2 id="claim-title">{text('claim.confirm.title')}</h2>
      <p>{text('claim.confirm.intro', { merchant: props.merchant, amount: props.amount })}</p>
      <ul className="consequences">
        <li>{text('claim.confirm.paused')}</li>
        <li>{text('claim.confirm.shop')}</li>
        <li>{text('claim.confirm.police')}</li>
      </ul>
      <div className="actions">
        <button type="button" className="danger" onClick={props.onConfirm}>
          {text('claim.confirm.yes')}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          {text('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
