import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';

const kinds = await databaseKinds();

describe.each(kinds)('the service on the %s database', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('is healthy while the database answers', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown API routes with a problem and unknown pages with the GOV.UK 404 page', async () => {
    const api = await t.app.inject({ url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toEqual({
      type: 'about:blank',
      status: 404,
      title: 'Not found',
      detail: 'There is no such page or record.',
    });
    const page = await t.app.inject({ url: '/no-such-page', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
  });

  it('names the body when it is not JSON, and the media type when it is not accepted', async () => {
    const headers = { authorization: `Bearer ${await t.tokenFor('planner')}` };
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().errors[0].field).toBe('body');
    const xml = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { ...headers, 'content-type': 'application/xml' },
      payload: '<provider/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.headers['content-type']).toContain('application/problem+json');
  });

  it('serves an OpenAPI document generated from the validating schemas, and a page listing it', async () => {
    const document = (await t.app.inject({ url: '/api/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/providers', '/api/providers/{id}', '/api/tokens', '/api/me']),
    );
    expect(Object.keys(document.paths).every((path: string) => path.startsWith('/api/'))).toBe(true);
    const body = document.paths['/api/providers'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['urn', 'name', 'type', 'postcode', 'places']));
    const page = await t.app.inject({ url: '/api/docs' });
    expect(page.body).toContain('/api/providers/{id}');
  });

  it('sends a strict content security policy with a nonce, and no framing', async () => {
    const response = await t.app.inject({ url: '/sign-in' });
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self' 'nonce-[0-9a-f]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = csp.match(/'nonce-([0-9a-f]+)'/)![1];
    expect(response.body).toContain(`nonce="${nonce}"`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('health when the database is gone', () => {
  it('answers 503 once the database stops answering', async () => {
    const t = await startTestApp('embedded');
    await t.app.database.close();
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(503);
    await t.app.close();
  });
});
