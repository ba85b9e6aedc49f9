import { recordAudit } from '../audit/store.js';
import { inTransaction, type Db } from '../db/database.js';
import type { Account, Refusal } from './oidc-rules.js';

/** Single sign-on's reads and writes of accounts: finding one by its identity, and keeping the identity. */

function accounts(db: Db) {
  return db.selectFrom('people').select(['id', 'active', 'oidc_issuer', 'oidc_subject']);
}

function toAccount(row: {
  id: string;
  active: boolean;
  oidc_issuer: string | null;
  oidc_subject: string | null;
}): Account {
  return { id: row.id, active: row.active, oidcIssuer: row.oidc_issuer, oidcSubject: row.oidc_subject };
}

/** The account (active or not) linked to this subject at this issuer. */
export async function findAccountBySubject(
  db: Db,
  issuer: string,
  subject: string,
): Promise<Account | undefined> {
  const row = await accounts(db)
    .where('oidc_issuer', '=', issuer)
    .where('oidc_subject', '=', subject)
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

/** The account (active or not) with this email, already normalised. */
export async function findAccountByEmail(db: Db, email: string): Promise<Account | undefined> {
  const row = await accounts(db).where('email', '=', email).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

/**
 * Keeps the identity on an account that has none, with its audit entry. False when the account got one
 * in the meantime (a sign-in at the same moment) or was disabled: then nothing changed.
 */
export async function linkIdentity(
  db: Db,
  personId: string,
  issuer: string,
  subject: string,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('people')
      .set({ oidc_issuer: issuer, oidc_subject: subject })
      .where('id', '=', personId)
      .where('active', '=', true)
      .where('oidc_subject', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await recordAudit(trx, {
      actorId: personId,
      action: 'person.sso-linked',
      entityType: 'person',
      entityId: personId,
      before: { oidcIssuer: null, oidcSubject: null },
      after: { oidcIssuer: issuer, oidcSubject: subject },
    });
    return true;
  });
}

/** A refused single sign-on to a known account, for whoever looks after that account. */
export async function recordRefusedSignIn(
  db: Db,
  personId: string,
  refused: Refusal,
  issuer: string,
  subject: string,
): Promise<void> {
  await inTransaction(db, (trx) =>
    recordAudit(trx, {
      actorId: null,
      action: 'sign-in.sso-refused',
      entityType: 'person',
      entityId: personId,
      before: null,
      after: { reason: refused, oidcIssuer: issuer, oidcSubject: subject },
    }),
  );
}
