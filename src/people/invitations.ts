import { recordAudit } from '../audit/store.js';
import type { Db } from '../db/database.js';
import { linkTo } from '../messages/links.js';
import { queueMessage } from '../messages/store.js';
import { conflict } from '../refusal.js';
import { INVITATION_HOURS, PASSWORD_RESET_HOURS, setPasswordPath } from './accounts.js';
import { createAccount, issueAccountToken, type AccountInput } from './account-store.js';

/**
 * Inviting people and sending them one-time links: the account, its link and the email go in one
 * transaction (the caller's), so nobody is told of an account that was not made.
 */

export interface Invitation {
  personId: string;
  /** The full one-time link, for whoever invites to pass on another way if the email goes astray. */
  invitationUrl: string;
}

function invitationEmail(name: string, token: string) {
  return {
    template: 'account-invitation',
    subject: 'Your account for Inspectorate',
    body:
      `Dear ${name},\n\nAn account has been made for you on Inspectorate. To start using it, choose a ` +
      `password here within ${INVITATION_HOURS} hours:\n\n${setPasswordPath(token)}\n\n` +
      'The link works once. If you were not expecting this email, you can ignore it.',
  };
}

/** Makes the account and its invitation link; `send` also emails the link to the person. */
export async function inviteAccount(
  trx: Db,
  input: AccountInput,
  actorId: string | null,
  now: Date,
  options: { send: boolean },
): Promise<Invitation> {
  const personId = await createAccount(trx, input, actorId);
  const token = await issueAccountToken(trx, personId, 'invitation', now);
  if (options.send)
    await queueMessage(trx, { recipient: input.email, ...invitationEmail(input.name, token) });
  return { personId, invitationUrl: linkTo(setPasswordPath(token)) };
}

/**
 * A fresh invitation link for someone who has not yet chosen a password (the old link stops working).
 * Someone who has taken the account up is refused: a reset link is what they need.
 */
export async function resendInvitation(
  trx: Db,
  personId: string,
  actorId: string,
  now: Date,
): Promise<Invitation> {
  const person = await trx
    .selectFrom('people')
    .select(['email', 'name', 'password_hash', 'oidc_subject', 'active'])
    .where('id', '=', personId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  // Taken up by choosing a password, or by signing in through the person's organisation.
  if (person.password_hash || person.oidc_subject)
    throw conflict(
      'This person has already accepted their invitation. They can reset their password from the sign-in page',
    );
  if (!person.active) throw conflict('This account is disabled. Re-enable it before sending an invitation');
  const token = await issueAccountToken(trx, personId, 'invitation', now);
  await queueMessage(trx, { recipient: person.email, ...invitationEmail(person.name, token) });
  await recordAudit(trx, {
    actorId,
    action: 'person.invitation-sent',
    entityType: 'person',
    entityId: personId,
    before: null,
    after: null,
  });
  return { personId, invitationUrl: linkTo(setPasswordPath(token)) };
}

/**
 * Emails a reset link if the address belongs to an active account, and does nothing otherwise; the
 * caller answers the same either way, so the answer never tells whether an account exists.
 */
export async function sendPasswordReset(trx: Db, email: string, now: Date): Promise<void> {
  const person = await trx
    .selectFrom('people')
    .select(['id', 'name'])
    .where('email', '=', email)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!person) return;
  const token = await issueAccountToken(trx, person.id, 'password-reset', now);
  await queueMessage(trx, {
    recipient: email,
    template: 'password-reset',
    subject: 'Reset your password for Inspectorate',
    body:
      `Dear ${person.name},\n\nSomeone asked to reset the password of your Inspectorate account. To ` +
      `choose a new password, use this link within ${PASSWORD_RESET_HOURS} hours:\n\n${setPasswordPath(token)}\n\n` +
      'If it was not you, you can ignore this email: your password has not changed.',
  });
}
