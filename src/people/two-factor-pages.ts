import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { formOptional, formText } from '../web/forms.js';
import { unauthorised } from '../web/problem.js';
import { setSessionCookie } from './authenticate.js';
import { safeReturnTo } from './return-to.js';
import { checkSecondFactor, clearHalfWayCookie, HALF_WAY_COOKIE, type CodeOutcome } from './second-factor.js';
import { PAUSED_MESSAGE, secondsUntil, signInAddressLimit } from './sign-in.js';
import { endSession, startSession } from './store.js';
import {
  acceptedStep,
  decryptSecret,
  encryptSecret,
  groupedSecret,
  mustUseTwoFactor,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  recoveryCodeHash,
} from './two-factor.js';
import {
  disableTwoFactor,
  enableTwoFactor,
  findTwoFactorState,
  halfWaySessionPerson,
  renewRecoveryCodes,
  unusedRecoveryCodes,
  type TwoFactorState,
} from './two-factor-store.js';

/**
 * Two-factor sign-in in the pages: setting it up and managing it (/account/two-factor), and the code
 * asked for after a correct password (/sign-in/code). Between the password and the code the person holds
 * only a half-way session (second-factor.ts), which these pages alone accept: the code page when two-factor
 * sign-in is on, the set-up pages when the service requires it of them and it is not yet set up.
 */

const SET_UP_VIEW = 'people/views/two-factor.njk';
const CODES_VIEW = 'people/views/two-factor-recovery-codes.njk';
const CODE_VIEW = 'people/views/sign-in-code.njk';

const ENTER_SIX_DIGITS = 'Enter the 6-digit code from your authenticator app';
const WRONG_SET_UP_CODE =
  'The code is not correct. Enter the 6-digit code your authenticator app shows now for Inspectorate';
const WRONG_SIGN_IN_CODE =
  'The code is not correct. Enter the code your authenticator app shows now, or one of your recovery codes';

interface Holder {
  state: TwoFactorState;
  /** The half-way session's token, when the person is here to finish signing in. */
  halfWay: string | null;
}

