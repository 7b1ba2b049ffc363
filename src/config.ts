// The one module that reads the environment: validated into a typed config at start.
import { z } from 'zod';

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  REDIS_URL: z.string().optional(),
  REARGUARD_ADMIN_KEY: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INVOICE_DUE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  IMPORT_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1_048_576),
});

export type Config = {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly adminKey: string | undefined;
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly invoiceDueDays: number;
  readonly bodyLimitBytes: number;
  readonly importLimitBytes: number;
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function loadConfig(environment: Record<string, string | undefined>): ConfigResult {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const value = parsed.data;
  return {
    ok: true,
    config: {
      port: value.PORT,
      host: value.HOST,
      dataDir: value.DATA_DIR,
      databaseUrl: value.DATABASE_URL,
      redisUrl: value.REDIS_URL,
      adminKey: value.REARGUARD_ADMIN_KEY,
      logLevel: value.LOG_LEVEL,
      invoiceDueDays: value.INVOICE_DUE_DAYS,
      bodyLimitBytes: value.BODY_LIMIT_BYTES,
      importLimitBytes: value.IMPORT_LIMIT_BYTES,
    },
  };
}

/** Documentation of every setting, rendered into the README's configuration table. */
export const configDocumentation: ReadonlyArray<readonly [string, string, string]> = [
  ['PORT', '8080', 'HTTP port'],
  ['HOST', '127.0.0.1', 'Interface to listen on (0.0.0.0 behind a load balancer)'],
  ['DATA_DIR', './data', 'Embedded PGlite data directory (used when DATABASE_URL is unset)'],
  ['DATABASE_URL', '(unset)', 'postgres:// URL of a PostgreSQL 15+ server instead of the embedded database'],
  ['REDIS_URL', '(unset)', 'redis:// URL for shared online feature state (multi-node)'],
  ['REARGUARD_ADMIN_KEY', '(unset)', 'Bearer key of the admin API; no admin API when unset (min. 16 chars)'],
  ['LOG_LEVEL', 'info', 'pino log level'],
  ['INVOICE_DUE_DAYS', '14', 'Days until an invoice is due'],
  ['BODY_LIMIT_BYTES', '1048576', 'Largest JSON request body'],
  ['IMPORT_LIMIT_BYTES', '536870912', 'Largest NDJSON import body'],
];
