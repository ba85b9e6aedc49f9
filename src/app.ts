import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerAuditChaining } from './audit/chaining.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { complaintPages } from './complaints/pages.js';
import { complaintRoutes } from './complaints/routes.js';
import { dayAfterPages } from './day-after/pages.js';
import { dayAfterRoutes } from './day-after/routes.js';
import { deadlinePages } from './deadlines/pages.js';
import { deadlineRoutes } from './deadlines/routes.js';
import { registerDeadlineActions } from './deadlines/worker.js';
import { reportsFollowInspections } from './reports/follow.js';
import type { Database, Db } from './db/database.js';
import { referencePages } from './frameworks/pages.js';
import { referenceRoutes } from './frameworks/routes.js';
import { csrfBinding, CSRF_COOKIE, registerAuthentication } from './people/authenticate.js';
import { accountPages } from './people/account-pages.js';
import { accountRoutes } from './people/account-routes.js';
import { singleSignOnPages } from './people/oidc-pages.js';
import { peopleAdminPages } from './people/admin-pages.js';
import { peopleAdminRoutes } from './people/admin-routes.js';
import { peoplePages } from './people/pages.js';
import { peopleRoutes } from './people/routes.js';
import { twoFactorPages } from './people/two-factor-pages.js';
import type { Person } from './people/rules.js';
import { providerPages } from './providers/pages.js';
import { providerRoutes } from './providers/routes.js';
import { dialoguePages } from './inspections/dialogue-pages.js';
import { dialogueRoutes } from './inspections/dialogue-routes.js';
import { inspectionManagementPages } from './inspections/management-pages.js';
import { inspectionPages } from './inspections/pages.js';
import { inspectionRoutes } from './inspections/routes.js';
import { conflictPages } from './conflicts/pages.js';
import { conflictRoutes } from './conflicts/routes.js';
import { messagePages } from './messages/pages.js';
import { messageRoutes } from './messages/routes.js';
import { concernPages } from './concerns/pages.js';
import { concernRoutes } from './concerns/routes.js';
import { notificationPages } from './notifications/pages.js';
import { notificationRoutes } from './notifications/routes.js';
import { planningPages } from './planning/pages.js';
import { planningRoutes } from './planning/routes.js';
import { authoritySamplePages } from './planning/sample-pages.js';
import { authoritySampleRoutes } from './planning/sample-routes.js';
import { reportPages } from './reports/pages.js';
import { reportRoutes } from './reports/routes.js';
import { statisticsPages } from './statistics/pages.js';
import { statisticsRoutes } from './statistics/routes.js';
import { isApiRequest, registerRouteAccess, type Access } from './web/access.js';
import { answerFrameworkError, registerErrorHandling, RETRY_AFTER_SECONDS } from './web/errors.js';
import { homeRoutes } from './web/home.js';
import { registerPages } from './web/pages.js';
import { govukFrontendDir } from './web/render.js';
import { problemSchema } from './web/problem.js';
import { registerJsonOnlyApi, registerNoStore } from './web/request-rules.js';
import { registerTextChecks } from './web/text-input.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    database: Database;
    config: Config;
    clock: Clock;
    /** Every route the service answers, with its body schema, for the authorisation matrix test. */
    routeTable: { method: string; url: string; body: unknown; access: Access | undefined }[];
  }
  interface FastifyRequest {
    person: Person | null;
  }
}

export type App = FastifyInstance;

export interface AppOptions {
  config: Config;
  database: Database;
  logger?: FastifyServerOptions['logger'];
  /** Tests move time with a ManualClock. */
  clock?: Clock;
}