async function halfWayState(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<{ token: string; state: TwoFactorState } | null> {
  const token = request.cookies[HALF_WAY_COOKIE];
  if (!token) return null;
  // Sessions' expiry is in real time, as when they were started (store.ts).
  const personId = await halfWaySessionPerson(app.db, token, new Date());
  const state = personId ? await findTwoFactorState(app.db, personId) : null;
  return state ? { token, state } : null;
}

/** Who the set-up pages are for: the person signed in, or one half-way who must set it up to finish. */
async function holderOf(app: FastifyInstance, request: FastifyRequest): Promise<Holder> {
  if (request.person) {
    const state = await findTwoFactorState(app.db, request.person.id);
    if (state) return { state, halfWay: null };
  }
  const half = await halfWayState(app, request);
  if (half && !half.state.enabledAt && mustUseTwoFactor(half.state.roles, app.config.mfaRequired))
    return { state: half.state, halfWay: half.token };
  throw unauthorised();
}

/** Ends the half-way session and starts the real one. */
async function finishSignIn(app: FastifyInstance, reply: FastifyReply, personId: string, halfWay: string) {
  await endSession(app.db, halfWay);
  clearHalfWayCookie(reply);
  const session = await startSession(app.db, personId, 'browser', app.config.sessionHours);
  setSessionCookie(reply, session.token, session.expiresAt, app.config.production);
}

const returnToOf = (source: unknown) =>
  safeReturnTo((source as { returnTo?: unknown } | undefined)?.returnTo);

export async function twoFactorPages(app: FastifyInstance) {
  const sessionSecret = app.config.sessionSecret;

  async function showSetUp(
    reply: FastifyReply,
    holder: Holder,
    returnTo: string,
    given?: { secret: string; errors: { field: string; message: string }[]; status: number },
  ) {
    const { state } = holder;
    const secret = given?.secret ?? newTotpSecret();
    return reply.page(
      SET_UP_VIEW,
      {
        title: 'Set up two-factor sign-in',
        setUp: true,
        finishing: holder.halfWay !== null,
        returnTo,
        // The secret travels with the form, sealed for this person, until a code from it proves the app has it.
        setupKey: encryptSecret(secret, state.id, sessionSecret),
        qrCode: await QRCode.toDataURL(otpauthUri(secret, state.email), { margin: 2, width: 232 }),
        manualKey: groupedSecret(secret),
        errors: given?.errors ?? [],
      },
      given?.status ?? 200,
    );
  }

  async function showStatus(
    reply: FastifyReply,
    state: TwoFactorState,
    extra: { errors?: { field: string; message: string }[]; turnedOff?: boolean } = {},
    status = 200,
  ) {
    if (!state.enabledAt) {
      return reply.page(
        SET_UP_VIEW,
        { title: 'Two-factor sign-in', setUp: false, on: false, ...extra },
        status,
      );
    }
    return reply.page(
      SET_UP_VIEW,
      {
        title: 'Two-factor sign-in',
        setUp: false,
        on: true,
        enabledAt: state.enabledAt.toISOString(),
        unused: await unusedRecoveryCodes(app.db, state.id),
        required: mustUseTwoFactor(state.roles, app.config.mfaRequired),
        ...extra,
      },
      status,
    );
  }

  app.get(
    '/account/two-factor',
    // Public so that someone half-way through signing in can reach it; holderOf sends anyone else to sign in.
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const holder = await holderOf(app, request);
      const query = request.query as { setUp?: unknown; turnedOff?: unknown };
      if (holder.halfWay || (!holder.state.enabledAt && query.setUp === '1'))
        return showSetUp(reply, holder, returnToOf(request.query));
      return showStatus(reply, holder.state, { turnedOff: query.turnedOff === '1' });
    },
  );

  app.post(
    '/account/two-factor',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const holder = await holderOf(app, request);
      const { state } = holder;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const returnTo = returnToOf(body);
      if (state.enabledAt) return reply.redirect('/account/two-factor', 303);
      const sealed = formText(body, 'setupKey');
      const secret = sealed ? decryptSecret(sealed, state.id, sessionSecret) : null;
      if (!secret) return showSetUp(reply, holder, returnTo);
      const code = formOptional(body, 'code') ?? '';
      const now = app.clock.now();
      const step = code ? acceptedStep(secret, code, now, null) : null;
      if (step === null) {
        const message = code ? WRONG_SET_UP_CODE : ENTER_SIX_DIGITS;
        return showSetUp(reply, holder, returnTo, {
          secret,
          errors: [{ field: 'code', message }],
          status: 400,
        });
      }
      const codes = newRecoveryCodes();
      await enableTwoFactor(app.db, state.id, {
        sealedSecret: encryptSecret(secret, state.id, sessionSecret),
        step,
        recoveryCodeHashes: codes.map(recoveryCodeHash),
        now,
      });
      if (holder.halfWay) await finishSignIn(app, reply, state.id, holder.halfWay);
      return reply.page(CODES_VIEW, {
        title: 'Your recovery codes',
        codes,
        firstTime: true,
        next: holder.halfWay ? returnTo : '/account/two-factor',
      });
    },
  );

  app.post(
    '/account/two-factor/recovery-codes',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (request, reply) => {
      const state = (await holderOf(app, request)).state;
      if (!state.enabledAt) return reply.redirect('/account/two-factor', 303);
      // Whoever finds the person signed in must not be able to make recovery codes of their own.
      const code = formOptional((request.body ?? {}) as Record<string, unknown>, 'code') ?? '';
      const showAgain = (errors: { field: string; message: string }[], status: number) =>
        showStatus(reply, state, { errors: errors.map((e) => ({ ...e, field: 'renewCode' })) }, status);
      if (!code) return showAgain([{ field: 'code', message: ENTER_SIX_DIGITS }], 400);
      const outcome = await checkSecondFactor(app, state, code);
      if (!('ok' in outcome)) return refuseCode(reply, outcome, showAgain);
      const codes = newRecoveryCodes();
      await renewRecoveryCodes(app.db, state.id, codes.map(recoveryCodeHash));
      return reply.page(CODES_VIEW, {
        title: 'Your new recovery codes',
        codes,
        firstTime: false,
        next: '/account/two-factor',
      });
    },
  );

  app.post(
    '/account/two-factor/turn-off',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (request, reply) => {
      const state = (await holderOf(app, request)).state;
      if (!state.enabledAt) return reply.redirect('/account/two-factor', 303);
      if (mustUseTwoFactor(state.roles, app.config.mfaRequired)) {
        const message = 'Two-factor sign-in cannot be turned off: the service requires it for your role';
        return showStatus(reply, state, { errors: [{ field: 'code', message }] }, 403);
      }
      const code = formOptional((request.body ?? {}) as Record<string, unknown>, 'code') ?? '';
      if (!code)
        return showStatus(reply, state, { errors: [{ field: 'code', message: ENTER_SIX_DIGITS }] }, 400);
      const outcome = await checkSecondFactor(app, state, code);
      if (!('ok' in outcome))
        return refuseCode(reply, outcome, (errors, status) => showStatus(reply, state, { errors }, status));
      await disableTwoFactor(app.db, state.id, state.id);
      return reply.redirect('/account/two-factor?turnedOff=1', 303);
    },
  );

  function refuseCode(
    reply: FastifyReply,
    outcome: Exclude<CodeOutcome, { ok: true }>,
    show: (errors: { field: string; message: string }[], status: number) => unknown,
  ) {
    if ('pausedUntil' in outcome) {
      reply.header('retry-after', secondsUntil(app, outcome.pausedUntil));
      return show([{ field: 'code', message: PAUSED_MESSAGE }], 429);
    }
    return show([{ field: 'code', message: WRONG_SIGN_IN_CODE }], 401);
  }

  /** The half-way session of someone with two-factor sign-in on, or where else to send them. */
  async function codeHolder(
    request: FastifyRequest,
    returnTo: string,
  ): Promise<{ redirect: string } | { half: { token: string; state: TwoFactorState } }> {
    const query = returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
    if (request.person) return { redirect: returnTo };
    const half = await halfWayState(app, request);
    if (half?.state.enabledAt) return { half };
    if (half && mustUseTwoFactor(half.state.roles, app.config.mfaRequired))
      return { redirect: `/account/two-factor${query}` };
    return { redirect: `/sign-in${query}` };
  }

  app.get(
    '/sign-in/code',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const returnTo = returnToOf(request.query);
      const found = await codeHolder(request, returnTo);
      if ('redirect' in found) return reply.redirect(found.redirect, 303);
      return reply.page(CODE_VIEW, { title: 'Enter your code', returnTo, errors: [] });
    },
  );

  app.post(
    '/sign-in/code',
    {
      config: {
        access: 'public',
        // Per address and half-way session; the real limit on guessing is the count per email (sign-in.ts).
        rateLimit: {
          max: app.config.signInRateLimit,
          timeWindow: '1 minute',
          keyGenerator: (request: FastifyRequest) =>
            `code|${request.ip}|${request.cookies[HALF_WAY_COOKIE] ?? ''}`,
        },
      },
      preHandler: signInAddressLimit(app),
      schema: { hide: true },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const returnTo = returnToOf(body);
      const found = await codeHolder(request, returnTo);
      if ('redirect' in found) return reply.redirect(found.redirect, 303);
      const show = (errors: { field: string; message: string }[], status: number) =>
        reply.page(CODE_VIEW, { title: 'Enter your code', returnTo, errors }, status);
      const code = formOptional(body, 'code') ?? '';
      if (!code) return show([{ field: 'code', message: ENTER_SIX_DIGITS }], 400);
      const outcome = await checkSecondFactor(app, found.half.state, code);
      if (!('ok' in outcome)) return refuseCode(reply, outcome, show);
      await finishSignIn(app, reply, found.half.state.id, found.half.token);
      return reply.redirect(returnTo, 303);
    },
  );
}
