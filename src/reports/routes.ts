import type { FastifyInstance } from 'fastify';
import { closePdfs } from './pdf-delivery.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resourceOf, visibleInspection } from '../inspections/access.js';
import { cursorField, keysetApiPage, keysetPageFields } from '../db/keyset-http.js';
import { inspectionRecord } from '../inspections/record.js';
import { authorise } from '../web/access.js';
import { problemResponses, problemSchema } from '../web/problem.js';
import { notFound } from '../refusal.js';
import {
  inspectionTimeline,
  mayFollowReport,
  presentReport,
  readableReport,
  reportWithInspection,
  sendReportPdf,
} from './access.js';
import { PRESUME_ACCURATE, RESPONSE_REMINDER } from './rules.js';
import {
  amendBody,
  decisionBody,
  inspectionTimelineSchema,
  issueBody,
  pointSchema,
  reportSchema,
  reportSummarySchema,
  responseBody,
  responseSchema,
  searchQuery,
} from './schemas.js';
import { decidePoint, remindToRespond, respondToDraft } from './answers.js';
import { amendNarrative, issueDraft } from './drafts.js';
import { finaliseReport, presumeAccurate, publishReport } from './publication.js';
import { REPORT_ORDER, searchPublishedReports, SEARCH_COUNT_LIMIT } from './search.js';
import { findReport, reportOfInspection } from './store.js';

const errors = problemResponses;
const tags = ['reports'];
const idParams = z.object({ id: z.string() });

