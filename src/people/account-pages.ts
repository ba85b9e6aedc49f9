import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatLongDate } from '../calendar/working-days.js';
import { inTransaction } from '../db/database.js';
import { findProvidersByIds } from '../providers/store.js';
import { Refusal } from '../refusal.js';
import { requirePerson } from '../web/access.js';
import { formText, postForm, type FormBody } from '../web/forms.js';
import { PASSWORD_RESET_HOURS, passwordResetRequest } from './accounts.js';
import { setSessionCookie } from './authenticate.js';
import { sendPasswordReset } from './invitations.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-rules.js';
import { changeOwnPassword, checkPasswordLink, setPasswordWithLink } from './password-links.js';
import { ROLE_LABELS } from './rules.js';
import { signInAddressLimit, signInLimit } from './sign-in.js';
import { startSession } from './store.js';

/**
 * A person's own account: choosing a password from a one-time link, asking for a reset link, and, signed
 * in, their details and a new password.
 */

const tokenOf = (request: FastifyRequest) => {
  const token = (request.query as { token?: unknown }).token;
  return typeof token === 'string' ? token : '';
};

/** A new password typed twice, as the forms post it. */
const passwordFields = {
  password: z
    .string()
    .min(1, 'Enter a password')
    .max(MAX_PASSWORD_LENGTH, `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`),
  confirmPassword: z.string().min(1, 'Enter the password again to confirm it'),
};
const bothTheSame = (form: { password: string; confirmPassword: string }) =>
  form.password === form.confirmPassword;
const mismatch = {
  path: ['confirmPassword'],
  message: 'The passwords do not match: enter the same password twice',
};
const newPassword = z.object(passwordFields).refine(bothTheSame, mismatch);
const changedPassword = z
  .object({ currentPassword: z.string().min(1, 'Enter your current password'), ...passwordFields })
  .refine(bothTheSame, mismatch);

/** A link that cannot be used is gone for good: there is nothing on its page to correct. */
const LINK_GONE = 410;

const TITLES = { invitation: 'Create your password', 'password-reset': 'Choose a new password' } as const;

export async function accountPages(app: FastifyInstance) {
  const linkPage = { config: { access: 'public' as const }, schema: { hide: true } };

  /** The link's person and purpose, or null once the page saying why it cannot be used is sent. */
  async function usableLink(reply: FastifyReply, token: string, now: Date) {
    try {
      return await checkPasswordLink(app.db, token, now);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      reply.page(
        'people/views/account/link-refused.njk',
        { title: 'This link cannot be used', reason: error.errors[0]?.message ?? error.detail },
        LINK_GONE,
      );
      return null;
    }
  }

  app.get('/account/set-password', linkPage, async (request, reply) => {
    const token = tokenOf(request);
    const link = await usableLink(reply, token, app.clock.now());
    if (!link) return reply;
    return reply.page('people/views/account/set-password.njk', {
      title: TITLES[link.purpose],
      email: link.email,
      token,
      minLength: MIN_PASSWORD_LENGTH,
    });
  });

  app.post(
    '/account/set-password',
    { ...linkPage, config: { access: 'public' as const, rateLimit: signInLimit(app) } },
    async (request, reply) => {
      const form = (request.body ?? {}) as FormBody;
      const token = formText(form, 'token') ?? '';
      const now = app.clock.now();
      const link = await usableLink(reply, token, now);
      if (!link) return reply;
      return postForm(reply, {
        parsed: newPassword.safeParse(form),
        act: async ({ password }) => {
          await setPasswordWithLink(app.db, token, password, now);
          return '/sign-in?passwordSet=1';
        },
        showAgain: ({ status, errors }) =>
          reply.page(
            'people/views/account/set-password.njk',
            { title: TITLES[link.purpose], email: link.email, token, minLength: MIN_PASSWORD_LENGTH, errors },
            status,
          ),
      });
    },
  );

  app.get('/account/forgotten-password', linkPage, async (request, reply) =>
    reply.page('people/views/account/forgotten-password.njk', {
      title: 'Reset your password',
      sent: (request.query as { sent?: unknown }).sent === '1',
      hours: PASSWORD_RESET_HOURS,
      values: {},
    }),
  );

  app.post(
    '/account/forgotten-password',
    {
      ...linkPage,
      config: { access: 'public' as const, rateLimit: signInLimit(app) },
      preHandler: signInAddressLimit(app),
    },
    async (request, reply) => {
      const form = (request.body ?? {}) as FormBody;
      return postForm(reply, {
        parsed: passwordResetRequest.safeParse(form),
        act: async ({ email }) => {
          await inTransaction(app.db, (trx) => sendPasswordReset(trx, email, app.clock.now()));
          return '/account/forgotten-password?sent=1';
        },
        showAgain: ({ status, errors }) =>
          reply.page(
            'people/views/account/forgotten-password.njk',
            { title: 'Reset your password', values: { email: formText(form, 'email') ?? '' }, errors },
            status,
          ),
      });
    },
  );

  app.get('/account', { config: { access: 'signed-in' }, schema: { hide: true } }, async (request, reply) => {
    const person = requirePerson(request);
    const account = await app.db
      .selectFrom('people')
      .select(['password_hash', 'totp_enabled_at', 'last_signed_in_at'])
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    const providers = await findProvidersByIds(app.db, person.providerIds);
    const rows = [
      { key: { text: 'Name' }, value: { text: person.name } },
      { key: { text: 'Email address' }, value: { text: person.email } },
      { key: { text: 'Roles' }, value: { text: person.roles.map((role) => ROLE_LABELS[role]).join(', ') } },
      ...(providers.length > 0
        ? [
            {
              key: { text: 'Acts for' },
              value: { text: providers.map((p) => `${p.name} (${p.urn})`).join(', ') },
            },
          ]
        : []),
      ...(account.last_signed_in_at
        ? [
            {
              key: { text: 'Signed in' },
              value: { text: formatLongDate(new Date(account.last_signed_in_at).toISOString().slice(0, 10)) },
            },
          ]
        : []),
    ];
    const saved = (request.query as { saved?: unknown }).saved;
    return reply.page('people/views/account/account.njk', {
      title: 'Your account',
      rows,
      hasPassword: Boolean(account.password_hash),
      twoFactorText: account.totp_enabled_at ? 'on' : 'off',
      banner:
        saved === 'password'
          ? 'Your password has been changed. Anywhere else you were signed in has been signed out.'
          : null,
    });
  });

  app.get(
    '/account/password',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.page('people/views/account/change-password.njk', {
        title: 'Change your password',
        minLength: MIN_PASSWORD_LENGTH,
      }),
  );

  app.post(
    '/account/password',
    { config: { access: 'signed-in', rateLimit: signInLimit(app) }, schema: { hide: true } },
    async (request, reply) => {
      const person = requirePerson(request);
      const form = (request.body ?? {}) as FormBody;
      return postForm(reply, {
        parsed: changedPassword.safeParse(form),
        act: async ({ currentPassword, password }) => {
          await changeOwnPassword(app.db, person.id, currentPassword, password);
          // Every session ended with the old password; this browser carries on in a new one.
          const session = await startSession(app.db, person.id, 'browser', app.config.sessionHours);
          setSessionCookie(reply, session.token, session.expiresAt, app.config.production);
          return '/account?saved=password';
        },
        showAgain: ({ status, errors }) =>
          reply.page(
            'people/views/account/change-password.njk',
            { title: 'Change your password', minLength: MIN_PASSWORD_LENGTH, errors },
            status,
          ),
      });
    },
  );
}
