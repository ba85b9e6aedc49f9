import { sql } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { inTransaction, type Db } from '../db/database.js';
import { conflict } from '../refusal.js';
import { isRole, type Role } from './rules.js';
import { digest } from './secrets.js';

/** Two-factor sign-in in the database: the person's secret and last step, recovery codes, half-way sessions. */

export interface TwoFactorState {
  id: string;
  email: string;
  roles: Role[];
  /** Encrypted (two-factor.ts); null until set up. */
  secret: string | null;
  enabledAt: Date | null;
  lastStep: number | null;
}

export async function findTwoFactorState(db: Db, personId: string): Promise<TwoFactorState | null> {
  const row = await db
    .selectFrom('people')
    .select(['id', 'email', 'roles', 'totp_secret', 'totp_enabled_at', 'totp_last_step'])
    .where('id', '=', personId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    roles: row.roles.filter(isRole),
    secret: row.totp_secret,
    enabledAt: row.totp_enabled_at === null ? null : new Date(row.totp_enabled_at),
    lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  };
}

/** The person of a half-way session (a correct password, the second factor still to come), if it is current. */
export async function halfWaySessionPerson(db: Db, token: string, now: Date): Promise<string | null> {
  const row = await db
    .selectFrom('sessions')
    .select('person_id')
    .where('token_hash', '=', digest(token))
    .where('kind', '=', 'second-factor')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.person_id ?? null;
}

/**
 * Marks a 30-second step as used, unless it or a later one already was: two requests with the same code
 * at once cannot both get in. True when this request took it.
 */
export async function takeStep(db: Db, personId: string, step: number): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`update people set totp_last_step = ${step}
    where id = ${personId} and totp_enabled_at is not null
      and (totp_last_step is null or totp_last_step < ${step})
    returning id`.execute(db);
  return rows.length > 0;
}

async function replaceRecoveryCodes(trx: Db, personId: string, hashes: string[]) {
  await trx.deleteFrom('recovery_codes').where('person_id', '=', personId).execute();
  await trx
    .insertInto('recovery_codes')
    .values(hashes.map((code_hash) => ({ person_id: personId, code_hash })))
    .execute();
}

/**
 * Turns two-factor sign-in on with a secret the person has just shown a code for, taking that code's step,
 * and their first recovery codes. Refused if it is already on (set up at the same time elsewhere).
 */
export async function enableTwoFactor(
  db: Db,
  personId: string,
  change: { sealedSecret: string; step: number; recoveryCodeHashes: string[]; now: Date },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('people')
      .set({ totp_secret: change.sealedSecret, totp_enabled_at: change.now, totp_last_step: change.step })
      .where('id', '=', personId)
      .where('totp_enabled_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw conflict('Two-factor sign-in is already on for this account.');
    await replaceRecoveryCodes(trx, personId, change.recoveryCodeHashes);
    await recordAudit(trx, {
      actorId: personId,
      action: 'person.two-factor-enabled',
      entityType: 'person',
      entityId: personId,
      before: { twoFactor: false },
      after: { twoFactor: true, recoveryCodes: change.recoveryCodeHashes.length },
    });
  });
}

export async function renewRecoveryCodes(db: Db, personId: string, hashes: string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await unusedRecoveryCodes(trx, personId);
    await replaceRecoveryCodes(trx, personId, hashes);
    await recordAudit(trx, {
      actorId: personId,
      action: 'person.recovery-codes-renewed',
      entityType: 'person',
      entityId: personId,
      before: { unusedRecoveryCodes: before },
      after: { unusedRecoveryCodes: hashes.length },
    });
  });
}

/** Turns two-factor sign-in off: the secret and the recovery codes go. */
export async function disableTwoFactor(db: Db, personId: string, actorId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('people')
      .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
      .where('id', '=', personId)
      .where('totp_enabled_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw conflict('Two-factor sign-in is already off for this account.');
    await trx.deleteFrom('recovery_codes').where('person_id', '=', personId).execute();
    await recordAudit(trx, {
      actorId,
      action: 'person.two-factor-disabled',
      entityType: 'person',
      entityId: personId,
      before: { twoFactor: true },
      after: { twoFactor: false },
    });
  });
}

/** Uses up a recovery code, once. True when it was one of the person's and not used before. */
export async function useRecoveryCode(db: Db, personId: string, hash: string, now: Date): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const used = await trx
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('person_id', '=', personId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .returning('person_id')
      .executeTakeFirst();
    if (!used) return false;
    await recordAudit(trx, {
      actorId: personId,
      action: 'sign-in.recovery-code-used',
      entityType: 'person',
      entityId: personId,
      before: null,
      after: { unusedRecoveryCodes: await unusedRecoveryCodes(trx, personId) },
    });
    return true;
  });
}

export async function unusedRecoveryCodes(db: Db, personId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('person_id', '=', personId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
