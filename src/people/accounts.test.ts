import { describe, expect, it } from 'vitest';
import {
  accountFields,
  accountProblems,
  INVITATION_HOURS,
  setPasswordPath,
  tokenRefusal,
  withoutTokens,
  type AccountTokenState,
} from './accounts.js';

const now = new Date('2026-12-08T10:00:00Z');
const hoursFromNow = (hours: number) => new Date(now.getTime() + hours * 3600_000);
const link = (overrides: Partial<AccountTokenState> = {}): AccountTokenState => ({
  purpose: 'invitation',
  expiresAt: hoursFromNow(1),
  usedAt: null,
  accountActive: true,
  ...overrides,
});

describe('one-time links', () => {
  it('lets a fresh link be used', () => {
    expect(tokenRefusal(link(), now)).toBeNull();
  });

  it('says a link is not valid when nobody has it, and the same when its account is disabled', () => {
    const unknown = tokenRefusal(undefined, now);
    expect(unknown).toMatch(/^This link is not valid/);
    expect(tokenRefusal(link({ accountActive: false }), now)).toBe(unknown);
  });

  it('says a used link was used, before saying it expired', () => {
    expect(tokenRefusal(link({ usedAt: hoursFromNow(-80), expiresAt: hoursFromNow(-1) }), now)).toMatch(
      /already been used/,
    );
  });

  it('expires an invitation at the instant it ends, and says how long invitations last', () => {
    expect(tokenRefusal(link({ expiresAt: now }), now)).toBe(
      `This link has expired: invitations last ${INVITATION_HOURS} hours. Ask whoever invited you to send a new one`,
    );
    expect(tokenRefusal(link({ expiresAt: new Date(now.getTime() + 1) }), now)).toBeNull();
    expect(tokenRefusal(link({ purpose: 'password-reset', expiresAt: now }), now)).toMatch(
      /password reset links last 2 hours/,
    );
  });

  it('writes the link’s path with the token encoded, and keeps tokens out of logged URLs', () => {
    expect(setPasswordPath('a+b/c')).toBe('/account/set-password?token=a%2Bb%2Fc');
    expect(withoutTokens('/account/set-password?token=abc_DEF-1&x=2')).toBe(
      '/account/set-password?token=[redacted]&x=2',
    );
    expect(withoutTokens('/inspections?page=2')).toBe('/inspections?page=2');
  });
});

describe('the shape of an account', () => {
  it('takes a staff account with no providers', () => {
    expect(accountProblems({ roles: ['planner', 'analyst'], providerIds: [], providerAdmin: false })).toEqual(
      [],
    );
  });

  it('asks a provider user for the providers it acts for', () => {
    expect(accountProblems({ roles: ['provider'], providerIds: [], providerAdmin: true })).toEqual([
      { field: 'providers', message: 'Choose the providers this person acts for' },
    ]);
  });

  it('keeps the regulated and the regulator apart', () => {
    expect(
      accountProblems({ roles: ['provider', 'inspector'], providerIds: ['p1'], providerAdmin: false }),
    ).toEqual([{ field: 'roles', message: 'A provider user cannot also hold a role of the inspectorate' }]);
    expect(accountProblems({ roles: ['inspector'], providerIds: ['p1'], providerAdmin: true })).toEqual([
      { field: 'providers', message: 'Only provider users act for providers' },
      { field: 'providerAdmin', message: 'Only provider users can manage their colleagues' },
    ]);
  });

  it('reads an email without regard to case and names each bad field', () => {
    const parsed = accountFields.safeParse({
      email: 'New.Person@Example.org',
      name: ' A ',
      roles: ['planner'],
    });
    expect(parsed.success && parsed.data).toEqual({
      email: 'new.person@example.org',
      name: 'A',
      roles: ['planner'],
      providers: [],
      providerAdmin: false,
    });
    const bad = accountFields.safeParse({ email: 'not-an-email', name: '', roles: ['boss'] });
    expect(bad.success).toBe(false);
    const fields = bad.error!.issues.map((issue) => issue.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['email', 'name', 'roles.0']));
  });
});
