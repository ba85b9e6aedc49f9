import { demoEmail } from '../../src/demo/people.js';
import type { Role } from '../../src/people/rules.js';
import type { App } from '../../src/app.js';

/** A browser's cookie jar in miniature, for driving the pages through `app.inject`. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(setCookie: string | string[] | undefined) {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

export function csrfTokenIn(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** GETs a page with the jar's cookies, keeping any it sets. */
export async function getPage(app: App, jar: CookieJar, url: string) {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { cookie: jar.header(), accept: 'text/html' },
  });
  jar.store(response.headers['set-cookie']);
  return response;
}

/** Submits a form as a browser would: urlencoded, with the jar's cookies. */
export async function postForm(app: App, jar: CookieJar, url: string, fields: Record<string, string>) {
  const response = await app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    payload: new URLSearchParams(fields).toString(),
  });
  jar.store(response.headers['set-cookie']);
  return response;
}

/** Signs in through the sign-in page and returns the jar holding the session. */
export async function signInAs(app: App, role: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const page = await getPage(app, jar, '/sign-in');
  const response = await postForm(app, jar, '/sign-in', {
    _csrf: csrfTokenIn(page.body),
    email: demoEmail(role as Role),
    password,
  });
  if (response.statusCode !== 303) throw new Error(`sign-in as ${role} failed: ${response.statusCode}`);
  return jar;
}
