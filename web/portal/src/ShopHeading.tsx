// A card's title as people recognise a purchase: the shop and the amount ("Phone Shop · € 939,00").
import type { Money } from './api.ts';
import { useText } from './i18n/language.tsx';

export function ShopHeading({ merchant, amount }: { merchant: string | null; amount: Money }) {
  const { text, money } = useText();
  return <h2>{text('common.heading', { merchant: merchant ?? text('common.aShop'), amount: money(amount) })}</h2>;
}
