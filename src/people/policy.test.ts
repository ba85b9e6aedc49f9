import { describe, expect, it } from 'vitest';
import { can, mayEver, peopleScope, providerScope, type Action, type Resource } from './policy.js';
import { ROLES, type Person, type Role } from './rules.js';

const person = (role: Role, providerIds: string[] = []): Person => ({
  id: `id-${role}`,
  email: `${role}@example.invalid`,
  name: role,
  roles: [role],
  providerIds,
  providerAdmin: false,
});

/** Expected answers for every role; a new action or role without a row here fails the test. */
const expected: Record<Action, Role[]> = {
  'providers.list': ['inspector', 'manager', 'planner', 'complaints', 'provider', 'analyst'],
  'provider.read': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'provider.create': ['manager', 'planner'],
  'provider.change': ['manager', 'planner'],
  'audit.read': ['manager'],
  'reference.read': ROLES.filter((role) => role !== 'administrator'),
  'inspections.list': ['inspector', 'manager', 'planner', 'complaints', 'provider', 'analyst'],
  'inspection.read': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'inspection.read-records': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'inspection.read-findings': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'inspection.read-dialogue': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'inspection.settle-concern': ['manager'],
  'inspection.create': ['manager', 'planner'],
  'inspection.record': [],
  'inspection.moderate': ['manager'],
  'inspection.declare-flawed': ['manager'],
  'conflict.declare': ['inspector', 'manager'],
  'conflict.declare-for-others': ['manager'],
  'conflicts.read': ['manager', 'planner'],
  'report.issue': ['manager'],
  'report.read': ['inspector', 'manager', 'planner', 'complaints', 'analyst'],
  'report.respond': [],
  'report.decide-points': ['manager'],
  'report.publish': ['manager'],
  'complaints.list': ['manager', 'complaints', 'adjudicator', 'provider'],
  'complaint.read': ['manager', 'complaints'],
  'complaint.raise': ['complaints'],
  'complaint.handle': ['complaints'],
  'complaint.rule': [],
  'complaint-review.conduct': ['reviewer'],
  'day-after.raise': [],
  'day-after.handle': ['manager', 'complaints'],
  'deadlines.dashboard': ['inspector', 'manager', 'planner', 'complaints'],
  'outbox.read-all': ['manager', 'complaints'],
  'plan.read': ['manager', 'planner'],
  'plan.draw-sample': ['manager', 'planner'],
  'provider-change.record': ['manager', 'planner'],
  'concerns.list': ['inspector', 'manager', 'planner'],
  'concern.read': ['inspector', 'manager', 'planner'],
  'concern.raise-for-others': ['inspector', 'manager', 'planner', 'complaints'],
  'concern.assess': ['manager', 'planner'],
  'notifications.list': ['inspector', 'manager', 'planner', 'provider'],
  'notification.read': ['inspector', 'manager', 'planner'],
  'notification.submit': [],
  'notification.review': ['inspector', 'manager', 'planner'],
  'statistics.read': ['manager', 'planner', 'analyst'],
  'consistency.read': ['manager', 'analyst'],
  'people.manage': ['administrator'],
};

