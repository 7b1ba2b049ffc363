// HTML pieces the evaluation report's sections share: a table whose text cells are always escaped, number formatting.
import { escapeHtml } from './svg-chart.ts';

/** Markup the report itself builds; every other cell is text and escaped here, whatever it came from. */
export type Cell = string | { readonly html: string };

export function formatValue(value: number | string | null): string {
  if (value === null) return 'n/a';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

export function table(header: readonly string[], rows: readonly (readonly Cell[])[], numeric = false): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const render = (cell: Cell) => (typeof cell === 'string' ? escapeHtml(cell) : cell.html);
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, index) => `<td${numeric || index > 0 ? ' class="number"' : ''}>${render(cell)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A paragraph of plain text, escaped. */
export function note(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}
