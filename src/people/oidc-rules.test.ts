import { describe, expect, it } from 'vitest';
import {
  decodeFlow,
  encodeFlow,
  FLOW_MINUTES,
  isIssuerUrl,
  isLoopbackHttp,
  matchAccount,
  type Account,
  type Flow,
} from './oidc-rules.js';

describe('issuer addresses', () => {
  it('takes https anywhere and plain http only on this machine', () => {
    for (const good of [
      'https://login.example.gov.uk',
      'https://login.example.com/tenant/v2.0',
      'http://localhost:4000',
      'http://127.0.0.1:4000/',
      'http://[::1]:4000',
    ])
      expect(isIssuerUrl(good), good).toBe(true);
    for (const bad of [
      'http://login.example.gov.uk',
      'http://127.0.0.2',
      'http://localhost.example.com',
      'ftp://localhost',
      'login.example.gov.uk',
      'https://login.example.gov.uk/?tenant=1',
      'https://user:secret@login.example.gov.uk',
      '',
    ])
      expect(isIssuerUrl(bad), bad).toBe(false);
  });

  it('allows insecure requests for loopback addresses only', () => {
    expect(isLoopbackHttp('http://127.0.0.1:4000')).toBe(true);
    expect(isLoopbackHttp('https://127.0.0.1:4000')).toBe(false);
    expect(isLoopbackHttp('http://10.0.0.1')).toBe(false);
  });
});

describe('the sign-in cookie', () => {
  const started = new Date('2026-12-08T10:00:00Z');
  const flow: Flow = {
    state: 's',
    nonce: 'n',
    codeVerifier: 'v',
    returnTo: '/inspections',
    startedAt: started.toISOString(),
  };

  it('reads back what it wrote, for ten minutes', () => {
    expect(decodeFlow(encodeFlow(flow), started)).toEqual(flow);
    const last = new Date(started.getTime() + FLOW_MINUTES * 60_000);
    expect(decodeFlow(encodeFlow(flow), last)).toEqual(flow);
    expect(decodeFlow(encodeFlow(flow), new Date(last.getTime() + 1000))).toBeNull();
  });

  it('refuses anything that is not a whole flow', () => {
    expect(decodeFlow('not base64 json', started)).toBeNull();
    expect(decodeFlow(Buffer.from('"text"').toString('base64url'), started)).toBeNull();
    expect(decodeFlow(encodeFlow({ ...flow, nonce: '' }), started)).toBeNull();
    expect(decodeFlow(encodeFlow({ ...flow, startedAt: 'yesterday' }), started)).toBeNull();
    // Started in the future: a clock wound back, or a made-up cookie.
    expect(decodeFlow(encodeFlow(flow), new Date(started.getTime() - 60_000))).toBeNull();
  });
});

describe('matching an identity to an account', () => {
  const account = (over: Partial<Account> = {}): Account => ({
    id: 'a1',
    active: true,
    oidcIssuer: null,
    oidcSubject: null,
    ...over,
  });
  const verified = { subject: 'sub-1', email: 'Ada@Example.gov.uk', emailVerified: true };

  it('keeps to the account linked to the subject, whatever the email says', () => {
    const linked = account({ id: 'linked', oidcIssuer: 'https://idp', oidcSubject: 'sub-1' });
    expect(matchAccount({ ...verified, email: 'new@example.gov.uk' }, linked, undefined)).toEqual({
      personId: 'linked',
      link: false,
    });
    expect(matchAccount({ ...verified, emailVerified: false }, linked, undefined)).toEqual({
      personId: 'linked',
      link: false,
    });
  });

  it('matches a verified email to an account linked to nobody, and links it', () => {
    expect(matchAccount(verified, undefined, account())).toEqual({ personId: 'a1', link: true });
  });

  it('refuses an email the identity provider does not vouch for', () => {
    for (const emailVerified of [false, undefined, 'true', 1]) {
      expect(matchAccount({ ...verified, emailVerified }, undefined, account())).toEqual({
        refused: 'unverified-email',
        personId: 'a1',
      });
    }
    expect(matchAccount({ ...verified, emailVerified: false }, undefined, undefined)).toEqual({
      refused: 'unverified-email',
    });
  });

  it('refuses an identity without an email, an unknown email, and a disabled account', () => {
    expect(matchAccount({ ...verified, email: undefined }, undefined, undefined)).toEqual({
      refused: 'no-email',
    });
    expect(matchAccount({ ...verified, email: ' ' }, undefined, undefined)).toEqual({ refused: 'no-email' });
    expect(matchAccount(verified, undefined, undefined)).toEqual({ refused: 'unknown-email' });
    expect(matchAccount(verified, undefined, account({ active: false }))).toEqual({
      refused: 'disabled',
      personId: 'a1',
    });
    const linked = account({ active: false, oidcIssuer: 'https://idp', oidcSubject: 'sub-1' });
    expect(matchAccount(verified, linked, undefined)).toEqual({ refused: 'disabled', personId: 'a1' });
  });

  it('never moves an account to a second identity by its email', () => {
    const other = account({ oidcIssuer: 'https://idp', oidcSubject: 'sub-2' });
    expect(matchAccount(verified, undefined, other)).toEqual({ refused: 'linked-elsewhere', personId: 'a1' });
  });
});
