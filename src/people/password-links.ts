import { inTransaction, type Db } from '../db/database.js';
import { invalid } from '../refusal.js';
import { tokenRefusal, type AccountTokenPurpose } from './accounts.js';
import { findAccountToken, setPassword, setPasswordByToken } from './account-store.js';
import { passwordProblem } from './password-rules.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { clearSignInFailures } from './store.js';

/**
 * Choosing a password: through a one-time link (an invitation or a reset), or by someone signed in who
 * knows their current one. Every refusal names its field and changes nothing.
 */

/** Whose link this is, or the refusal to show in its place (the link is not used up by looking). */
export async function checkPasswordLink(
  db: Db,
  token: string,
  now: Date,
  purposes: readonly AccountTokenPurpose[] = ['invitation', 'password-reset'],
): Promise<{ email: string; purpose: AccountTokenPurpose }> {
  const found = await findAccountToken(db, token);
  const refusal =
    found && !purposes.includes(found.purpose) ? tokenRefusal(undefined, now) : tokenRefusal(found, now);
  if (refusal || !found) throw invalid([{ field: 'token', message: refusal! }]);
  return { email: found.email, purpose: found.purpose };
}

/**
 * Uses a link: the password must meet the rules; the link is checked again under its lock, so that two
 * uses at once set one password and the other is told the link was used. A reset also ends a pause
 * after failed sign-ins, since the person has just proved they hold the email address.
 */
export async function setPasswordWithLink(
  db: Db,
  token: string,
  password: string,
  now: Date,
  purposes: readonly AccountTokenPurpose[] = ['invitation', 'password-reset'],
): Promise<void> {
  const { email } = await checkPasswordLink(db, token, now, purposes);
  const problem = passwordProblem(password, email);
  if (problem) throw invalid([{ field: 'password', message: problem }]);
  const passwordHash = await hashPassword(password);
  await inTransaction(db, async (trx) => {
    const found = await findAccountToken(trx, token, { forUpdate: true });
    const refusal = tokenRefusal(found, now);
    if (refusal || !found) throw invalid([{ field: 'token', message: refusal! }]);
    await setPasswordByToken(trx, found, token, passwordHash, now);
    await clearSignInFailures(trx, found.email);
  });
}

/**
 * A signed-in person's new password, given their current one. Every session and token of theirs ends
 * (the caller starts a new session for the browser in use).
 */
export async function changeOwnPassword(
  db: Db,
  personId: string,
  current: string,
  next: string,
): Promise<void> {
  const person = await db
    .selectFrom('people')
    .select(['email', 'password_hash'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(person.password_hash, current)))
    throw invalid([{ field: 'currentPassword', message: 'Your current password is not correct' }]);
  const problem = passwordProblem(next, person.email);
  if (problem) throw invalid([{ field: 'password', message: problem }]);
  if (next === current)
    throw invalid([
      { field: 'password', message: 'Enter a new password that is different from your current one' },
    ]);
  const passwordHash = await hashPassword(next);
  await inTransaction(db, (trx) => setPassword(trx, personId, passwordHash, personId));
}
