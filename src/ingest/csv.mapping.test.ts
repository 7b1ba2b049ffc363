// CSV with a column mapping: mapping mistakes are said plainly, values are read as an analyst's export writes them.
import { describe, expect, it } from 'vitest';
import { contractFields, parseCsvMapping, type CsvMapping } from './csv.mapping.ts';
import { csvImportLines, CsvHeaderError, mapCsvRow } from './csv.records.ts';
import { parseDate } from './date-format.parser.ts';
import { ImportTooLargeError, type ImportLine } from './import.parser.ts';

function mapping(extra: object = {}): CsvMapping {
  const parsed = parseCsvMapping(
    JSON.stringify({
      columns: { Order: 'id', Date: 'placed_at', Total: 'amount.value', Status: 'outcome', Mail: 'customer.email' },
      delimiter: ';',
      decimal_separator: ',',
      date_format: 'dd-MM-yyyy HH:mm',
      time_zone: 'Europe/Amsterdam',
      outcome_values: { betaald: 'paid_on_time', fraude: 'fraud_confirmed' },
      ...extra,
    }),
    'mapping.json',
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.mapping;
}

async function lines(text: string, options: { maxTotalBytes?: number } = {}, map = mapping()) {
  const found: ImportLine[] = [];
  for await (const line of csvImportLines([text], map, options)) found.push(line);
  return found.sort((first, second) => first.line - second.line);
}

describe('column mapping file', () => {
  it('lists every problem with its place: unknown field, missing required field, bad pattern and zone, unknown key', () => {
    const result = parseCsvMapping(
      JSON.stringify({
        columns: { A: 'customer.mail', B: 'placed_at', C: 'placed_at' },
        date_format: 'MM-yyyy',
        time_zone: 'Mars/Olympus',
        colour: 'red',
      }),
      'map.json',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain('map.json: invalid column mapping');
    expect(result.error).toContain('columns.A: "customer.mail" is not a field of the import contract');
    expect(result.error).toContain('customer.email');
    expect(result.error).toContain('columns.C: placed_at is already given by column "B"');
    expect(result.error).toContain('no column or constant gives amount.value');
    expect(result.error).toContain('no column or constant gives outcome');
    expect(result.error).toContain('date_format: date format "MM-yyyy" lacks dd');
    expect(result.error).toContain('time_zone: "Mars/Olympus" is not a time zone');
    expect(result.error).toContain('Unrecognized key: "colour"');
  });

  it('reads YAML by its extension and says which syntax failed', () => {
    const yaml = parseCsvMapping('columns:\n  when: placed_at\n  total: amount.value\n  label: outcome\n', 'm.yaml');
    expect(yaml.ok && yaml.mapping.columns.when).toBe('placed_at');
    const broken = parseCsvMapping('columns: [unclosed', 'm.yml');
    expect(!broken.ok && broken.error).toContain('m.yml: not valid YAML');
    const json = parseCsvMapping('{', 'm.json');
    expect(!json.ok && json.error).toContain('m.json: not valid JSON');
  });

  it('knows the contract from its schema, merchant data by prefix, and not the order lines', () => {
    const fields = contractFields();
    expect(fields).toEqual(expect.arrayContaining(['placed_at', 'amount.value', 'device.ip', 'extra_merchant_data.*']));
    expect(fields.some((field) => field.startsWith('lines'))).toBe(false);
    expect(parseCsvMapping(JSON.stringify({ columns: { X: 'lines' } }), 'm.json').ok).toBe(false);
  });
});

describe('dates', () => {
  it('reads a pattern in Amsterdam time across daylight saving, and ISO with or without an offset', () => {
    expect(parseDate('01-07-2025 10:00', 'dd-MM-yyyy HH:mm', 'Europe/Amsterdam')).toEqual({
      ok: true,
      iso: '2025-07-01T08:00:00.000Z',
    });
    expect(parseDate('15-01-2025 10:00', 'dd-MM-yyyy HH:mm', 'Europe/Amsterdam')).toEqual({
      ok: true,
      iso: '2025-01-15T09:00:00.000Z',
    });
    expect(parseDate('2025-01-15 10:00', 'iso', 'Europe/Amsterdam')).toEqual({
      ok: true,
      iso: '2025-01-15T09:00:00.000Z',
    });
    expect(parseDate('2025-01-15T10:00:00+02:00', 'iso', 'Europe/Amsterdam')).toEqual({
      ok: true,
      iso: '2025-01-15T08:00:00.000Z',
    });
    expect(parseDate('2025/01/15 07:08:09.250', 'yyyy/MM/dd HH:mm:ss.SSS', 'UTC')).toEqual({
      ok: true,
      iso: '2025-01-15T07:08:09.250Z',
    });
  });

  it('refuses a date that does not exist or does not match, instead of rolling it over', () => {
    expect(parseDate('31-02-2025 10:00', 'dd-MM-yyyy HH:mm', 'UTC')).toMatchObject({ ok: false });
    expect(parseDate('2025-01-15', 'dd-MM-yyyy HH:mm', 'UTC')).toMatchObject({
      ok: false,
      error: '"2025-01-15" does not match the date format "dd-MM-yyyy HH:mm"',
    });
    expect(parseDate('yesterday', 'iso', 'UTC')).toMatchObject({ ok: false });
  });
});

describe('rows', () => {
  it('maps amounts with a decimal comma, label values, merchant data types and constants', () => {
    const map = mapping({
      columns: {
        Order: 'id',
        Date: 'placed_at',
        Total: 'amount.value',
        Status: 'outcome',
        Hint: 'extra_merchant_data.hint',
        Guest: 'extra_merchant_data.guest',
        Channel: 'extra_merchant_data.channel',
      },
      constants: { merchant: 'Webshop' },
    });
    const row = {
      Order: 'A1',
      Date: '01-07-2025 10:00',
      Total: '1.234,56',
      Status: 'Fraude',
      Hint: '7',
      Guest: 'TRUE',
      Channel: 'app',
    };
    expect(mapCsvRow(row, map)).toEqual({
      ok: true,
      record: {
        type: 'order',
        merchant: 'Webshop',
        amount: { currency: 'EUR', value: 123456 },
        id: 'A1',
        placed_at: '2025-07-01T08:00:00.000Z',
        outcome: 'fraud_confirmed',
        extra_merchant_data: { hint: 7, guest: true, channel: 'app' },
      },
    });
    expect(mapCsvRow({ ...row, Status: 'chargeback' }, map)).toEqual({
      ok: false,
      error:
        'invalid_value: column "Status" (outcome): "chargeback" is not a known label value (outcome_values: betaald, fraude)',
    });
    expect(mapCsvRow({ ...row, Total: '12 euro' }, map)).toMatchObject({
      ok: false,
      error: expect.stringContaining('"12 euro" is not an amount'),
    });
  });
});

describe('CSV lines', () => {
  const header = 'Order;Date;Total;Status;Mail\n';

  it('numbers each row by its line in the file and reports bad rows without stopping', async () => {
    const text =
      header +
      '1;01-07-2025 10:00;12,50;betaald;a@example.nl\n' +
      '2;31-02-2025 10:00;1;betaald;\n' +
      '3;01-07-2025 11:00;5;betaald;not-an-email\n' +
      '4;01-07-2025 12:00;5\n' +
      '5;01-07-2025 12:00;5;"betaald\n";c@example.nl\n' +
      '6;01-07-2025 13:00;7,00;fraude;b@example.nl\n';
    const found = await lines(text);
    expect(found.map((line) => [line.line, 'text' in line ? 'ok' : line.error.split(':')[0]])).toEqual([
      [2, 'ok'],
      [3, 'invalid_value'],
      [4, 'invalid_record'],
      [5, 'invalid_csv'],
      [7, 'ok'],
      [8, 'ok'],
    ]);
    expect(found[2]).toMatchObject({ error: expect.stringContaining('customer.email (column "Mail")') });
    expect(JSON.parse((found[0] as { text: string }).text)).toMatchObject({
      amount: { value: 1250 },
      outcome: 'paid_on_time',
    });
  });

  it('stops at the size limit without reading a cut row as a shorter one', async () => {
    const row = '1;01-07-2025 10:00;125,00;betaald;a@example.nl\n';
    const text = header + row + row.replace('1;', '2;');
    const limit = header.length + row.length + 20;
    const found: ImportLine[] = [];
    await expect(async () => {
      for await (const line of csvImportLines([text], mapping(), { maxTotalBytes: limit })) found.push(line);
    }).rejects.toThrow(ImportTooLargeError);
    expect(found).toHaveLength(1);
    expect(JSON.parse((found[0] as { text: string }).text)).toMatchObject({ id: '1', amount: { value: 12500 } });
  });

  it('names mapped columns the header lacks', async () => {
    await expect(lines('Order;Date;Total;Status\n1;01-07-2025 10:00;1;betaald\n')).rejects.toThrow(CsvHeaderError);
    await expect(lines('Order;Date;Total;Status\n1;01-07-2025 10:00;1;betaald\n')).rejects.toThrow('"Mail"');
  });
});
