import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { digest } from './secrets.js';
import { Secret, TOTP } from 'otpauth';
import { STAFF_ROLES, type Role } from './rules.js';

/**
 * Two-factor sign-in with a time-based one-time code (RFC 6238: SHA-1, six digits, a new code every 30
 * seconds, as every authenticator app expects). Pure rules: the secret's encryption, checking a code
 * against the last step used, recovery codes and who must use a second factor. No I/O.
 */

export const CODE_DIGITS = 6;
export const CODE_PERIOD_SECONDS = 30;
/** A code from the step before or after is taken too: phone clocks drift, and typing takes time. */
export const CODE_WINDOW_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Minutes between a correct password and the code, before the half-way session ends. */
export const HALF_WAY_MINUTES = 10;

const ISSUER = 'Inspectorate';

function totpFor(secretBase32: string, label = ''): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: CODE_DIGITS,
    period: CODE_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new secret of 160 bits (the size RFC 4226 recommends), in base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// address a QR code carries, naming the service and the person's email in the app. */
export function otpauthUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(secretBase32: string): string {
  return secretBase32.match(/.{1,4}/g)?.join(' ') ?? '';
}

/** The 30-second step a moment falls in. */
export function stepAt(now: Date): number {
  return TOTP.counter({ period: CODE_PERIOD_SECONDS, timestamp: now.getTime() });
}

/** What someone typed as a code, without the spaces or hyphens apps and people put in. */
export function normaliseCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toLowerCase();
}

export function looksLikeTotpCode(typed: string): boolean {
  return new RegExp(`^\\d{${CODE_DIGITS}}$`).test(normaliseCode(typed));
}

/**
 * The step of a correct code, or null. A code is taken once: one for a step at or before `lastStep`
 * (the last one used) is refused, so a code seen over someone's shoulder cannot be used again.
 */
export function acceptedStep(
  secretBase32: string,
  typed: string,
  now: Date,
  lastStep: number | null,
): number | null {
  const token = normaliseCode(typed);
  if (!looksLikeTotpCode(token)) return null;
  const delta = totpFor(secretBase32).validate({
    token,
    timestamp: now.getTime(),
    window: CODE_WINDOW_STEPS,
  });
  if (delta === null) return null;
  const step = stepAt(now) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

// The secret is kept encrypted, so a copy of the database alone does not give anyone the codes. The key
// comes from the session secret (HKDF, with its own label so it is never the key used for anything
// else); the person's id is bound in as associated data, so a secret moved to another row does not open.
const SECRET_FORMAT = 'v1';

function encryptionKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, '', 'inspectorate two-factor secret', 32));
}

export function encryptSecret(secretBase32: string, personId: string, sessionSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(sessionSecret), iv);
  cipher.setAAD(Buffer.from(personId));
  const sealed = Buffer.concat([cipher.update(secretBase32, 'utf8'), cipher.final()]);
  return `${SECRET_FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** The secret, or null when the text was not sealed for this person with this key (or was altered). */
export function decryptSecret(sealed: string, personId: string, sessionSecret: string): string | null {
  const [format, body] = sealed.split('.');
  if (format !== SECRET_FORMAT || !body) return null;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < 29) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey(sessionSecret), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(personId));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

// Recovery codes: ten groups of five letters and digits (about 50 bits each), from an alphabet without
// look-alikes (0/o, 1/l/i), shown as `abcde-fghjk`.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_PATTERN = new RegExp(`^[${RECOVERY_ALPHABET}]{10}$`);

function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i += 1) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return RECOVERY_PATTERN.test(normaliseCode(typed));
}

/** Only a hash is kept; the codes are random enough that a plain SHA-256 cannot be searched back. */
export function recoveryCodeHash(typed: string): string {
  return digest(normaliseCode(typed));
}

/** Whether two-factor sign-in is required of this person: staff, when the service requires it. */
export function mustUseTwoFactor(roles: readonly Role[], required: boolean): boolean {
  return required && roles.some((role) => STAFF_ROLES.includes(role));
}
