import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../refusal.js';
import { setSessionCookie } from './authenticate.js';
import { IssuerRefused, IssuerUnavailable, singleSignOn } from './oidc.js';
import {
  decodeFlow,
  encodeFlow,
  FLOW_MINUTES,
  matchAccount,
  claimedEmail,
  REFUSAL_MESSAGES,
} from './oidc-rules.js';
import { findAccountByEmail, findAccountBySubject, linkIdentity, recordRefusedSignIn } from './oidc-store.js';
import { safeReturnTo } from './return-to.js';
import { startSession } from './store.js';

/**
 * Signing in with the organisation's account (OpenID Connect). Both routes are there whether or not
 * single sign-on is configured, and answer 404 when it is not, as if they were not.
 *
 * The flow's secrets (state, nonce, PKCE verifier) and where to go after wait in a signed, httpOnly
 * cookie for FLOW_MINUTES, limited to these two addresses and cleared when the identity provider answers.
 * The service's own two-factor code is not asked for: the organisation's identity provider is responsible
 * for how its people prove who they are.
 */

export const FLOW_COOKIE = 'oidc-flow';
const FLOW_PATH = '/sign-in/oidc';
export const CALLBACK_PATH = '/sign-in/oidc/callback';

const FLOW_LOST =
  'The sign-in took more than 10 minutes, was started in another browser or tab, or did not come from this service. Start again.';

export async function singleSignOnPages(app: FastifyInstance) {
  const sso = app.config.oidc
    ? singleSignOn(app.config.oidc, `${app.config.baseUrl}${CALLBACK_PATH}`, app.log)
    : null;

  function refuse(reply: FastifyReply, status: 400 | 401 | 403 | 503, text: string) {
    return reply.page(
      'people/views/sign-in-refused.njk',
      {
        title: status === 503 ? 'Single sign-on is not available' : 'You could not be signed in',
        status,
        text,
      },
      status,
    );
  }

  app.get(FLOW_PATH, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (!sso) throw notFound();
    const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
    if (request.person) return reply.redirect(returnTo, 303);
    let started: Awaited<ReturnType<typeof sso.start>>;
    try {
      started = await sso.start(returnTo, app.clock.now());
    } catch (error) {
      if (error instanceof IssuerUnavailable)
        return refuse(
          reply,
          503,
          'Signing in with your organisation’s account is not working at the moment. Sign in with your email address and password, or try again later.',
        );
      throw error;
    }
    reply.setCookie(FLOW_COOKIE, encodeFlow(started.flow), {
      path: FLOW_PATH,
      httpOnly: true,
      // Lax: the identity provider sends the person back with a top-level GET from its own site.
      sameSite: 'lax',
      secure: app.config.production,
      signed: true,
      maxAge: FLOW_MINUTES * 60,
    });
    return reply.redirect(started.url, 303);
  });

  app.get(CALLBACK_PATH, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (!sso) throw notFound();
    // Used once, whatever the outcome.
    reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
    const flow = flowOf(request, app.clock.now());
    if (!flow) {
      request.log.warn('single sign-on refused: no sign-in cookie, or an expired or altered one');
      return refuse(reply, 400, FLOW_LOST);
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let identity: Awaited<ReturnType<typeof sso.finish>>;
    try {
      identity = await sso.finish(query, flow);
    } catch (error) {
      request.log.warn({ err: error }, 'single sign-on refused: the identity provider’s answer');
      if (error instanceof IssuerRefused)
        return refuse(
          reply,
          401,
          'Your organisation’s account did not sign you in. Try again, or sign in with your email address and password.',
        );
      if (error instanceof IssuerUnavailable)
        return refuse(
          reply,
          503,
          'Signing in with your organisation’s account is not working at the moment.',
        );
      return refuse(
        reply,
        400,
        `The answer from your organisation’s account could not be checked. ${FLOW_LOST}`,
      );
    }

    const bySubject = await findAccountBySubject(app.db, identity.issuer, identity.subject);
    const email = bySubject ? null : claimedEmail(identity);
    const byEmail = email ? await findAccountByEmail(app.db, email) : undefined;
    let match = matchAccount(identity, bySubject, byEmail);
    if (!('refused' in match) && match.link) {
      const linked = await linkIdentity(app.db, match.personId, identity.issuer, identity.subject);
      // Linked or disabled by someone else a moment ago: refuse rather than guess.
      if (!linked) match = { refused: 'linked-elsewhere', personId: match.personId };
    }
    if ('refused' in match) {
      request.log.warn({ reason: match.refused }, 'single sign-on refused');
      if (match.personId)
        await recordRefusedSignIn(app.db, match.personId, match.refused, identity.issuer, identity.subject);
      const { status, text } = REFUSAL_MESSAGES[match.refused];
      return refuse(reply, status, text);
    }
    const session = await startSession(app.db, match.personId, 'browser', app.config.sessionHours);
    setSessionCookie(reply, session.token, session.expiresAt, app.config.production);
    return reply.redirect(safeReturnTo(flow.returnTo), 303);
  });
}

function flowOf(request: FastifyRequest, now: Date) {
  const value = request.cookies[FLOW_COOKIE];
  if (!value) return null;
  const unsigned = request.unsignCookie(value);
  return unsigned.valid && unsigned.value !== null ? decodeFlow(unsigned.value, now) : null;
}
