import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inTransaction } from '../db/database.js';
import { paginationFields, isUuid } from '../fields.js';
import { forbidden } from '../web/problem.js';
import { requirePerson } from '../web/access.js';
import { invalid, notFound, unprocessable } from '../refusal.js';
import { accountProblems, type AccountShape } from './accounts.js';
import type { AccountInput } from './account-store.js';
import { inviteAccount, resendInvitation, type Invitation } from './invitations.js';
import {
  changeAccount,
  findManagedPerson,
  type AccountChange,
  type ManagedPerson,
} from './people-admin-store.js';
import { can, peopleScope } from './policy.js';
import { ROLES, hasRole, type Person } from './rules.js';

/**
 * Who manages which accounts, and the changes they make, shared by the API and the pages. Whoever may
 * manage no account at all (a provider user without the flag) is refused the lists and forms (403);
 * an account outside someone's scope answers 404, exactly as one that does not exist. A change is
 * checked on the account as it would be after it, so a provider's own administrator can never move a
 * colleague beyond its own providers nor give a role of the inspectorate.
 */

/** The signed-in person, if they manage anyone's account; otherwise 403. */
export function peopleManager(request: FastifyRequest): Person {
  const person = requirePerson(request);
  if (peopleScope(person).kind === 'none')
    throw forbidden('Only administrators, and providers’ own administrators, manage accounts.');
  return person;
}

const shapeOf = (account: ManagedPerson): AccountShape => ({
  roles: account.roles,
  providerIds: account.providers.map((p) => p.id),
  providerAdmin: account.providerAdmin,
});

/** The account, if the signed-in person may manage it; 404 whether it is missing or beyond them. */
export async function managedPerson(request: FastifyRequest, id: string): Promise<ManagedPerson> {
  const person = requirePerson(request);
  const account = isUuid(id) ? await findManagedPerson(request.server.db, id) : undefined;
  if (!account || !can(person, 'people.manage', { account: shapeOf(account) })) throw notFound();
  return account;
}

/** Refuses an account the manager may not make: 403 naming what is beyond them, then its own problems. */
function checkShape(manager: Person, shape: AccountShape) {
  if (!can(manager, 'people.manage', { account: shape })) {
    const staff = shape.roles.some((role) => role !== 'provider');
    const field = staff ? 'roles' : 'providers';
    const message = staff
      ? 'You can only give your colleagues the provider role'
      : 'Choose only providers you act for';
    throw forbidden(message, [{ field, message }]);
  }
  const problems = accountProblems(shape);
  if (problems.length > 0) throw invalid(problems);
}

/** Invites someone: the account, its one-time link and the email with it, in one transaction. */
export async function inviteAs(
  request: FastifyRequest,
  manager: Person,
  input: AccountInput,
): Promise<{ person: ManagedPerson; invitation: Invitation }> {
  checkShape(manager, input);
  const app = request.server;
  const invitation = await inTransaction(app.db, (trx) =>
    inviteAccount(trx, input, manager.id, app.clock.now(), { send: true }),
  );
  const person = await findManagedPerson(app.db, invitation.personId);
  return { person: person!, invitation };
}

/** Changes an account the manager may manage, into one the manager may still manage. */
export async function changeAs(
  request: FastifyRequest,
  manager: Person,
  account: ManagedPerson,
  version: number,
  change: AccountChange,
): Promise<ManagedPerson> {
  const current = shapeOf(account);
  checkShape(manager, {
    roles: change.roles ?? current.roles,
    providerIds: change.providerIds ?? current.providerIds,
    providerAdmin: change.providerAdmin ?? current.providerAdmin,
  });
  if (account.id === manager.id) {
    // Nobody locks themselves out: another administrator must do it.
    if (change.active === false)
      throw unprocessable([{ field: 'active', message: 'You cannot disable your own account' }]);
    if (hasRole(manager, 'administrator') && change.roles && !change.roles.includes('administrator'))
      throw unprocessable([{ field: 'roles', message: 'You cannot remove your own administrator role' }]);
  }
  await changeAccount(request.server.db, account.id, version, change, manager.id);
  return (await findManagedPerson(request.server.db, account.id))!;
}

/** A new invitation link for someone who has not yet accepted one; the old link stops working. */
export async function resendAs(
  request: FastifyRequest,
  manager: Person,
  account: ManagedPerson,
): Promise<{ person: ManagedPerson; invitation: Invitation }> {
  const app = request.server;
  const invitation = await inTransaction(app.db, (trx) =>
    resendInvitation(trx, account.id, manager.id, app.clock.now()),
  );
  return { person: (await findManagedPerson(app.db, account.id))!, invitation };
}

const yesNo = (message: string) =>
  z.enum(['true', 'false'], { message }).transform((value) => value === 'true');

/** A search of accounts: the API's query string, and the list page's filters. */
export const peopleListQuery = z.object({
  q: z.string().trim().max(200, 'Search text must be 200 characters or fewer').optional(),
  role: z.enum(ROLES, { message: 'Choose a role from the list' }).optional(),
  active: yesNo('Active must be true or false').optional(),
  pending: yesNo('Pending must be true or false').optional(),
  ...paginationFields(),
});
