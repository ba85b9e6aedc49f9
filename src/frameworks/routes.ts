import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../web/problem.js';
import { invalid, notFound } from '../refusal.js';
import {
  bankHolidaysOf,
  frameworkDetail,
  frameworkSummaries,
  notificationCategoryReferences,
  procedureReferences,
  regulationsReference,
  thisYear,
  timelineAnswer,
} from './reference.js';
import { RuleError } from './rules.js';
import {
  bankHolidaysQuery,
  bankHolidaysSchema,
  frameworkSchema,
  frameworkSummarySchema,
  notificationCategoriesSchema,
  proceduresSchema,
  regulationsSchema,
  timelineQuery,
  timelineSchema,
} from './schemas.js';

/**
 * The regulator's rules, published: frameworks, procedures, regulations, notification categories and the
 * working-day calendar, through the API (the pages are in pages.ts). They are public facts, so reading
 * them needs no sign-in.
 */

const tags = ['reference'];
/** Public: the OpenAPI document asks for no bearer token on these. */
const security: [] = [];

/** A refusal by the rules, as a 400 naming the field at fault. */
function refused(error: unknown): never {
  if (error instanceof RuleError) throw invalid([{ field: error.field, message: error.message }]);
  throw error;
}

export async function referenceRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/frameworks',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'Inspection frameworks, with their dates and the provider types they cover',
        response: { 200: z.array(frameworkSummarySchema) },
      },
    },
    async () => frameworkSummaries(),
  );

  app.get(
    '/api/frameworks/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'One framework: grade scale with re-inspection intervals, judgement areas and overall rule',
        params: z.object({ id: z.string() }),
        response: { 200: frameworkSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const framework = frameworkDetail(request.params.id);
      if (!framework) {
        throw notFound(`There is no inspection framework '${request.params.id}'.`);
      }
      return framework;
    },
  );

  app.get(
    '/api/regulations',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'Regulations that requirements cite, by instrument, and the guides recommendations cite',
        response: { 200: regulationsSchema },
      },
    },
    async () => regulationsReference(),
  );

  app.get(
    '/api/procedures',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'Post-inspection procedures, oldest first, with their steps and day counts',
        response: { 200: proceduresSchema },
      },
    },
    async () => procedureReferences(),
  );

  app.get(
    '/api/notification-categories',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'Kinds of serious event a children’s home must notify',
        response: { 200: notificationCategoriesSchema },
      },
    },
    async () => notificationCategoryReferences(),
  );

  app.get(
    '/api/bank-holidays',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'Bank holidays in England and Wales in a year',
        querystring: bankHolidaysQuery,
        response: { 200: bankHolidaysSchema, 400: problemSchema },
      },
    },
    async (request) => bankHolidaysOf(request.query.year ?? thisYear()),
  );

  app.get(
    '/api/timeline',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security,
        summary: 'The deadlines after an inspection under a framework, from its last day',
        querystring: timelineQuery,
        response: { 200: timelineSchema, 400: problemSchema },
      },
    },
    async (request) => {
      try {
        return timelineAnswer(request.query.framework, request.query.end);
      } catch (error) {
        refused(error);
      }
    },
  );
}