describe('the authorisation policy', () => {
  for (const [action, allowed] of Object.entries(expected) as [Action, Role[]][]) {
    it(`allows ${action} to exactly ${allowed.join(', ')}`, () => {
      for (const role of ROLES) {
        expect(can(person(role), action, { providerId: 'someone-else' }), `${role} ${action}`).toBe(
          allowed.includes(role),
        );
      }
    });
  }

  it('lets a route refuse, before reading its input, exactly those whom no record would let in', () => {
    // Every record a person could meet at its most favourable: their own provider, their team, their
    // assignment, an escalated complaint, an inspection at each stage.
    const favourable = (who: Person): Resource[] =>
      (['planned', 'on-site', 'feedback-given', 'completed'] as const).map((status) => ({
        providerId: 'p1',
        teamIds: [who.id],
        assignedTo: who.id,
        escalated: true,
        feedbackGiven: true,
        notice: 'announced',
        status,
        account: { roles: ['provider'], providerIds: ['p1'] },
      }));
    for (const action of Object.keys(expected) as Action[]) {
      for (const role of ROLES) {
        // A provider's own administrator is the most favourable provider user.
        const who = { ...person(role, ['p1']), providerAdmin: true };
        const somewhere = favourable(who).some((resource) => can(who, action, resource));
        expect(mayEver(who, action), `${role} ${action}`).toBe(somewhere);
      }
    }
    expect(mayEver(null, 'reference.read')).toBe(false);
  });

  it('refuses everything to someone not signed in', () => {
    for (const action of Object.keys(expected) as Action[]) expect(can(null, action)).toBe(false);
  });

  it('lets a provider’s own administrator manage provider accounts of its own providers, and no other', () => {
    const admin = { ...person('provider', ['p1', 'p2']), providerAdmin: true };
    const manage = (account: { roles: Role[]; providerIds: string[] }) =>
      can(admin, 'people.manage', { account });
    expect(manage({ roles: ['provider'], providerIds: ['p1'] })).toBe(true);
    expect(manage({ roles: ['provider'], providerIds: ['p1', 'p2'] })).toBe(true);
    expect(manage({ roles: ['provider'], providerIds: ['p1', 'p3'] })).toBe(false);
    expect(manage({ roles: ['provider'], providerIds: [] })).toBe(false);
    expect(manage({ roles: ['provider', 'inspector'], providerIds: ['p1'] })).toBe(false);
    expect(manage({ roles: ['administrator'], providerIds: ['p1'] })).toBe(false);
    const colleague = person('provider', ['p1']);
    expect(can(colleague, 'people.manage', { account: { roles: ['provider'], providerIds: ['p1'] } })).toBe(
      false,
    );
    expect(peopleScope(admin)).toEqual({ kind: 'own', providerIds: ['p1', 'p2'] });
    expect(peopleScope(colleague)).toEqual({ kind: 'none' });
    expect(peopleScope(person('administrator'))).toEqual({ kind: 'all' });
  });

  it('gives the administrator accounts and nothing else', () => {
    const admin = person('administrator');
    const allowed = (Object.keys(expected) as Action[]).filter((action) => mayEver(admin, action));
    expect(allowed).toEqual(['people.manage']);
  });

  it('lets a provider user read its own providers and no other', () => {
    const user = person('provider', ['p1', 'p2']);
    expect(can(user, 'provider.read', { providerId: 'p1' })).toBe(true);
    expect(can(user, 'provider.read', { providerId: 'p3' })).toBe(false);
    expect(can(user, 'provider.read')).toBe(false);
    expect(providerScope(user)).toEqual({ kind: 'own', providerIds: ['p1', 'p2'] });
  });

  it('lets a provider user read the dialogue log of its own inspection once feedback is given', () => {
    const user = person('provider', ['p1']);
    expect(can(user, 'inspection.read-dialogue', { providerId: 'p1', feedbackGiven: true })).toBe(true);
    expect(can(user, 'inspection.read-dialogue', { providerId: 'p1', feedbackGiven: false })).toBe(false);
    expect(can(user, 'inspection.read-dialogue', { providerId: 'p2', feedbackGiven: true })).toBe(false);
  });

  it('lets only the inspection team record on an inspection', () => {
    expect(can(person('inspector'), 'inspection.record', { teamIds: ['id-inspector'] })).toBe(true);
    expect(can(person('manager'), 'inspection.record', { teamIds: ['id-inspector'] })).toBe(false);
  });

  it('never shows a provider a no-notice inspection before it starts, nor findings before feedback', () => {
    const user = person('provider', ['p1']);
    const own = { providerId: 'p1' };
    expect(can(user, 'inspection.read', { ...own, notice: 'none', status: 'planned' })).toBe(false);
    expect(can(user, 'inspection.read', { ...own, notice: 'short', status: 'planned' })).toBe(true);
    expect(can(user, 'inspection.read', { ...own, notice: 'none', status: 'on-site' })).toBe(true);
    expect(can(user, 'inspection.read', { providerId: 'p2', notice: 'announced', status: 'completed' })).toBe(
      false,
    );
    expect(can(user, 'inspection.read-findings', { ...own, status: 'on-site' })).toBe(false);
    expect(can(user, 'inspection.read-findings', { ...own, status: 'feedback-given' })).toBe(true);
    expect(can(user, 'inspection.read-records', { ...own, status: 'completed' })).toBe(false);
  });

  it('shows the adjudicator only escalated complaints, and a provider only its own', () => {
    expect(can(person('adjudicator'), 'complaint.read', { escalated: true })).toBe(true);
    expect(can(person('adjudicator'), 'complaint.read', { escalated: false })).toBe(false);
    expect(can(person('adjudicator'), 'complaint.rule', { escalated: true })).toBe(true);
    expect(can(person('provider', ['p1']), 'complaint.read', { providerId: 'p1' })).toBe(true);
    expect(can(person('provider', ['p1']), 'complaint.read', { providerId: 'p2', escalated: true })).toBe(
      false,
    );
    expect(can(person('provider', ['p1']), 'report.respond', { providerId: 'p1' })).toBe(true);
    expect(can(person('inspector'), 'day-after.handle', { assignedTo: 'id-inspector' })).toBe(true);
  });

  it('gives staff the whole register and others none of it', () => {
    expect(providerScope(person('analyst'))).toEqual({ kind: 'all' });
    expect(providerScope(person('adjudicator'))).toEqual({ kind: 'none' });
    expect(providerScope(null)).toEqual({ kind: 'none' });
  });
});
