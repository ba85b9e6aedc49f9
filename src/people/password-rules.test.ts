import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { COMMON_PASSWORDS } from './common-passwords.js';
import {
  checkNewPassword,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
  PasswordRuleError,
} from './password-rules.js';

describe('password rules', () => {
  it('accepts a long passphrase of ordinary words, with no rule about symbols or capitals', () => {
    expect(passwordProblem('purple kettle harbour seventeen')).toBeNull();
    expect(passwordProblem('lowercaseonlybutlong')).toBeNull();
  });

  it('refuses anything shorter than 12 characters, counting characters rather than bytes', () => {
    expect(passwordProblem('eleven-char')).toMatch(/at least 12 characters/);
    expect(passwordProblem('twelve-chars')).toBeNull();
    // Eleven characters that take more than twelve bytes are still too short.
    expect(passwordProblem('ééééééééééé')).toMatch(/at least 12/);
    fc.assert(
      fc.property(fc.string({ maxLength: MIN_PASSWORD_LENGTH - 1, unit: 'grapheme-ascii' }), (short) => {
        expect(passwordProblem(short)).toMatch(/at least 12/);
      }),
    );
  });

  it('refuses the commonest passwords whatever their case, and one character repeated', () => {
    expect(passwordProblem('Password1234')).toMatch(/most commonly used/);
    expect(passwordProblem('QWERTYUIOP123')).toMatch(/most commonly used/);
    expect(passwordProblem('zzzzzzzzzzzzzzzz')).toMatch(/most commonly used/);
    for (const common of COMMON_PASSWORDS) {
      if (common.length >= MIN_PASSWORD_LENGTH) expect(passwordProblem(common)).not.toBeNull();
    }
  });

  it("refuses a password containing the person's own email address or its name part", () => {
    expect(passwordProblem('jo.bloggs@example.org', 'Jo.Bloggs@example.org')).toMatch(/email address/);
    expect(passwordProblem('my name is jo.bloggs!', 'jo.bloggs@example.org')).toMatch(/email address/);
    expect(passwordProblem('my name is jo.bloggs!', 'someone@example.org')).toBeNull();
  });

  it('refuses an absurdly long password, and says which rule was broken when setting one', () => {
    expect(passwordProblem('x y'.repeat(400))).toMatch(/1000 characters or fewer/);
    expect(() => checkNewPassword('short')).toThrow(PasswordRuleError);
    expect(() => checkNewPassword('short')).toThrow(/at least 12 characters/);
    expect(() => checkNewPassword('purple kettle harbour', 'a@b.example')).not.toThrow();
  });
});

describe('the demo password setting', () => {
  it('refuses to start with a demo password that breaks the rules, naming the setting', () => {
    expect(() => loadConfig({ DEMO_PASSWORD: 'short-one' })).toThrow(/DEMO_PASSWORD: .*at least 12/);
    expect(() => loadConfig({ DEMO_PASSWORD: 'password1234' })).toThrow(/DEMO_PASSWORD: .*commonly used/);
    expect(loadConfig({ DEMO_PASSWORD: 'a long demo passphrase' }).demoPassword).toBe(
      'a long demo passphrase',
    );
  });
});
