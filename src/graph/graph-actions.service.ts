// What an analyst does from the entity graph: label accounts as confirmed fraud, and act on a whole drop-address
// cluster at once (block-list its addresses and devices, hold the shipments of its open orders). All audited.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { ListsService } from '../ops/lists.service.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import { recordAudit } from '../staff/audit.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';

export const fraudLabels = ['fraud_third_party', 'fraud_first_party'] as const;

export interface ClusterAction {
  readonly addresses: readonly string[];
  readonly devices: readonly string[];
  readonly holdOrders: readonly string[];
  readonly reason: string;
  readonly expiresAt: Date | undefined;
}

export function makeGraphActions(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  lists: ListsService;
  /** Learns the labels once committed: the history tail leaves out its own process's facts, so nothing else would. */
  engine: Pick<RiskEngine, 'record'>;
  /** The desk's own hold: the same webhook and audit entry as holding one order from a case. */
  holdShipment: (member: StaffMember, orderId: string, reason: string) => Promise<unknown>;
}) {
  const { database, clock, ids, lists } = dependencies;

  /** Labels every not-yet-fraud order of the accounts; the label is what training and the graph read. */
  async function markFraud(
    member: StaffMember,
    input: { accounts: readonly string[]; label: (typeof fraudLabels)[number]; note: string },
  ) {
    const at = new Date(clock.now());
    const events: HistoryEvent[] = [];
    const results = await database.transaction(async (tx) => {
      events.length = 0;
      const results: { account: string; labelled_orders: string[] }[] = [];
      for (const account of input.accounts) {
        const orders = await tx.query<{ id: string }>(
          `SELECT o.id FROM orders o WHERE o.account_id = $1 AND NOT EXISTS (
             SELECT 1 FROM labels l WHERE l.order_id = o.id AND l.label <> 'legit') ORDER BY o.id`,
          [account],
        );
        const [exists] = await tx.query('SELECT id FROM accounts WHERE id = $1', [account]);
        if (!exists) throw new ApiError(404, 'not_found', `account ${account} not found`, 'accounts');
        for (const order of orders) {
          await tx.query('INSERT INTO labels (id, order_id, label, typology, known_at) VALUES ($1, $2, $3, $4, $5)', [
            ids.next('lbl'),
            order.id,
            input.label,
            'ring',
            at,
          ]);
          events.push({ kind: 'label', orderId: order.id, at: at.getTime(), label: input.label });
        }
        const labelled = orders.map((order) => order.id);
        await recordAudit(tx, ids, {
          staffId: member.id,
          actor: member.name,
          action: 'graph.mark_fraud',
          subject: account,
          before: { unlabelled_orders: labelled },
          after: { label: input.label, labelled_orders: labelled, note: input.note },
          at,
        });
        results.push({ account, labelled_orders: labelled });
      }
      return results;
    });
    // Online state follows the database: the labels are facts once committed.
    for (const event of events) await dependencies.engine.record(event);
    return results;
  }

  /** Each list entry and each hold is its own audited step: one already listed does not undo the others. */
  async function actOnCluster(member: StaffMember, action: ClusterAction) {
    const listed: { kind: string; value: string; outcome: 'listed' | 'already_listed' }[] = [];
    const entries = [
      ...action.addresses.map((value) => ({ kind: 'address' as const, value })),
      ...action.devices.map((value) => ({ kind: 'device' as const, value })),
    ];
    for (const entry of entries) {
      try {
        const row = await lists.addNormalised({
          list: 'block',
          kind: entry.kind,
          value: entry.value,
          reason: action.reason,
          expiresAt: action.expiresAt,
        });
        await recordAudit(database, ids, {
          staffId: member.id,
          actor: member.name,
          action: 'list.add',
          subject: row.id,
          before: null,
          after: { list: 'block', kind: entry.kind, value: entry.value, reason: action.reason },
          at: row.created_at,
        });
        listed.push({ ...entry, outcome: 'listed' });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'already_listed')) throw error;
        listed.push({ ...entry, outcome: 'already_listed' });
      }
    }
    const held: string[] = [];
    for (const orderId of action.holdOrders) {
      await dependencies.holdShipment(member, orderId, action.reason);
      held.push(orderId);
    }
    return { listed, held };
  }

  return { markFraud, actOnCluster };
}

export type GraphActions = ReturnType<typeof makeGraphActions>;
