// A modal confirmation that lists what will happen before the consumer commits ("not mine", erasure of their data).
import { useEffect, useRef } from 'react';
import { useText } from './i18n/language.tsx';

export function ConfirmDialog(props: {
  /** The heading's id, which names the dialog for screen readers. */
  titleId: string;
  title: string;
  intro?: string;
  consequences: readonly string[];
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { text } = useText();
  const dialog = useRef<HTMLDialogElement>(null);
  // A modal <dialog> keeps keyboard focus inside and closes on Escape (the browser's own, accessible behaviour).
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={props.titleId} onCancel={props.onCancel}>
      <h2 id={props.titleId}>{props.title}</h2>
      {props.intro !== undefined && <p>{props.intro}</p>}
      <ul className="consequences">
        {props.consequences.map((consequence) => (
          <li key={consequence}>{consequence}</li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          {text('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
