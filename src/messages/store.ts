import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import { fetchPage } from '../db/paging.js';
import type { OutboxTable, Schema } from '../db/schema.js';
import type { Role } from '../people/rules.js';
import { withFullLinks } from './links.js';

/**
 * Messages to providers and staff. Each is written to the outbox in the transaction of the change that
 * causes it, so a message goes out exactly when its change happens. Paths in the body (`/reports/…`)
 * are written as full links on the service's base URL (links.ts). With a GOV.UK Notify key the
 * delivery worker sends them on; without one the outbox is the record of what would have been sent.
 */
export interface Message {
  recipient: string;
  /** What kind of message, e.g. 'draft-report-reminder'. */
  template: string;
  subject: string;
  body: string;
}

export async function queueMessage(trx: Transaction<Schema> | Db, message: Message): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      recipient: message.recipient,
      template: message.template,
      subject: message.subject,
      body: withFullLinks(message.body),
    })
    .execute();
}

/** Queues one message to each address given (skipping the missing ones), in the caller's transaction. */
export async function tell(
  trx: Transaction<Schema>,
  recipients: readonly (string | null)[],
  message: Omit<Message, 'recipient'>,
) {
  for (const recipient of new Set(recipients)) {
    if (recipient) await queueMessage(trx, { recipient, ...message });
  }
}

/** The email addresses of everyone active in a role: the team a message goes to. */
export async function emailsOfRole(trx: Transaction<Schema> | Db, role: Role): Promise<string[]> {
  const rows = await trx
    .selectFrom('people')
    .select('email')
    .where('active', '=', true)
    .where(sql<boolean>`${role} = any(roles)`)
    .orderBy('email')
    .execute();
  return rows.map((r) => r.email);
}

export async function emailOf(trx: Transaction<Schema> | Db, personId: string): Promise<string | null> {
  const row = await trx.selectFrom('people').select('email').where('id', '=', personId).executeTakeFirst();
  return row?.email ?? null;
}

export interface OutboxEntry extends Message {
  id: string;
  createdAt: string;
  sentAt: string | null;
  delivery: 'outbox' | 'notify';
  /** Why Notify refused it, if it did. */
  lastError: string | null;
}

type OutboxRow = Selectable<OutboxTable>;

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    recipient: row.recipient,
    template: row.template,
    subject: row.subject,
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: row.sent_at ? new Date(row.sent_at).toISOString() : null,
    delivery: row.delivery,
    lastError: row.last_error,
  };
}

/** The newest messages first; for one recipient, or all of them. */
export async function listOutbox(
  db: Db,
  options: { recipient?: string; limit?: number } = {},
): Promise<OutboxEntry[]> {
  let query = db
    .selectFrom('outbox')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(options.limit ?? 100);
  if (options.recipient) query = query.where('recipient', '=', options.recipient);
  return (await query.execute()).map(toOutboxEntry);
}

/**
 * Messages that carry a one-time link to set a password: whoever holds the link can take the account, so
 * only the person it was sent to ever reads them here, never those who may read every message.
 */
export const PRIVATE_TEMPLATES = ['account-invitation', 'password-reset'] as const;

/** The outbox, or one recipient's messages in it (`null` for all, less the private ones). */
function outboxOf(db: Db, recipient: string | null) {
  let query = db.selectFrom('outbox');
  // Emails are stored as written; people's are lower case.
  if (recipient !== null) query = query.where((eb) => eb(eb.fn('lower', ['recipient']), '=', recipient));
  else query = query.where('template', 'not in', PRIVATE_TEMPLATES);
  return query;
}

/** A page of the outbox, newest first, for one recipient or all of them (`null`). */
export function pageOfMessages(db: Db, recipient: string | null, page: number, pageSize: number) {
  return fetchPage(
    outboxOf(db, recipient).selectAll(),
    (q) => q.orderBy('created_at', 'desc').orderBy('id', 'desc'),
    { page, pageSize },
    toOutboxEntry,
  );
}

/** One message, if it was sent to the recipient given (`null`: to anyone). */
export async function findMessage(db: Db, recipient: string | null, id: string): Promise<OutboxEntry | null> {
  const row = await outboxOf(db, recipient).selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOutboxEntry(row) : null;
}
