import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { CookieJar } from './pages.js';

/**
 * A real OpenID provider (the `oidc-provider` package) on a loopback port, for the single sign-on tests.
 * Its people are whatever `people` says at the moment of asking: a subject with an email and whether the
 * provider vouches for it. Anyone signs in with any password through the package's own plain sign-in
 * page (devInteractions); the client is first-party, so nobody is asked to consent.
 */

/** A loopback port free a moment ago: for a service whose own address must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface IdentityProviderPerson {
  email?: string;
  emailVerified?: boolean;
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Subject → claims; change them between sign-ins as an organisation would. */
  people: Map<string, IdentityProviderPerson>;
  /** The service's settings for this provider (OIDC_*). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(redirectUri: string): Promise<TestIdentityProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'inspectorate-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const people = new Map<string, IdentityProviderPerson>();
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // The service must always send a PKCE challenge.
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    async findAccount(_ctx, subject) {
      return {
        accountId: subject,
        async claims() {
          const person = people.get(subject) ?? {};
          return {
            sub: subject,
            ...(person.email === undefined ? {} : { email: person.email }),
            ...(person.emailVerified === undefined ? {} : { email_verified: person.emailVerified }),
          };
        },
      };
    },
    // First-party: the grant the service asks for is given without a consent page.
    async loadExistingGrant(ctx) {
      const session = ctx.oidc.session!;
      const clientId = ctx.oidc.client!.clientId;
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: session.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    // Lifetimes stated, so the package does not remark on its defaults.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomBytes(24).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    people,
    env: { OIDC_ISSUER_URL: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Signs in at the identity provider as `subject`, from the address the service sent the browser to, and
 * gives the address the provider sends the browser back to (the service's callback). `jar` holds the
 * provider's cookies: a fresh one asks for the sign-in again.
 */
export async function signInAtIdentityProvider(
  authorizationUrl: string,
  subject: string,
  jar = new CookieJar(),
): Promise<string> {
  let url = authorizationUrl;
  let form: URLSearchParams | null = null;
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: form.toString() } : {}),
    });
    jar.store(response.headers.getSetCookie());
    form = null;
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      // Back at the service: that is where this journey ends.
      if (next.origin !== new URL(authorizationUrl).origin) return next.href;
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !html.includes('name="login"'))
      throw new Error(`unexpected page at the identity provider: ${response.status} ${html.slice(0, 300)}`);
    url = new URL(action, url).href;
    form = new URLSearchParams({ prompt: 'login', login: subject, password: 'any password' });
  }
  throw new Error('the identity provider never sent the browser back');
}
