// A letter by post to the billing address when an order is placed for an account whose identity was never proven
// (an account opened in a person's name), with a short "not me" code: a ghost invoice's victim learns within days.
import { createHmac, randomInt } from 'node:crypto';
import type { DecisionHook } from '../checkout/checkout.service.ts';
import { isPossessionProof } from '../risk/engine.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { deliveryAddressOf, formatAddress } from '../stepup/challenge.message.ts';
import { chooseLanguage, formatDate, formatMoney, formatPostcode } from '../i18n/format.ts';
import { translate } from '../i18n/translate.ts';
import { fileClaim, type ClaimDependencies } from '../protection/claim.filing.ts';

/** No 0/O, 1/I/L: a code read from paper and typed by hand. 10 symbols of 32: 50 bits, not guessable. */
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const codeLength = 10;

export function newNotMeCode(): string {
  let code = '';
  for (let index = 0; index < codeLength; index += 1) code += alphabet[randomInt(alphabet.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export function normaliseNotMeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const codeHash = (secret: string, code: string) =>
  createHmac('sha256', secret)
    .update(`not-me-letter:${normaliseNotMeCode(code)}`)
    .digest('hex');

/**
 * The account's identity counts as established after a possession proof, or once it has paid and never had an order
 * confirmed as someone else's fraud (the same test the risk policy uses for its channels).
 */
function identityEstablished(features: Readonly<Record<string, unknown>>, proof: string | null): boolean {
  if (proof !== null && isPossessionProof(proof)) return true;
  if (features.account_identity_proven === true) return true;
  return Number(features.account_paid_orders ?? 0) > 0 && Number(features.account_third_party_fraud ?? 0) === 0;
}

export function makeIdentityLetterHook(dependencies: {
  readonly ids: Ids;
  readonly secret: string;
  readonly publicUrl: string;
  /** Injectable for tests that need to read the code back; defaults to a random one. */
  readonly newCode?: () => string;
}): DecisionHook {
  return async (tx, context) => {
    const { decision } = context;
    if (decision.outcome !== 'approved' || !context.orderId || !context.accountId) return {};
    if (identityEstablished(decision.features, context.proof)) return {};
    const input = context.session.input;
    const code = (dependencies.newCode ?? newNotMeCode)();
    await tx.query(
      `INSERT INTO identity_letters (id, account_id, order_id, code_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [
        dependencies.ids.next('ltr'),
        context.accountId,
        context.orderId,
        codeHash(dependencies.secret, code),
        context.at,
      ],
    );
    const billing = input.billing_address;
    // The reader may well not be the person who checked out, so the checkout's browser language is not theirs.
    const language = chooseLanguage(await context.accountLanguage());
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: 'letter',
        to: `${input.customer.name}, ${formatAddress(billing)}`,
        address: { name: input.customer.name, ...billing, postal_code: formatPostcode(billing.postal_code) },
        subject: translate(language, 'identity.letter.subject'),
        text: translate(language, 'identity.letter.text', {
          name: input.customer.name,
          opened: decision.accountId === null ? 'yes' : 'no',
          amount: formatMoney(input.amount.value, input.amount.currency, language),
          merchant: context.merchant.name,
          date: formatDate(context.at, language),
          address: formatAddress(deliveryAddressOf(input)),
          notMeUrl: `${dependencies.publicUrl}/v1/not-me`,
          code,
        }),
        kind: 'identity_letter',
      },
      context.at,
    );
    return {};
  };
}

export type NotMeView =
  | { readonly kind: 'invalid' }
  | {
      readonly kind: 'open' | 'reported';
      readonly amount: { readonly value: number; readonly currency: string };
      readonly merchant: string | null;
      readonly delivery: string;
      readonly placedAt: Date;
    };

export type NotMeReport =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'already_reported'; readonly claimId: string | null }
  | { readonly kind: 'recorded'; readonly claimId: string };

export function makeNotMeService(dependencies: {
  readonly database: Database;
  readonly clock: Clock;
  readonly secret: string;
  readonly claims: ClaimDependencies;
}) {
  const { database, clock, secret } = dependencies;

  /** What the code is about, for the report page: the order, and whether it was reported already. */
  async function show(code: string): Promise<NotMeView> {
    if (normaliseNotMeCode(code).length !== codeLength) return { kind: 'invalid' };
    const [row] = await database.query<{
      reported_at: Date | null;
      merchant_name: string | null;
      session_id: string | null;
      input: SessionInput;
      placed_at: Date;
    }>(
      `SELECT l.reported_at, o.merchant_name, o.session_id, o.input, o.placed_at
       FROM identity_letters l JOIN orders o ON o.id = l.order_id WHERE l.code_hash = $1`,
      [codeHash(secret, code)],
    );
    if (!row) return { kind: 'invalid' };
    const [input] = await dependencies.claims.personalData.inputsOf(database, [row]);
    return {
      kind: row.reported_at ? 'reported' : 'open',
      amount: row.input.amount,
      merchant: row.merchant_name,
      delivery: formatAddress(deliveryAddressOf(input!)),
      placedAt: row.placed_at,
    };
  }

  /** Files a not_mine claim for the letter's order, once. */
  async function report(code: string): Promise<NotMeReport> {
    if (normaliseNotMeCode(code).length !== codeLength) return { kind: 'invalid' };
    return database.transaction(async (tx) => {
      const [letter] = await tx.query<{
        id: string;
        account_id: string;
        order_id: string;
        reported_at: Date | null;
        claim_id: string | null;
      }>(
        'SELECT id, account_id, order_id, reported_at, claim_id FROM identity_letters WHERE code_hash = $1 FOR UPDATE',
        [codeHash(secret, code)],
      );
      if (!letter) return { kind: 'invalid' };
      if (letter.reported_at) return { kind: 'already_reported', claimId: letter.claim_id };
      const at = new Date(clock.now());
      const filed = await fileClaim(tx, dependencies.claims, {
        orderId: letter.order_id,
        accountId: letter.account_id,
        kind: 'not_mine',
        source: 'notice',
        at,
        message: 'Reported with the "not me" code of a letter to the billing address.',
      });
      if (filed.outcome === 'order_not_found') return { kind: 'invalid' };
      await tx.query('UPDATE identity_letters SET reported_at = $2, claim_id = $3 WHERE id = $1', [
        letter.id,
        at,
        filed.claimId,
      ]);
      return { kind: 'recorded', claimId: filed.claimId };
    });
  }

  return { show, report };
}

export type NotMeService = ReturnType<typeof makeNotMeService>;
