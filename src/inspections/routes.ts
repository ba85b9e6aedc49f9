import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { today } from '../clock.js';
import { cursorField, keysetApiPage, keysetPageFields } from '../db/keyset-http.js';
import { providerScope } from '../people/policy.js';
import { authorise } from '../web/access.js';
import { problemResponses } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { authoriseMove, inspectionToRecordOn, presentRecord, visibleInspection } from './access.js';
import {
  closeLineOfEnquiry,
  correctEvidence,
  openLineOfEnquiry,
  recordDialogue,
  recordEvidence,
  resolveConcern,
} from './evidence.js';
import { DRAFT_REPORT_OVERDUE, FINAL_REPORT_OVERDUE, giveFeedback, reportOverdueAction } from './feedback.js';
import { addRecommendation, addRequirement, recordErrorPutRight } from './findings.js';
import { giveJudgement, moderateJudgement, signOffModeration } from './judgements.js';
import { inspectionRecord } from './record.js';
import {
  closeLineBody,
  dialogueBody,
  errorPutRightBody,
  evidenceBody,
  evidenceCorrectionBody,
  feedbackBody,
  incompleteBody,
  inspectionQuery,
  inspectionRecordSchema,
  inspectionSchema,
  judgementBody,
  lineOfEnquiryBody,
  moderationBody,
  moderationSignOffBody,
  newInspectionBody,
  recommendationBody,
  requirementBody,
  resolutionBody,
  statusBody,
} from './schemas.js';
import {
  createInspection,
  declareIncomplete,
  findInspection,
  INSPECTION_ORDER,
  moveInspection,
  searchInspections,
} from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const created = z.object({ id: z.string(), version: z.number().int().optional() });
const tags = ['inspections'];

