// "I did not order this": a confirmation that says what will happen before the report is filed.
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { useText } from './i18n/language.tsx';

export function ClaimDialog(props: { merchant: string; amount: string; onConfirm: () => void; onCancel: () => void }) {
  const { text } = useText();
  return (
    <ConfirmDialog
      titleId="claim-title"
      title={text('claim.confirm.title')}
      intro={text('claim.confirm.intro', { merchant: props.merchant, amount: props.amount })}
      consequences={[text('claim.confirm.paused'), text('claim.confirm.shop'), text('claim.confirm.police')]}
      confirm={text('claim.confirm.yes')}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    />
  );
}
