// IBANs: validated (country format and check digits) and stored in electronic format, e.g. "NL91ABNA0417164300".
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

/** The electronic format of a valid IBAN; null for anything that is not one. */
export function normaliseIban(raw: string): string | null {
  const electronic = electronicFormatIBAN(raw);
  return electronic !== null && isValidIBAN(electronic) ? electronic : null;
}

/** Electronic format without validation, for IBANs a bank reported (kept as reported when oddly formed). */
export function electronicIban(raw: string): string {
  return electronicFormatIBAN(raw) ?? raw.replace(/\s+/g, '').toUpperCase();
}