export async function reportRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  app.deadlineActions.set(RESPONSE_REMINDER, remindToRespond);
  app.deadlineActions.set(PRESUME_ACCURATE, presumeAccurate);
  // The PDF threads belong to this app's database: they end with it.
  app.addHook('onClose', async () => closePdfs(db));

  app.get(
    '/api/reports',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Search published inspection reports (no sign-in needed)',
        security: [],
        querystring: searchQuery.extend({ cursor: cursorField(REPORT_ORDER) }),
        response: {
          200: z.object({
            items: z.array(reportSummarySchema),
            ...keysetPageFields,
            total: z
              .number()
              .int()
              .optional()
              .describe(
                `The number of matches, counted up to ${SEARCH_COUNT_LIMIT}; see totalExact. ` +
                  'Left out on a page reached by cursor',
              ),
            totalExact: z
              .boolean()
              .optional()
              .describe(
                `False when there are more than ${SEARCH_COUNT_LIMIT} matches: total and totalPages stop there ` +
                  '(nextCursor goes on past them). Left out on a page reached by cursor',
              ),
          }),
          400: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { cursor, ...search } = request.query;
      const { result, page } = await keysetApiPage(request.url, reply, REPORT_ORDER, cursor, (paging) =>
        searchPublishedReports(db, { ...search, ...paging }),
      );
      return result.totalExact === null || cursor !== undefined
        ? page
        : { ...page, totalExact: result.totalExact };
    },
  );

  app.get(
    '/api/reports/:id',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'A report: anyone once published; before that the inspectorate and the provider’s own users, with its versions and the provider’s response',
        security: [],
        params: idParams,
        response: { 200: reportSchema, 404: problemSchema },
      },
    },
    async (request) => presentReport(request.person, await readableReport(request, request.params.id)),
  );

  app.get(
    '/api/reports/:id/pdf',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A report as PDF, with the same access as the report',
        description:
          'A published report is public and carries an ETag (If-None-Match gives 304). The PDF is laid out in a worker thread; when every worker is busy and the queue is full the answer is 503 with Retry-After.',
        security: [],
        params: idParams,
        response: { 404: problemSchema, 503: problemSchema },
      },
    },
    async (request, reply) => sendReportPdf(request, reply, request.params.id),
  );

  app.get(
    '/api/inspections/:id/report',
    {
      config: { access: { hidden: 'inspection.read' } },
      schema: {
        tags,
        summary: 'The report of an inspection, once its draft is issued',
        params: idParams,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      const report = await reportOfInspection(db, inspection.id);
      if (!report || !mayFollowReport(request.person, report)) throw notFound();
      return presentReport(request.person, report);
    },
  );

  app.post(
    '/api/inspections/:id/report',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary:
          'Issue the draft report (the inspection team or a manager, after the feedback): version 1, the response deadline, and the provider told',
        params: idParams,
        body: issueBody,
        response: { 201: reportSchema, ...errors },
      },
    },
    async (request, reply) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authorise(request, 'report.issue', resourceOf(inspection));
      const record = await inspectionRecord(db, inspection.id);
      if (!record) throw notFound();
      const id = await issueDraft(db, app.clock, person.id, record, request.body.narrative);
      return reply
        .status(201)
        .header('location', `/api/reports/${id}`)
        .send(presentReport(person, (await findReport(db, id))!));
    },
  );

  app.get(
    '/api/inspections/:id/timeline',
    {
      config: { access: { hidden: 'inspection.read' } },
      schema: {
        tags,
        summary:
          'The steps after an inspection with each deadline under its procedure, and what happened when',
        params: idParams,
        response: { 200: inspectionTimelineSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      return inspectionTimeline(inspection, await reportOfInspection(db, inspection.id));
    },
  );

  app.post(
    '/api/reports/:id/versions',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: 'Amend the narrative of a draft: a new version, the earlier ones kept',
        params: idParams,
        body: amendBody,
        response: { 201: z.object({ id: z.uuid(), version: z.number().int() }), ...errors },
      },
    },
    async (request, reply) => {
      const { report, resource } = await reportWithInspection(request, request.params.id);
      const person = authorise(request, 'report.issue', resource);
      const version = await amendNarrative(db, app.clock, person.id, report.id, request.body);
      return reply.status(201).send({ id: report.id, version });
    },
  );

  app.post(
    '/api/reports/:id/response',
    {
      config: { access: 'report.respond' },
      schema: {
        tags,
        summary:
          'Answer the draft (the provider’s users), by a route its procedure allows, before the deadline: points quoting the report, or a formal complaint',
        params: idParams,
        body: responseBody,
        response: {
          201: responseSchema.extend({
            complaint: z.object({ id: z.uuid(), reference: z.string() }).nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const report = await readableReport(request, request.params.id);
      const person = authorise(request, 'report.respond', { providerId: report.providerId });
      const { response, complaint } = await respondToDraft(db, app.clock, person, report.id, request.body);
      return reply.status(201).send({ ...response, complaint });
    },
  );

  app.post(
    '/api/reports/:id/points/:pointId',
    {
      config: { access: 'report.decide-points' },
      schema: {
        tags,
        summary:
          'Decide a point of the provider’s response (the inspection team or a manager), with the reason; an accepted point may amend the narrative',
        params: z.object({ id: z.string(), pointId: z.string() }),
        body: decisionBody,
        response: { 200: pointSchema, ...errors },
      },
    },
    async (request) => {
      const { report, resource } = await reportWithInspection(request, request.params.id);
      const person = authorise(request, 'report.decide-points', resource);
      return decidePoint(db, app.clock, person.id, report.id, request.params.pointId, request.body);
    },
  );

  app.post(
    '/api/reports/:id/finalise',
    {
      config: { access: 'report.decide-points' },
      schema: {
        tags,
        summary:
          'Finalise the report: refused while a point is undecided, or while the provider may still respond',
        params: idParams,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => {
      const { report, resource } = await reportWithInspection(request, request.params.id);
      const person = authorise(request, 'report.decide-points', resource);
      await finaliseReport(db, app.clock, person.id, report.id);
      return presentReport(person, (await findReport(db, report.id))!);
    },
  );

  app.post(
    '/api/reports/:id/publish',
    {
      config: { access: 'report.publish' },
      schema: {
        tags,
        summary: 'Publish a final report (managers); refused while a complaint about the inspection is open',
        params: idParams,
        response: { 200: reportSchema, ...errors },
      },
    },
    async (request) => {
      const report = await readableReport(request, request.params.id);
      const person = authorise(request, 'report.publish');
      await publishReport(db, app.clock, person.id, report.id);
      return presentReport(person, (await findReport(db, report.id))!);
    },
  );
}