export async function inspectionRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  app.deadlineActions.set(DRAFT_REPORT_OVERDUE, reportOverdueAction('draft'));
  app.deadlineActions.set(FINAL_REPORT_OVERDUE, reportOverdueAction('final'));

  app.get(
    '/api/inspections',
    {
      config: { access: 'inspections.list' },
      schema: {
        tags,
        summary:
          'Inspections, newest first, with filters; `mine=true` for those the caller leads or is on; ' +
          'follow nextCursor (or the Link header) for long lists',
        querystring: inspectionQuery.extend({ cursor: cursorField(INSPECTION_ORDER) }),
        response: {
          200: z.object({ items: z.array(inspectionSchema), ...keysetPageFields }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'inspections.list');
      const { mine, cursor, ...filters } = request.query;
      const { page } = await keysetApiPage(request.url, reply, INSPECTION_ORDER, cursor, (paging) =>
        searchInspections(db, providerScope(person), {
          ...filters,
          teamMemberId: mine === 'true' ? person.id : undefined,
          ...paging,
        }),
      );
      return page;
    },
  );

  app.post(
    '/api/inspections',
    {
      config: { access: 'inspection.create' },
      schema: {
        tags,
        summary: 'Plan an inspection (planners and managers)',
        body: newInspectionBody,
        response: { 201: inspectionSchema, ...errors },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'inspection.create');
      const id = await createInspection(db, person.id, request.body, today(app.clock));
      return reply
        .status(201)
        .header('location', `/api/inspections/${id}`)
        .send((await findInspection(db, id))!);
    },
  );

  app.get(
    '/api/inspections/:id',
    {
      config: { access: { hidden: 'inspection.read' } },
      schema: {
        tags,
        summary:
          'An inspection with its judgements, overall grade, findings and (for the inspectorate) evidence, lines of enquiry, dialogue and substantiation',
        params: idParams,
        response: { 200: inspectionRecordSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      const record = await inspectionRecord(db, inspection.id, inspection);
      if (!record) throw notFound();
      return presentRecord(request.person, record);
    },
  );

  app.post(
    '/api/inspections/:id/status',
    {
      config: { access: ['inspection.record', 'inspection.moderate'] },
      schema: {
        tags,
        summary: 'Start (on-site) or complete an inspection',
        params: idParams,
        body: statusBody,
        response: { 200: inspectionSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authoriseMove(request, inspection, request.body.status);
      await moveInspection(db, person.id, inspection.id, request.body.status, request.body.version);
      return (await findInspection(db, inspection.id))!;
    },
  );

  app.post(
    '/api/inspections/:id/evidence',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Record a piece of evidence (the inspection team, on site)',
        params: idParams,
        body: evidenceBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      const id = await recordEvidence(db, person.id, inspection.id, request.body);
      return reply.status(201).send({ id, version: 1 });
    },
  );

  app.post(
    '/api/inspections/:id/evidence/:evidenceId/versions',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Correct a piece of evidence: a new version, the old one kept',
        params: z.object({ id: z.string(), evidenceId: z.string() }),
        body: evidenceCorrectionBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      const version = await correctEvidence(
        db,
        person.id,
        inspection.id,
        request.params.evidenceId,
        request.body,
      );
      return reply.status(201).send({ id: request.params.evidenceId, version });
    },
  );

  app.post(
    '/api/inspections/:id/lines-of-enquiry',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Open a key line of enquiry',
        params: idParams,
        body: lineOfEnquiryBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      return reply
        .status(201)
        .send({ id: await openLineOfEnquiry(db, person.id, inspection.id, request.body) });
    },
  );

  app.post(
    '/api/inspections/:id/lines-of-enquiry/:lineId/close',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Close a line of enquiry with the evidence that answers it',
        params: z.object({ id: z.string(), lineId: z.string() }),
        body: closeLineBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      await closeLineOfEnquiry(db, person.id, inspection.id, request.params.lineId, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/inspections/:id/dialogue',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary:
          'Log professional dialogue: end-of-day meeting, check-in, a concern the provider raised, or the provider’s comments on conduct',
        params: idParams,
        body: dialogueBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      return reply.status(201).send({ id: await recordDialogue(db, person.id, inspection.id, request.body) });
    },
  );

  app.post(
    '/api/inspections/:id/dialogue/:entryId/resolution',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Record how a concern raised by the provider was resolved',
        params: z.object({ id: z.string(), entryId: z.string() }),
        body: resolutionBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      await resolveConcern(db, person.id, inspection.id, request.params.entryId, request.body.resolution);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/inspections/:id/judgements',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Give (or revise) the judgement for an area, resting on recorded evidence',
        params: idParams,
        body: judgementBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      const version = await giveJudgement(db, person.id, inspection.id, request.body);
      return reply.status(201).send({ id: request.body.areaId, version });
    },
  );

  app.post(
    '/api/inspections/:id/judgements/:areaId/moderation',
    {
      config: { access: 'inspection.moderate' },
      schema: {
        tags,
        summary: 'Moderate a judgement (managers): change its grade, with the reason',
        params: z.object({ id: z.string(), areaId: z.string() }),
        body: moderationBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authorise(request, 'inspection.moderate');
      const version = await moderateJudgement(
        db,
        person.id,
        inspection.id,
        request.params.areaId,
        request.body,
        app.inspectionFollowers,
      );
      return reply.status(201).send({ id: request.params.areaId, version });
    },
  );

  app.post(
    '/api/inspections/:id/moderation',
    {
      config: { access: 'inspection.moderate' },
      schema: {
        tags,
        summary:
          'Sign moderation off (managers): done, or waived with a reason; the draft report is issued only after it',
        params: idParams,
        body: moderationSignOffBody,
        response: { 200: inspectionSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authorise(request, 'inspection.moderate');
      await signOffModeration(db, person.id, inspection.id, request.body);
      return (await findInspection(db, inspection.id))!;
    },
  );

  app.post(
    '/api/inspections/:id/requirements',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary:
          'Add a requirement: a regulation, its impact on children, evidence from two or more sources, a compliance date',
        params: idParams,
        body: requirementBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      return reply.status(201).send({ id: await addRequirement(db, person.id, inspection.id, request.body) });
    },
  );

  app.post(
    '/api/inspections/:id/recommendations',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Add a recommendation citing a guide by page and paragraph',
        params: idParams,
        body: recommendationBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      return reply
        .status(201)
        .send({ id: await addRecommendation(db, person.id, inspection.id, request.body) });
    },
  );

  app.post(
    '/api/inspections/:id/errors-put-right',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary: 'Record a minor administrative error put right during the inspection',
        params: idParams,
        body: errorPutRightBody,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      return reply
        .status(201)
        .send({ id: await recordErrorPutRight(db, person.id, inspection.id, request.body.description) });
    },
  );

  app.post(
    '/api/inspections/:id/feedback',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary:
          'Record the informal feedback; refused (422) with each warning until the flaw warnings are acknowledged',
        params: idParams,
        body: feedbackBody,
        response: { 200: inspectionSchema, ...errors },
      },
    },
    async (request) => {
      const { inspection, person } = await inspectionToRecordOn(request, request.params.id);
      await giveFeedback(db, person.id, inspection.id, request.body);
      return (await findInspection(db, inspection.id))!;
    },
  );

  app.post(
    '/api/inspections/:id/incomplete',
    {
      config: { access: 'inspection.declare-flawed' },
      schema: {
        tags,
        summary:
          'Declare an inspection incomplete under the flawed-inspection protocol (managers); plans the additional visit',
        params: idParams,
        body: incompleteBody,
        response: { 201: inspectionSchema, ...errors },
      },
    },
    async (request, reply) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authorise(request, 'inspection.declare-flawed');
      const visitId = await declareIncomplete(
        db,
        person.id,
        inspection.id,
        request.body,
        app.inspectionFollowers,
      );
      return reply
        .status(201)
        .header('location', `/api/inspections/${visitId}`)
        .send((await findInspection(db, visitId))!);
    },
  );
}
