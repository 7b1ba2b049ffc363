// The column-mapping file for CSV input: which CSV column feeds which import-contract field, and how to read values.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { importOrderSchema, orderOutcomes } from './import.schema.ts';
import { dateFormatProblem } from './date-format.parser.ts';

/** Every leaf of the order contract as a dotted path (records as `name.*`), read from the schema itself. */
export function contractFields(): string[] {
  const leaves = (schema: z.ZodType, path: string): string[] => {
    let inner: z.ZodType = schema;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodObject)
      return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
        leaves(value, path === '' ? key : `${path}.${key}`),
      );
    if (inner instanceof z.ZodRecord) return [`${path}.*`];
    // Order lines are a list: one CSV row cannot hold them, so they are not mappable.
    if (inner instanceof z.ZodArray) return [];
    return [path];
  };
  return leaves(importOrderSchema, '').filter((field) => field !== 'type');
}

const knownFields = contractFields();

export function isContractField(field: string): boolean {
  if (knownFields.includes(field)) return true;
  const dot = field.indexOf('.');
  return dot > 0 && field.length > dot + 1 && knownFields.includes(`${field.slice(0, dot)}.*`);
}

const dateFields = ['placed_at', 'outcome_at', 'merchant_account.registered_at', 'merchant_account.changed_at'];
const requiredFields = ['placed_at', 'amount.value', 'outcome'] as const;

const fieldName = z.string().refine(isContractField, {
  error: (issue) => `"${String(issue.input)}" is not a field of the import contract (known: ${knownFields.join(', ')})`,
});
const dateFormat = z.string().superRefine((format, context) => {
  const problem = dateFormatProblem(format);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const csvMappingSchema = z
  .object({
    /** CSV column (as in the header line) -> contract field, e.g. "Order date": "placed_at". */
    columns: z.record(z.string().min(1), fieldName),
    /** Values every row gets, e.g. "amount.currency": "EUR". */
    constants: z.record(fieldName, z.union([z.string(), z.number(), z.boolean()])).default({}),
    delimiter: z.string().length(1).default(','),
    /** ',' for "12,50"; thousands separators of the other kind are dropped. */
    decimal_separator: z.enum(['.', ',']).default('.'),
    /** major: "12.50" euros; minor: "1250" cents, as the contract counts. */
    amount_unit: z.enum(['major', 'minor']).default('major'),
    /** "iso" or a pattern of yyyy MM dd HH mm ss SSS, e.g. "dd-MM-yyyy HH:mm"; per field in date_formats. */
    date_format: dateFormat.default('iso'),
    date_formats: z.record(z.enum(dateFields), dateFormat).default({}),
    /** The zone of dates written without an offset (an IANA name such as Europe/Amsterdam). */
    time_zone: z
      .string()
      .refine(isTimeZone, {
        error: (issue) => `"${String(issue.input)}" is not a time zone such as Europe/Amsterdam or UTC`,
      })
      .default('UTC'),
    /** The label column's values -> contract outcomes, e.g. "chargeback": "fraud_confirmed". */
    outcome_values: z.record(z.string(), z.enum(orderOutcomes)).optional(),
  })
  .strict()
  .superRefine((mapping, context) => {
    const mapped = new Set([...Object.values(mapping.columns), ...Object.keys(mapping.constants)]);
    for (const field of requiredFields) {
      if (!mapped.has(field))
        context.addIssue({ code: 'custom', path: ['columns'], message: `no column or constant gives ${field}` });
    }
    const seen = new Map<string, string>();
    for (const [column, field] of Object.entries(mapping.columns)) {
      const other = seen.get(field);
      if (other !== undefined)
        context.addIssue({
          code: 'custom',
          path: ['columns', column],
          message: `${field} is already given by column "${other}"`,
        });
      seen.set(field, column);
    }
  });

export type CsvMapping = z.infer<typeof csvMappingSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type MappingResult = { ok: true; mapping: CsvMapping } | { ok: false; error: string };

/** Parses mapping text (JSON, or YAML when the name ends in .yaml/.yml); every problem is listed with its place. */
export function parseCsvMapping(text: string, name: string): MappingResult {
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(name) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const kind = /\.ya?ml$/i.test(name) ? 'YAML' : 'JSON';
    return {
      ok: false,
      error: `${name}: not valid ${kind}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const parsed = csvMappingSchema.safeParse(value);
  if (parsed.success) return { ok: true, mapping: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'mapping'}: ${issue.message}`,
  );
  return { ok: false, error: `${name}: invalid column mapping:\n  ${problems.join('\n  ')}` };
}

export async function loadCsvMapping(path: string): Promise<MappingResult> {
  return parseCsvMapping(await readFile(path, 'utf8'), path);
}

export function isDateField(field: string): boolean {
  return dateFields.includes(field);
}
