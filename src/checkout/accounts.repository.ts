// Storage of accounts and their channels (e-mail addresses and phone numbers on file).
import type { SqlExecutor } from '../storage/database.ts';
import type { Address } from './session.schema.ts';

export interface AccountRow {
  id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  date_of_birth: string | null;
  address: Address | null;
  always_verify: boolean;
  created_at: Date;
}

export interface ChannelRow {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  value: string;
  verified_at: Date | null;
  created_at: Date;
}

export async function insertAccount(db: SqlExecutor, row: Omit<AccountRow, 'always_verify'>): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, external_id, name, email, phone, date_of_birth, address, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      row.external_id,
      row.name,
      row.email,
      row.phone,
      row.date_of_birth,
      row.address ? JSON.stringify(row.address) : null,
      row.created_at,
    ],
  );
}

export async function insertChannel(db: SqlExecutor, row: ChannelRow): Promise<void> {
  await db.query(
    `INSERT INTO channels (id, account_id, kind, value, verified_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (account_id, kind, value) DO NOTHING`,
    [row.id, row.account_id, row.kind, row.value, row.verified_at, row.created_at],
  );
}
