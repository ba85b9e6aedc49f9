/**
 * Links in messages. A message is read in an email client, far from the service, so a path such as
 * `/reports/…/respond` written in its body must go out as a full link. The stores write paths, which
 * read well and know nothing of where the service is published; the outbox turns them into links on
 * the base URL the service was started with (BASE_URL), when each message is queued.
 */

let base = 'http://localhost:3000';

/** Set once at start-up from the configuration; a trailing slash is dropped. */
export function useBaseUrl(url: string): void {
  base = url.replace(/\/+$/, '');
}

/** A full link to a page of the service. */
export function linkTo(path: string): string {
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * A path standing on its own in text (at the start, or after a space or an opening bracket) that
 * begins with a letter: `/reports/abc`, `/complaints/abc?saved=x`. Text such as "and/or" or a path
 * inside a full link is left alone.
 */
const PATH = /(^|[\s(])(\/[a-z][\w\-.~%/]*(?:\?[\w\-.~%&=]*)?(?:#[\w\-.~]*)?)/g;

/** Every path in `text` as a full link; the full stop or comma after a path stays outside it. */
export function withFullLinks(text: string): string {
  return text.replace(PATH, (_match, before: string, path: string) => {
    const trailing = /[.,;:!?]+$/.exec(path)?.[0] ?? '';
    return `${before}${linkTo(path.slice(0, path.length - trailing.length))}${trailing}`;
  });
}
