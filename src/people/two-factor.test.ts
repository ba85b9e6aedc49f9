import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  acceptedStep,
  decryptSecret,
  encryptSecret,
  groupedSecret,
  looksLikeRecoveryCode,
  mustUseTwoFactor,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  recoveryCodeHash,
  RECOVERY_CODE_COUNT,
  stepAt,
} from './two-factor.js';

const SESSION_SECRET = 'a-session-secret-of-at-least-thirty-two-characters';
const PERSON = '6a0f3c1e-2b4d-4e8f-9a1b-3c5d7e9f1a2b';
const now = new Date('2026-11-02T09:00:10Z');

/** The code an authenticator app would show at `at`. */
function codeAt(secret: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });
}

describe('the secret, encrypted at rest', () => {
  it('comes back as it went in, for the same person and key', () => {
    const secret = newTotpSecret();
    const sealed = encryptSecret(secret, PERSON, SESSION_SECRET);
    expect(sealed).not.toContain(secret);
    expect(decryptSecret(sealed, PERSON, SESSION_SECRET)).toBe(secret);
  });

  it('does not open for another person, another key, or after a change', () => {
    const sealed = encryptSecret(newTotpSecret(), PERSON, SESSION_SECRET);
    expect(decryptSecret(sealed, '00000000-0000-4000-8000-000000000000', SESSION_SECRET)).toBeNull();
    expect(decryptSecret(sealed, PERSON, `${SESSION_SECRET}-other`)).toBeNull();
    const altered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(decryptSecret(altered, PERSON, SESSION_SECRET)).toBeNull();
    expect(decryptSecret('not sealed at all', PERSON, SESSION_SECRET)).toBeNull();
  });

  it('seals the same secret differently each time', () => {
    const secret = newTotpSecret();
    expect(encryptSecret(secret, PERSON, SESSION_SECRET)).not.toBe(
      encryptSecret(secret, PERSON, SESSION_SECRET),
    );
  });
});

describe('checking a code', () => {
  const secret = newTotpSecret();

  it('takes the current code, and those of the step either side', () => {
    expect(acceptedStep(secret, codeAt(secret, now), now, null)).toBe(stepAt(now));
    const before = new Date(now.getTime() - 30_000);
    const after = new Date(now.getTime() + 30_000);
    expect(acceptedStep(secret, codeAt(secret, before), now, null)).toBe(stepAt(now) - 1);
    expect(acceptedStep(secret, codeAt(secret, after), now, null)).toBe(stepAt(now) + 1);
  });

  it('refuses a code from two steps away, and a wrong or malformed one', () => {
    expect(acceptedStep(secret, codeAt(secret, new Date(now.getTime() - 65_000)), now, null)).toBeNull();
    const right = codeAt(secret, now);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(acceptedStep(secret, wrong, now, null)).toBeNull();
    expect(acceptedStep(secret, 'abcdef', now, null)).toBeNull();
    expect(acceptedStep(secret, '', now, null)).toBeNull();
  });

  it('takes a code typed with spaces', () => {
    const code = codeAt(secret, now);
    expect(acceptedStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now, null)).toBe(stepAt(now));
  });

  it('refuses a code for a step already used, or before it', () => {
    const code = codeAt(secret, now);
    const step = acceptedStep(secret, code, now, null)!;
    expect(acceptedStep(secret, code, now, step)).toBeNull();
    const earlier = codeAt(secret, new Date(now.getTime() - 30_000));
    expect(acceptedStep(secret, earlier, now, step)).toBeNull();
    const next = codeAt(secret, new Date(now.getTime() + 30_000));
    expect(acceptedStep(secret, next, now, step)).toBe(step + 1);
  });
});

describe('setting up an app', () => {
  it('gives an otpauth address naming the service and the person', () => {
    const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'planner@example.gov.uk');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Inspectorate:planner%40example\.gov\.uk\?/);
    expect(uri).toContain('secret=JBSWY3DPEHPK3PXP');
    expect(uri).toContain('digits=6');
    expect(uri).toContain('period=30');
  });

  it('writes the secret in groups of four for typing', () => {
    expect(groupedSecret('JBSWY3DPEHPK3PXPAB')).toBe('JBSW Y3DP EHPK 3PXP AB');
  });
});

describe('recovery codes', () => {
  it(`come ${RECOVERY_CODE_COUNT} at a time, all different, as two groups of five`, () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(code).not.toMatch(/[01ilo]/);
      expect(looksLikeRecoveryCode(code)).toBe(true);
    }
  });

  it('are recognised however they are typed, and hash the same', () => {
    const [code] = newRecoveryCodes() as [string];
    const typed = ` ${code.toUpperCase().replace('-', ' ')} `;
    expect(looksLikeRecoveryCode(typed)).toBe(true);
    expect(recoveryCodeHash(typed)).toBe(recoveryCodeHash(code));
    expect(looksLikeRecoveryCode('123456')).toBe(false);
  });
});

describe('who must use two-factor sign-in', () => {
  it('is staff when the service requires it, never a provider, nobody when it does not', () => {
    expect(mustUseTwoFactor(['planner'], true)).toBe(true);
    expect(mustUseTwoFactor(['administrator'], true)).toBe(true);
    expect(mustUseTwoFactor(['provider'], true)).toBe(false);
    expect(mustUseTwoFactor(['planner'], false)).toBe(false);
  });
});
