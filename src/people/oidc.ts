import type { FastifyBaseLogger } from 'fastify';
import * as client from 'openid-client';
import type { Config } from '../config.js';
import { isLoopbackHttp, type Flow, type Identity } from './oidc-rules.js';

/**
 * The OpenID Connect client: the authorization code flow with PKCE, state and nonce, through
 * openid-client. The identity provider's settings are discovered once, when someone first signs in
 * this way, so that the service starts (and passwords work) while the identity provider is away.
 */

export type OidcSettings = NonNullable<Config['oidc']>;

/** The identity provider could not be reached, or its discovery document was unusable. */
export class IssuerUnavailable extends Error {}

/** The identity provider's answer was an error (the person cancelled, or it refused them). */
export class IssuerRefused extends Error {
  constructor(readonly error: string) {
    super(`the identity provider answered ${error}`);
  }
}

/** The answer did not belong to the flow started (state, nonce, PKCE) or could not be checked. */
export class ResponseRejected extends Error {}

export interface SingleSignOn {
  /** Where to send the browser, and what to keep until it comes back. */
  start(returnTo: string, now: Date): Promise<{ url: string; flow: Flow }>;
  /**
   * Checks the identity provider's answer (`query`, as it reached the callback) against the flow, and
   * gives the identity it vouches for, with the issuer's identifier.
   */
  finish(query: string, flow: Flow): Promise<Identity & { issuer: string }>;
}

/** Seconds any one request to the identity provider may take. */
const REQUEST_TIMEOUT_SECONDS = 10;

export function singleSignOn(
  settings: OidcSettings,
  redirectUri: string,
  log: FastifyBaseLogger,
): SingleSignOn {
  let discovered: Promise<client.Configuration> | null = null;

  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(
        new URL(settings.issuerUrl),
        settings.clientId,
        { redirect_uris: [redirectUri], response_types: ['code'] },
        client.ClientSecretBasic(settings.clientSecret),
        {
          timeout: REQUEST_TIMEOUT_SECONDS,
          // Plain http only to an identity provider on this machine (config.ts allows no other).
          ...(isLoopbackHttp(settings.issuerUrl) ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        // Tried again by the next person to sign in this way.
        discovered = null;
        log.error(
          { err: error, issuer: settings.issuerUrl },
          'single sign-on: the identity provider (OIDC_ISSUER_URL) could not be reached or its discovery document was not usable',
        );
        throw new IssuerUnavailable('the identity provider could not be reached');
      });
    return discovered;
  }

  return {
    async start(returnTo, now) {
      const config = await configuration();
      const flow: Flow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
        startedAt: now.toISOString(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, flow };
    },

    async finish(query, flow) {
      const config = await configuration();
      // The address exactly as registered: openid-client sends it back to the token endpoint.
      const current = new URL(redirectUri);
      current.search = query;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        if (error instanceof client.AuthorizationResponseError) throw new IssuerRefused(error.error);
        // A token endpoint that refuses the client is a setting to fix, not a person's mistake.
        if (error instanceof client.ResponseBodyError)
          log.error({ err: error }, 'single sign-on: the identity provider refused the token request');
        throw new ResponseRejected(error instanceof Error ? error.message : String(error));
      }
      const claims = tokens.claims();
      if (!claims) throw new ResponseRejected('no ID token');
      let email: unknown = claims.email;
      let emailVerified: unknown = claims.email_verified;
      // Many identity providers put the email in the ID token only when asked; userinfo always has it.
      if (email === undefined && config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
          email = info.email;
          emailVerified = info.email_verified;
        } catch (error) {
          throw new ResponseRejected(error instanceof Error ? error.message : String(error));
        }
      }
      return { issuer: claims.iss, subject: claims.sub, email, emailVerified };
    },
  };
}
