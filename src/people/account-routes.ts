import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inTransaction } from '../db/database.js';
import { problemSchema } from '../web/problem.js';
import { passwordResetRequest } from './accounts.js';
import { sendPasswordReset } from './invitations.js';
import { MAX_PASSWORD_LENGTH } from './password-rules.js';
import { setPasswordWithLink } from './password-links.js';
import { signInAddressLimit, signInLimit } from './sign-in.js';

/** One-time links through the API: accepting an invitation, and asking for a reset link. */

const acceptance = z.object({
  token: z
    .string({ message: 'Enter the token from the invitation link' })
    .trim()
    .min(1, 'Enter the token from the invitation link')
    .max(200, 'Enter the token from the invitation link'),
  password: z
    .string({ message: 'Enter a password' })
    .min(1, 'Enter a password')
    .max(MAX_PASSWORD_LENGTH, `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`),
});

export async function accountRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/invitations/accept',
    {
      config: { access: 'public', rateLimit: signInLimit(app) },
      preHandler: signInAddressLimit(app),
      schema: {
        tags: ['people'],
        summary: 'Accept an invitation: choose the password of the invited account',
        description:
          'The token is the `token` parameter of the invitation link. It works once, within 72 hours; ' +
          'the password must meet the service’s password rules. Then sign in with POST /api/tokens.',
        security: [],
        body: acceptance,
        response: {
          204: z.null().describe('Password set'),
          400: problemSchema,
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      await setPasswordWithLink(app.db, request.body.token, request.body.password, app.clock.now(), [
        'invitation',
      ]);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/password-resets',
    {
      config: { access: 'public', rateLimit: signInLimit(app) },
      preHandler: signInAddressLimit(app),
      schema: {
        tags: ['people'],
        summary: 'Ask for a password reset link by email',
        description:
          'Answers 202 whether or not the address has an account, so the answer tells nobody who has one. ' +
          'The link lasts 2 hours and leads to the page where the new password is chosen.',
        security: [],
        body: passwordResetRequest,
        response: {
          202: z.null().describe('If the address has an account, a link is on its way'),
          400: problemSchema,
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      await inTransaction(app.db, (trx) => sendPasswordReset(trx, request.body.email, app.clock.now()));
      return reply.status(202).send(null);
    },
  );
}
