import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to a person (session and API tokens, one-time links, recovery codes): only their
 * SHA-256 is stored, so a copy of the database lets nobody in.
 */

/** A new random secret to hand out: 32 bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a secret, and looked up by. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