/** Builds the whole service: security, sessions, errors, then each capability's routes. */
export async function buildApp({
  config,
  database,
  logger = false,
  clock = systemClock,
}: AppOptions): Promise<App> {
  const app = Fastify({
    logger,
    // 1 MB: far more than any form or API body needs (nothing is uploaded over HTTP), and refused with
    // 413 before it is read any further.
    bodyLimit: 1024 * 1024,
    // Only the proxies named in TRUST_PROXY may say who the client is (X-Forwarded-For).
    // Fastify takes a hop count too (proxy-addr's trust function), though its types leave it out.
    trustProxy: config.trustProxy as boolean | string[],
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routeTable: App['routeTable'] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') {
        routeTable.push({ method, url: route.url, body: route.schema?.body, access: route.config?.access });
      }
    }
  });
  registerRouteAccess(app);
  app.decorate('routeTable', routeTable);
  app.decorate('db', database.db);
  app.decorate('database', database);
  app.decorate('config', config);
  app.decorate('clock', clock);
  registerDeadlineActions(app);
  registerAuditChaining(app);
  // The report follows its inspection's grades and is withdrawn with it (src/inspections/followers.ts).
  app.decorate('inspectionFollowers', reportsFollowInspections(clock));
  app.decorateRequest('person', null);

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.production ? [] : null,
      },
    },
    hsts: config.production,
  });
  await app.register(fastifyCookie, { secret: config.sessionSecret });
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    // A token is good only with the session cookie it was made for (see csrfBinding).
    getUserInfo: csrfBinding,
    csrfOpts: { hmacKey: config.sessionSecret },
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: config.production },
  });
  // Sign-in routes opt in; limits are counted per email and client address once the body is read.
  await app.register(fastifyRateLimit, { global: false, hook: 'preHandler' });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Inspectorate API',
        version: '0.1.0',
        description:
          'Case management for inspecting children’s social care. Errors are application/problem+json ' +
          '(RFC 9457) with a list of {field, message} for invalid requests.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'From POST /api/tokens' } },
      },
      security: [{ bearer: [] }],
    },
    transform: (document) => {
      // Only the JSON API is documented; pages and assets are not part of it.
      if (!document.url.startsWith('/api/'))
        return { schema: { ...document.schema, hide: true }, url: document.url };
      // Answers every API operation can give, whatever its own schema lists: a write's body that is
      // not JSON (415), the database unavailable or a busy PDF pool (503, with Retry-After).
      const response = { ...(document.schema.response as Record<number, unknown> | undefined) };
      if (document.schema.body) response[415] ??= problemSchema;
      response[503] ??= problemSchema;
      return jsonSchemaTransform({ ...document, schema: { ...document.schema, response } });
    },
  });

  await app.register(fastifyStatic, {
    root: [path.join(govukFrontendDir, 'govuk'), path.join(govukFrontendDir, 'govuk/assets')],
    prefix: '/assets/',
    maxAge: config.production ? '1d' : 0,
  });
  await app.register(fastifyStatic, {
    root: path.resolve(import.meta.dirname, 'web/assets'),
    prefix: '/assets/app/',
    decorateReply: false,
  });

  registerPages(app);
  registerErrorHandling(app);
  registerAuthentication(app);
  registerJsonOnlyApi(app);
  registerNoStore(app);

  // Every form post carries a CSRF token; the API takes bearer tokens only, which a browser never sends
  // by itself.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD' || isApiRequest(request)) return done();
    app.csrfProtection(request, reply, done);
  });
  registerTextChecks(app);

  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const reason = await database.whyUnavailable();
    if (reason === null) return { status: 'ok' };
    return reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        status: 503,
        title: 'Unavailable',
        detail: `The database is unavailable: ${reason}.`,
      });
  });

  await app.register(homeRoutes);
  await app.register(peopleRoutes);
  await app.register(peoplePages);
  await app.register(accountRoutes);
  await app.register(accountPages);
  await app.register(singleSignOnPages);
  await app.register(twoFactorPages);
  await app.register(peopleAdminRoutes);
  await app.register(peopleAdminPages);
  await app.register(providerRoutes);
  await app.register(providerPages);
  await app.register(inspectionRoutes);
  await app.register(inspectionPages);
  await app.register(inspectionManagementPages);
  await app.register(dialogueRoutes);
  await app.register(dialoguePages);
  await app.register(conflictRoutes);
  await app.register(conflictPages);
  await app.register(reportRoutes);
  await app.register(reportPages);
  await app.register(referenceRoutes);
  await app.register(referencePages);
  await app.register(complaintRoutes);
  await app.register(complaintPages);
  await app.register(dayAfterRoutes);
  await app.register(dayAfterPages);
  await app.register(messageRoutes);
  await app.register(messagePages);
  await app.register(deadlineRoutes);
  await app.register(deadlinePages);
  await app.register(planningRoutes);
  await app.register(planningPages);
  await app.register(authoritySampleRoutes);
  await app.register(authoritySamplePages);
  await app.register(concernRoutes);
  await app.register(concernPages);
  await app.register(notificationRoutes);
  await app.register(notificationPages);
  await app.register(statisticsRoutes);
  await app.register(statisticsPages);
  await app.register(async (api) => {
    api.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
      app.swagger(),
    );
  });
  return app;
}
