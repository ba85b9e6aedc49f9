import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes), as OWASP recommends. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
const UNKNOWN_PERSON_HASH = hash('no-such-person-placeholder');

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    const ok = await verify(passwordHash ?? (await UNKNOWN_PERSON_HASH), password);
    return ok && passwordHash !== null;
  } catch {
    return false;
  }
}
