// The one module that reads the environment: validated into a typed config at start.
import { parseOpsAlertRecipients, type OpsAlertRecipient } from './ops/ops-alert.delivery.ts';
import { z } from 'zod';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { parseMasterKeys, type MasterKey } from './privacy/envelope.ts';

/** Signs codes, client tokens and notice links in development only; production sets REARGUARD_SECRET. */
export const developmentSecret = 'development-only-secret-set-REARGUARD_SECRET';
/** Pseudonymises personal values in development only; production sets PSEUDONYM_SECRET. */
export const developmentPseudonymSecret = 'development-only-pseudonym-secret-set-PSEUDONYM_SECRET';
/** Wraps personal-data keys in development only (32 public bytes); production sets MASTER_KEYS. */
export const developmentMasterKeys = `dev:${Buffer.from('development-only-master-key-set-').toString('base64')}`;

/** The environment the server reads; exported so the documentation check sees every variable and default. */
export const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9a-fA-F.:/, ]+)$/, 'true, or the proxy addresses/CIDRs (comma-separated)')
    .default('false'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  REARGUARD_ADMIN_KEY: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INVOICE_DUE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  AUTHORIZATION_EXPIRY_DAYS: z.coerce.number().int().min(1).max(90).default(28),
  IDEMPOTENCY_CLAIM_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  CURRENCIES: z
    .string()
    .regex(/^[A-Z]{3}(,[A-Z]{3})*$/, 'comma-separated ISO 4217 codes, e.g. EUR or EUR,GBP')
    .default('EUR'),
  IMPORT_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1_048_576),
  INVOICE_REMINDER_DAYS: z
    .string()
    .regex(/^-?\d{1,3}(,-?\d{1,3})*$/, 'comma-separated day offsets from the due date, e.g. -3,1,7')
    .default('-3,1,7'),
  LATE_FEE_CENTS: z.coerce.number().int().min(0).max(100_000).default(0),
  LATE_FEE_AFTER_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  INVOICE_UNPAID_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(60),
  // Where consumers pay their invoices by bank transfer; unset: the portal shows no bank details (see README).
  PAYMENT_IBAN: z
    .string()
    .transform((iban) => electronicFormatIBAN(iban) ?? iban)
    .refine((iban) => isValidIBAN(iban), 'a valid IBAN')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PAYMENT_ACCOUNT_HOLDER: z.string().trim().min(1).max(70).default('Rearguard'),
  // A pay page of the payment provider; {reference} and {amount} (e.g. 939.00) are filled in per invoice.
  PAYMENT_LINK_URL: z.url({ protocol: /^https?$/ }).optional(),
  PAYMENT_PROCESSOR_KEY: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CASE_FIRST_RESPONSE_HOURS: z.coerce.number().min(0.01).max(720).default(4),
  REVIEW_REQUEST_SLA_HOURS: z.coerce.number().min(0.01).max(720).default(48),
  REVIEW_DEADLINE_MINUTES: z.coerce.number().min(1).max(10_080).default(120),
  REVIEW_DEFAULT_OUTCOME: z.enum(['approve', 'decline']).default('decline'),
  OPS_ALERT_TO: z.string().max(2000).optional(),
  REVIEW_LOCK_MINUTES: z.coerce.number().min(1).max(480).default(15),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).default('false'),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  STATE_SNAPSHOT_PATH: z.string().default(''),
  STATE_SNAPSHOT_INTERVAL_S: z.coerce.number().int().min(0).default(900),
  STATE_SNAPSHOT_SHARED: z.enum(['on', 'off']).default('on'),
  // Unset: http://localhost:$PORT (development only; production refuses a localhost PUBLIC_URL).
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  NODE_ENV: z.string().optional(),
  REARGUARD_SECRET: z.string().min(32, 'at least 32 characters').default(developmentSecret),
  WEBAUTHN_RP_ID: z.string().optional(),
  PSEUDONYM_SECRET: z.string().min(32, 'at least 32 characters').default(developmentPseudonymSecret),
  MASTER_KEYS: z.string().default(developmentMasterKeys),
  PERSONAL_DATA_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  NOTIFIER_EMAIL: z.enum(['outbox', 'smtp']).default('outbox'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().default('Rearguard <no-reply@rearguard.local>'),
  NOTIFIER_SMS: z.enum(['outbox', 'http']).default('outbox'),
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  NEW_CUSTOMER_FLOOR_CENTS: z.coerce.number().int().min(0).max(100_000).default(5_000),
  NOTIFIER_LETTER: z.enum(['outbox', 'http']).default('outbox'),
  LETTER_SERVICE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LETTER_SERVICE_TOKEN: z.string().optional(),
  BANK_ID_ISSUER_URL: z.url({ protocol: /^https?$/ }).optional(),
  BANK_ID_CLIENT_ID: z.string().min(1).optional(),
  BANK_ID_CLIENT_SECRET: z.string().min(1).optional(),
  BANK_ID_REDIRECT_URL: z.url({ protocol: /^https?$/ }).optional(),
  BANK_ID_SCOPE: z.string().min(6).default('openid profile address'),
  VERIFICATION_PAYMENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  VERIFICATION_PAYMENT_KEY: z.string().min(16, 'at least 16 characters').optional(),
  VERIFICATION_PAYMENT_CALLBACK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  // Privacy: erasure and retention periods (README "Privacy").
  ERASURE_FRESH_PROOF_MINUTES: z.coerce.number().min(1).max(1440).default(10),
  TAX_RETENTION_YEARS: z.coerce.number().int().min(1).max(20).default(7),
  DEBT_LIMITATION_YEARS: z.coerce.number().int().min(1).max(30).default(5),
  FRAUD_INCIDENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(7300).default(1825),
  DECISION_INPUT_RETENTION_DAYS: z.coerce.number().int().min(1).max(7300).default(365),
  ABANDONED_SESSION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  EXPIRED_CHALLENGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SENT_MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

/** Privacy settings: the pseudonym key (shared with the encrypted store), erasure and retention periods. */
export interface PrivacyConfig {
  /** HMAC secret of the pseudonyms (src/privacy/pseudonyms.ts). */
  readonly pseudonymSecret: string;
  /** Master keys that wrap the per-subject data keys: the first wraps new ones, all unwrap. */
  readonly masterKeys: readonly MasterKey[];
  /** off only to measure its cost (bench): personal data is then stored sealed but not encrypted. */
  readonly personalDataEncryption: boolean;
  /** A portal erasure needs a sign-in or step-up at most this many minutes old. */
  readonly erasureFreshProofMinutes: number;
  /** Invoices and the payout ledger are kept this long for the tax authority (NL: 7 years, AWR art. 52). */
  readonly taxRetentionYears: number;
  /** Open debt is kept until settled, at most until the claim is time-barred (NL: 5 years, BW 3:307). */
  readonly debtLimitationYears: number;
  readonly fraudIncidentRetentionDays: number;
  readonly decisionInputRetentionDays: number;
  readonly abandonedSessionRetentionDays: number;
  readonly expiredChallengeRetentionDays: number;
  /** Delivered and failed outbox messages (notices, codes, webhooks) are deleted this long after they ended. */
  readonly sentMessageRetentionDays: number;
}

export type Config = {
  readonly privacy: PrivacyConfig;
  /** NODE_ENV=production: `rearguard start` refuses development values (see productionProblems). */
  readonly production: boolean;
  /** Set by `rearguard start --demo` (never by the environment): development-only providers are wired. */
  readonly demo: boolean;
  readonly port: number;
  readonly host: string;
  /** Which proxies' X-Forwarded-For to believe for the client address (sign-in limits per client address). */
  readonly trustProxy: boolean | string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL server: longest wait for a connection, and longest a statement may run. */
  readonly databaseTimeouts: { readonly connectMilliseconds: number; readonly statementMilliseconds: number };
  readonly adminKey: string | undefined;
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly invoiceDueDays: number;
  /** Days an authorization waits for capture before it expires (merchants capturing on shipment). */
  readonly authorizationExpiryDays: number;
  readonly bodyLimitBytes: number;
  /** How long an Idempotency-Key claim protects a request in progress before a retry may take it over. */
  readonly idempotencyClaimMilliseconds: number;
  /** A client has this long to send a whole request (headers: at most 10 s of it). */
  readonly requestTimeoutMilliseconds: number;
  readonly importLimitBytes: number;
  /** Currencies a checkout session may be in. */
  readonly currencies: readonly string[];
  readonly invoicing: {
    /** Day offsets from the due date at which a payment reminder goes out (negative: before it). */
    readonly reminderDays: readonly number[];
    readonly lateFeeCents: number;
    readonly lateFeeAfterDays: number;
    readonly unpaidAfterDays: number;
    readonly processorKey: string | undefined;
    /** How consumers pay: the bank account (undefined: not configured) and the provider's pay link template. */
    readonly transfer: {
      readonly iban: string | undefined;
      readonly accountHolder: string;
      readonly payLinkTemplate: string | undefined;
    };
  };
  readonly caseFirstResponseHours: number;
  /** Hours within which a consumer's request for a human review must be answered (the desk sees overdue ones first). */
  readonly reviewRequestSlaHours: number;
  /** A `review` decision waits this long for an analyst, then takes the default outcome. */
  readonly review: {
    readonly deadlineMinutes: number;
    readonly defaultOutcome: 'approved' | 'declined';
    /** How long an analyst's lock on a queue item lasts without being renewed. */
    readonly lockMinutes: number;
  };
  /** Where the desk's alerts are sent besides the console: e-mail boxes and phone numbers. */
  readonly opsAlertRecipients: readonly OpsAlertRecipient[];
  readonly webhookTimeoutMilliseconds: number;
  readonly webhookAllowPrivateUrls: boolean;
  readonly schedulerIntervalMilliseconds: number;
  /**
   * The online-state snapshot file: '' means DATA_DIR/online-state.snapshot, 'off' none; how often it is written; and
   * whether it is shared through PostgreSQL with processes that have none of their own.
   */
  readonly stateSnapshot: { readonly path: string; readonly intervalMilliseconds: number; readonly shared: boolean };
  /** Where shoppers and consumers reach this server (links in messages, WebAuthn origin). */
  readonly publicUrl: string;
  readonly secret: string;
  readonly webauthnRpId: string;
  readonly notifier: {
    readonly email: 'outbox' | 'smtp';
    readonly smtpUrl: string | undefined;
    readonly mailFrom: string;
    readonly sms: 'outbox' | 'http';
    readonly smsGatewayUrl: string | undefined;
    readonly smsGatewayToken: string | undefined;
    readonly letter: 'outbox' | 'http';
    readonly letterServiceUrl: string | undefined;
    readonly letterServiceToken: string | undefined;
  };
  /** First orders of buyers who never proved their identity pass without a proof only up to this amount. */
  readonly newCustomerFloorCents: number;
  /** The OpenID Connect bank-identification broker; undefined: no bank identification (the demo bank with --demo). */
  readonly bankIdentity:
    | {
        readonly issuerUrl: string;
        readonly clientId: string;
        readonly clientSecret: string;
        readonly redirectUrl: string;
        readonly scope: string;
      }
    | undefined;
  /** The payment service for verification payments; undefined: none (the demo one with --demo). */
  readonly verificationPayment:
    { readonly serviceUrl: string; readonly apiKey: string; readonly callbackSecret: string } | undefined;
};

/** Fastify's trustProxy: the client address of a request (per-IP limits) comes from X-Forwarded-For only then. */
function trustProxyOf(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function loadConfig(environment: Record<string, string | undefined>): ConfigResult {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const value = parsed.data;
  const missing: string[] = [
    ...(value.NOTIFIER_EMAIL === 'smtp' && !value.SMTP_URL ? ['SMTP_URL: required when NOTIFIER_EMAIL=smtp'] : []),
    ...(value.NOTIFIER_SMS === 'http' && !value.SMS_GATEWAY_URL
      ? ['SMS_GATEWAY_URL: required when NOTIFIER_SMS=http']
      : []),
    ...(value.NOTIFIER_LETTER === 'http' && !value.LETTER_SERVICE_URL
      ? ['LETTER_SERVICE_URL: required when NOTIFIER_LETTER=http']
      : []),
  ];
  const bankIdentityVariables = [value.BANK_ID_ISSUER_URL, value.BANK_ID_CLIENT_ID, value.BANK_ID_CLIENT_SECRET];
  if (bankIdentityVariables.some(Boolean) && !bankIdentityVariables.every(Boolean))
    missing.push('BANK_ID_ISSUER_URL, BANK_ID_CLIENT_ID, BANK_ID_CLIENT_SECRET: set all three or none');
  const paymentVariables = [
    value.VERIFICATION_PAYMENT_URL,
    value.VERIFICATION_PAYMENT_KEY,
    value.VERIFICATION_PAYMENT_CALLBACK_SECRET,
  ];
  if (paymentVariables.some(Boolean) && !paymentVariables.every(Boolean))
    missing.push(
      'VERIFICATION_PAYMENT_URL, VERIFICATION_PAYMENT_KEY, VERIFICATION_PAYMENT_CALLBACK_SECRET: set all three or none',
    );
  const opsAlertRecipients = parseOpsAlertRecipients(value.OPS_ALERT_TO);
  if ('invalid' in opsAlertRecipients)
    missing.push(
      `OPS_ALERT_TO: "${opsAlertRecipients.invalid}" is neither an e-mail address nor a +E.164 phone number`,
    );
  const masterKeys = parseMasterKeys(value.MASTER_KEYS);
  if ('invalid' in masterKeys) missing.push(`MASTER_KEYS: ${masterKeys.invalid}`);
  if (missing.length > 0 || 'invalid' in opsAlertRecipients || 'invalid' in masterKeys)
    return { ok: false, errors: missing };
  const publicUrl = (value.PUBLIC_URL ?? `http://localhost:${value.PORT}`).replace(/\/+$/, '');
  return {
    ok: true,
    config: {
      privacy: {
        pseudonymSecret: value.PSEUDONYM_SECRET,
        masterKeys,
        personalDataEncryption: value.PERSONAL_DATA_ENCRYPTION === 'on',
        erasureFreshProofMinutes: value.ERASURE_FRESH_PROOF_MINUTES,
        taxRetentionYears: value.TAX_RETENTION_YEARS,
        debtLimitationYears: value.DEBT_LIMITATION_YEARS,
        fraudIncidentRetentionDays: value.FRAUD_INCIDENT_RETENTION_DAYS,
        decisionInputRetentionDays: value.DECISION_INPUT_RETENTION_DAYS,
        abandonedSessionRetentionDays: value.ABANDONED_SESSION_RETENTION_DAYS,
        expiredChallengeRetentionDays: value.EXPIRED_CHALLENGE_RETENTION_DAYS,
        sentMessageRetentionDays: value.SENT_MESSAGE_RETENTION_DAYS,
      },
      production: value.NODE_ENV === 'production',
      demo: false,
      port: value.PORT,
      host: value.HOST,
      trustProxy: trustProxyOf(value.TRUST_PROXY),
      dataDir: value.DATA_DIR,
      databaseUrl: value.DATABASE_URL,
      databaseTimeouts: {
        connectMilliseconds: value.DATABASE_CONNECT_TIMEOUT_MS,
        statementMilliseconds: value.DATABASE_STATEMENT_TIMEOUT_MS,
      },
      adminKey: value.REARGUARD_ADMIN_KEY,
      logLevel: value.LOG_LEVEL,
      invoiceDueDays: value.INVOICE_DUE_DAYS,
      authorizationExpiryDays: value.AUTHORIZATION_EXPIRY_DAYS,
      bodyLimitBytes: value.BODY_LIMIT_BYTES,
      requestTimeoutMilliseconds: value.REQUEST_TIMEOUT_MS,
      idempotencyClaimMilliseconds: value.IDEMPOTENCY_CLAIM_MS,
      importLimitBytes: value.IMPORT_LIMIT_BYTES,
      currencies: [...new Set(value.CURRENCIES.split(','))],
      invoicing: {
        reminderDays: [...new Set(value.INVOICE_REMINDER_DAYS.split(',').map(Number))].sort((a, b) => a - b),
        lateFeeCents: value.LATE_FEE_CENTS,
        lateFeeAfterDays: value.LATE_FEE_AFTER_DAYS,
        unpaidAfterDays: value.INVOICE_UNPAID_AFTER_DAYS,
        processorKey: value.PAYMENT_PROCESSOR_KEY,
        transfer: {
          iban: value.PAYMENT_IBAN,
          accountHolder: value.PAYMENT_ACCOUNT_HOLDER,
          payLinkTemplate: value.PAYMENT_LINK_URL,
        },
      },
      caseFirstResponseHours: value.CASE_FIRST_RESPONSE_HOURS,
      reviewRequestSlaHours: value.REVIEW_REQUEST_SLA_HOURS,
      review: {
        deadlineMinutes: value.REVIEW_DEADLINE_MINUTES,
        defaultOutcome: value.REVIEW_DEFAULT_OUTCOME === 'approve' ? 'approved' : 'declined',
        lockMinutes: value.REVIEW_LOCK_MINUTES,
      },
      opsAlertRecipients,
      webhookTimeoutMilliseconds: value.WEBHOOK_TIMEOUT_MS,
      webhookAllowPrivateUrls: value.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
      schedulerIntervalMilliseconds: value.SCHEDULER_INTERVAL_MS,
      stateSnapshot: {
        path: value.STATE_SNAPSHOT_PATH,
        intervalMilliseconds: value.STATE_SNAPSHOT_INTERVAL_S * 1000,
        shared: value.STATE_SNAPSHOT_SHARED === 'on',
      },
      publicUrl,
      secret: value.REARGUARD_SECRET,
      webauthnRpId: value.WEBAUTHN_RP_ID ?? new URL(publicUrl).hostname,
      notifier: {
        email: value.NOTIFIER_EMAIL,
        smtpUrl: value.SMTP_URL,
        mailFrom: value.MAIL_FROM,
        sms: value.NOTIFIER_SMS,
        smsGatewayUrl: value.SMS_GATEWAY_URL,
        smsGatewayToken: value.SMS_GATEWAY_TOKEN,
        letter: value.NOTIFIER_LETTER,
        letterServiceUrl: value.LETTER_SERVICE_URL,
        letterServiceToken: value.LETTER_SERVICE_TOKEN,
      },
      newCustomerFloorCents: value.NEW_CUSTOMER_FLOOR_CENTS,
      bankIdentity:
        value.BANK_ID_ISSUER_URL && value.BANK_ID_CLIENT_ID && value.BANK_ID_CLIENT_SECRET
          ? {
              issuerUrl: value.BANK_ID_ISSUER_URL,
              clientId: value.BANK_ID_CLIENT_ID,
              clientSecret: value.BANK_ID_CLIENT_SECRET,
              redirectUrl: value.BANK_ID_REDIRECT_URL ?? `${publicUrl}/v1/bank-identification/callback`,
              scope: value.BANK_ID_SCOPE,
            }
          : undefined,
      verificationPayment:
        value.VERIFICATION_PAYMENT_URL && value.VERIFICATION_PAYMENT_KEY && value.VERIFICATION_PAYMENT_CALLBACK_SECRET
          ? {
              serviceUrl: value.VERIFICATION_PAYMENT_URL,
              apiKey: value.VERIFICATION_PAYMENT_KEY,
              callbackSecret: value.VERIFICATION_PAYMENT_CALLBACK_SECRET,
            }
          : undefined,
    },
  };
}

/** Documentation of every setting, rendered into the README's configuration table. */
const localHosts = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i;

/**
 * What a production server must not run with, each naming its variable: the public development secret, a
 * PUBLIC_URL no shopper can reach, the outbox notifier (codes would never leave), private webhook targets.
 */
export function productionProblems(config: Config): string[] {
  const host = new URL(config.publicUrl).hostname.replace(/\.+$/, '');
  return [
    ...(config.secret === developmentSecret
      ? ['REARGUARD_SECRET: is the public development value; set a random secret of at least 32 characters']
      : []),
    ...developmentPrivacyValues(config),
    ...(localHosts.test(host) ? [`PUBLIC_URL: ${config.publicUrl} is local; set the address shoppers reach`] : []),
    ...(config.notifier.email === 'outbox'
      ? ['NOTIFIER_EMAIL: is outbox (e-mail never leaves); set smtp with SMTP_URL']
      : []),
    ...(config.notifier.sms === 'outbox'
      ? ['NOTIFIER_SMS: is outbox (SMS never leave); set http with SMS_GATEWAY_URL']
      : []),
    // The "not me" letter is how the person named on an unproven account hears of it: it must leave too.
    ...(config.notifier.letter === 'outbox'
      ? ['NOTIFIER_LETTER: is outbox (letters never leave); set http with LETTER_SERVICE_URL']
      : []),
    ...(config.webhookAllowPrivateUrls ? ['WEBHOOK_ALLOW_PRIVATE_URLS: must be false in production'] : []),
  ];
}

/** The privacy secrets still at their public development values (a warning in development, refused in production). */
export function developmentPrivacyValues(config: Config): string[] {
  return [
    ...(config.privacy.pseudonymSecret === developmentPseudonymSecret
      ? ['PSEUDONYM_SECRET: is the public development value; set a random secret of at least 32 characters']
      : []),
    ...(config.privacy.masterKeys.some((key) => key.id === 'dev')
      ? ['MASTER_KEYS: holds the public development key "dev"; set id:<32 random bytes in base64>']
      : []),
    ...(config.privacy.personalDataEncryption ? [] : ['PERSONAL_DATA_ENCRYPTION: off stores personal data in plain']),
  ];
}

/** Name, default and meaning of every variable (checked against the schema and README by config.documentation.test). */
export const configDocumentation: ReadonlyArray<readonly [string, string, string]> = [
  ['PORT', '8080', 'HTTP port'],
  ['HOST', '127.0.0.1', 'Interface to listen on (0.0.0.0 behind a load balancer)'],
  [
    'TRUST_PROXY',
    'false',
    'Behind a load balancer: true or its addresses/CIDRs, so per-client limits see the client address',
  ],
  ['DATA_DIR', './data', 'Embedded PGlite data directory (used when DATABASE_URL is unset)'],
  ['DATABASE_URL', '(unset)', 'postgres:// URL of a PostgreSQL 15+ server instead of the embedded database'],
  ['DATABASE_CONNECT_TIMEOUT_MS', '5000', 'PostgreSQL server: longest wait for a connection before a request gets 503'],
  ['DATABASE_STATEMENT_TIMEOUT_MS', '15000', 'PostgreSQL server: longest a statement may run (server and client side)'],
  ['REARGUARD_ADMIN_KEY', '(unset)', 'Bearer key of the admin API; no admin API when unset (min. 16 chars)'],
  ['LOG_LEVEL', 'info', 'pino log level'],
  ['INVOICE_DUE_DAYS', '14', 'Days from capture (shipment) until an invoice is due'],
  ['AUTHORIZATION_EXPIRY_DAYS', '28', 'Days an uncaptured authorization lasts before it expires and is released'],
  [
    'IDEMPOTENCY_CLAIM_MS',
    '60000',
    'An Idempotency-Key claim left by a crashed process is taken over by a retry after this long',
  ],
  ['REQUEST_TIMEOUT_MS', '30000', 'A client has this long to send a whole request (headers: at most 10 s)'],
  ['BODY_LIMIT_BYTES', '1048576', 'Largest JSON request body'],
  ['IMPORT_LIMIT_BYTES', '536870912', 'Largest NDJSON import body'],
  ['CURRENCIES', 'EUR', 'Currencies a checkout session may be in (comma-separated ISO 4217 codes)'],
  ['INVOICE_REMINDER_DAYS', '-3,1,7', 'Payment reminders: day offsets from the due date (negative: before it)'],
  ['LATE_FEE_CENTS', '0', 'Late fee added once to an overdue invoice (0: none); never on a paused invoice'],
  ['LATE_FEE_AFTER_DAYS', '14', 'Days after the due date before the late fee is added'],
  ['INVOICE_UNPAID_AFTER_DAYS', '60', 'Days after the due date when an open invoice becomes unpaid'],
  [
    'PAYMENT_PROCESSOR_KEY',
    '(unset)',
    'Bearer key of the payment processor for POST /v1/invoices/{id}/payments (min. 16 chars)',
  ],
  [
    'PAYMENT_IBAN',
    '(unset)',
    'IBAN consumers pay invoices to; the portal shows it with the reference and an EPC QR code',
  ],
  ['PAYMENT_ACCOUNT_HOLDER', 'Rearguard', 'Name on that account (in the QR code and the portal)'],
  ['PAYMENT_LINK_URL', '(unset)', "The provider's pay page; {reference} and {amount} are filled in per invoice"],
  ['NODE_ENV', '(unset)', 'production: refuse development values even with --demo'],
  ['CASE_FIRST_RESPONSE_HOURS', '4', "SLA: hours to an analyst's first response on a case; breaches raise an alert"],
  [
    'REVIEW_REQUEST_SLA_HOURS',
    '48',
    "SLA: hours to answer a consumer's request for a human review (GET /v1/admin/review-requests, /metrics)",
  ],
  ['REVIEW_DEADLINE_MINUTES', '120', 'Minutes an analyst has to approve or decline a `review` decision'],
  [
    'REVIEW_DEFAULT_OUTCOME',
    'decline',
    'What a review item past its deadline becomes (approve or decline); raises an alert',
  ],
  [
    'OPS_ALERT_TO',
    '(unset)',
    'Comma-separated e-mail addresses and +E.164 phone numbers that receive the desk alerts (also shown in the console)',
  ],
  [
    'REVIEW_LOCK_MINUTES',
    '15',
    'Minutes a queue item stays locked to the analyst working it (renewed each time they open it; a lead may take it over)',
  ],
  ['WEBHOOK_TIMEOUT_MS', '10000', 'Time a webhook receiver has to answer before the attempt counts as failed'],
  [
    'WEBHOOK_ALLOW_PRIVATE_URLS',
    'false',
    'Allow webhook endpoints on private/local addresses (development and tests only)',
  ],
  ['SCHEDULER_INTERVAL_MS', '60000', 'How often the invoice, case-SLA and authorization-expiry scheduler runs'],
  [
    'STATE_SNAPSHOT_PATH',
    '(DATA_DIR/online-state.snapshot)',
    'Online risk state snapshot for a fast start; off: rebuild from the database on every start',
  ],
  ['STATE_SNAPSHOT_INTERVAL_S', '900', 'How often the state snapshot is written while running (0: only on shutdown)'],
  [
    'STATE_SNAPSHOT_SHARED',
    'on',
    'PostgreSQL: publish each snapshot in the database (one per interval across processes); a start without its own file fetches it',
  ],
  ['PUBLIC_URL', 'http://localhost:$PORT', 'Where shoppers reach this server: links in messages, WebAuthn origin'],
  [
    'REARGUARD_SECRET',
    '(development value)',
    'HMAC key for one-time codes, client tokens and notice links (min. 32 chars; set it in production)',
  ],
  [
    'PSEUDONYM_SECRET',
    '(development value)',
    'Key of the per-kind HMAC pseudonyms that let fraud signals outlive an erasure (min. 32 chars; set it in production; never rotate without re-keying the lists)',
  ],
  ['ERASURE_FRESH_PROOF_MINUTES', '10', 'A portal erasure needs a sign-in or step-up at most this many minutes old'],
  [
    'TAX_RETENTION_YEARS',
    '7',
    'Invoices and payout ledger of an erased person kept in restricted storage (NL: 7 years)',
  ],
  [
    'DEBT_LIMITATION_YEARS',
    '5',
    'Open debt of an erased person kept at most this long past its due date (NL: 5 years)',
  ],
  ['FRAUD_INCIDENT_RETENTION_DAYS', '1825', 'Confirmed fraud incidents of an erased person kept in restricted storage'],
  ['DECISION_INPUT_RETENTION_DAYS', '365', "A decision's copy of the typed-in personal data is removed after this"],
  ['ABANDONED_SESSION_RETENTION_DAYS', '30', 'Checkout sessions that never became an order are deleted after this'],
  ['EXPIRED_CHALLENGE_RETENTION_DAYS', '30', 'Step-up challenges are deleted this long after they expired'],
  [
    'SENT_MESSAGE_RETENTION_DAYS',
    '30',
    'Delivered and failed outbox messages (notices, codes, webhooks) are deleted this long after they ended',
  ],
  [
    'MASTER_KEYS',
    '(development key)',
    "id:base64key,... (32-byte keys) wrapping each person's data key; the first wraps, all unwrap (rotate-master-key)",
  ],
  ['PERSONAL_DATA_ENCRYPTION', 'on', 'off only to measure the cost of encryption (personal data then stored plain)'],
  ['WEBAUTHN_RP_ID', '(host of PUBLIC_URL)', 'WebAuthn relying-party id for passkeys'],
  ['NOTIFIER_EMAIL', 'outbox', 'outbox (messages stay readable at /admin/outbox) or smtp'],
  ['SMTP_URL', '(unset)', 'smtp:// or smtps:// URL of the mail server (NOTIFIER_EMAIL=smtp)'],
  ['MAIL_FROM', 'Rearguard <no-reply@rearguard.local>', 'Sender of e-mail messages'],
  ['NOTIFIER_SMS', 'outbox', 'outbox or http (an SMS gateway taking JSON {to, text})'],
  ['SMS_GATEWAY_URL', '(unset)', 'SMS gateway endpoint (NOTIFIER_SMS=http)'],
  ['SMS_GATEWAY_TOKEN', '(unset)', 'Bearer token for the SMS gateway'],
  [
    'NEW_CUSTOMER_FLOOR_CENTS',
    '5000',
    'Largest first order of an unproven buyer approved without a proof (billing address only, delivery conditions)',
  ],
  ['NOTIFIER_LETTER', 'outbox', 'outbox or http (a print-and-mail service taking JSON {to, address, subject, text})'],
  ['LETTER_SERVICE_URL', '(unset)', 'Print-and-mail endpoint (NOTIFIER_LETTER=http)'],
  ['LETTER_SERVICE_TOKEN', '(unset)', 'Bearer token for the print-and-mail service'],
  ['BANK_ID_ISSUER_URL', '(unset)', 'OpenID Connect issuer of the bank-identification broker (with client id/secret)'],
  ['BANK_ID_CLIENT_ID', '(unset)', 'Client id registered at the bank-identification broker'],
  ['BANK_ID_CLIENT_SECRET', '(unset)', 'Client secret registered at the bank-identification broker'],
  ['BANK_ID_REDIRECT_URL', 'PUBLIC_URL/v1/bank-identification/callback', 'Redirect URL registered at the broker'],
  ['BANK_ID_SCOPE', 'openid profile address', 'Scopes asked of the bank (name, birth date, address)'],
  ['VERIFICATION_PAYMENT_URL', '(unset)', 'Base URL of the payment service for one-cent verification payments'],
  ['VERIFICATION_PAYMENT_KEY', '(unset)', 'Bearer key for the payment service (min. 16 chars)'],
  ['VERIFICATION_PAYMENT_CALLBACK_SECRET', '(unset)', 'HMAC key of the payment service callbacks (min. 32 chars)'],
];
