/**
 * Where the sign-in page may send a person once they are signed in: only a path on this service.
 *
 * Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so `/\t/host` or
 * `/\\host` would leave the service (an open redirect), and a line break in the Location header makes
 * Node refuse to send it at all. The value is checked as sent and once percent-decoded, since either may
 * be what a browser follows.
 */

/** Longer than any address of the service with its query string, and too long to be one. */
const MAX_LENGTH = 2000;

// Visible ASCII only, as it was sent: anything else is encoded by any browser that made the address.
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

function isLocalPath(path: string): boolean {
  return path.startsWith('/') && !/^\/[/\\]/.test(path) && !path.includes('\\') && !CONTROL.test(path);
}

/** `value` when it is a path on this service, otherwise `/`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !VISIBLE_ASCII.test(value)) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  return isLocalPath(value) && isLocalPath(decoded) ? value : '/';
}
