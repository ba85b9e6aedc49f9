import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorise } from '../web/access.js';
import { problemResponses } from '../web/problem.js';
import { notFound } from '../refusal.js';
import {
  complaintScope,
  complaintToAct,
  presentComplaint,
  takeInComplaint,
  stepAccess,
  visibleComplaint,
} from './access.js';
import { drawReviewSample, findReview, listReviews, recordReviewFinding } from './reviews.js';
import {
  acknowledgeBody,
  complaintListSchema,
  complaintQuery,
  complaintSchema,
  findingBody,
  groundsBody,
  lateDecisionBody,
  newComplaintBody,
  newReviewBody,
  noteBody,
  responseBody,
  reviewFindingBody,
  reviewListSchema,
  reviewSchema,
  rulingBody,
} from './schemas.js';
import { respondToComplaint } from './close.js';
import {
  decideInternalReview,
  escalateComplaint,
  requestInternalReview,
  ruleOnComplaint,
} from './escalation.js';
import {
  acknowledgeComplaint,
  addComplaintNote,
  complaintDeadlineActions,
  decideLateComplaint,
} from './handling.js';
import { searchComplaints } from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const tags = ['complaints'];

export async function complaintRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  for (const [kind, action] of complaintDeadlineActions) app.deadlineActions.set(kind, action);

  const detail = async (request: FastifyRequest, id: string) => {
    const { complaint, person } = await visibleComplaint(request, id);
    return presentComplaint(app, person, complaint);
  };

  app.get(
    '/api/complaints',
    {
      config: { access: 'complaints.list' },
      schema: {
        tags,
        summary:
          'Complaints the caller may see, newest first: all for complaints staff and managers, escalated ones for the adjudicator, a provider’s own',
        querystring: complaintQuery,
        response: { 200: complaintListSchema, ...errors },
      },
    },
    async (request) => {
      const person = authorise(request, 'complaints.list');
      const { escalated, overdue, late, ...rest } = request.query;
      const flag = (value: 'true' | 'false' | undefined) =>
        value === undefined ? undefined : value === 'true';
      return searchComplaints(db, complaintScope(person), {
        ...rest,
        escalated: flag(escalated),
        overdue: flag(overdue),
        late: flag(late),
      });
    },
  );

  app.post(
    '/api/complaints',
    {
      config: { access: 'complaint.raise' },
      schema: {
        tags,
        summary:
          'Make a complaint about an inspection: a provider through the portal, or complaints staff recording a phone call or email (channel, complainant, day received)',
        body: newComplaintBody,
        response: { 201: complaintSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = await takeInComplaint(request, request.body);
      return reply
        .status(201)
        .header('location', `/api/complaints/${id}`)
        .send(await detail(request, id));
    },
  );

  app.get(
    '/api/complaints/:id',
    {
      config: { access: { hidden: 'complaint.read' } },
      schema: {
        tags,
        summary: 'A complaint, with its investigation notes for the inspectorate and the adjudicator',
        params: idParams,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => detail(request, request.params.id),
  );

  app.post(
    '/api/complaints/:id/acknowledge',
    {
      config: { access: stepAccess('acknowledge') },
      schema: {
        tags,
        summary: 'Acknowledge a complaint (complaints staff)',
        params: idParams,
        body: acknowledgeBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'acknowledge');
      await acknowledgeComplaint(db, person.id, complaint.id, app.clock.now(), request.body?.version);
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/late-decision',
    {
      config: { access: stepAccess('decide-late') },
      schema: {
        tags,
        summary:
          'Decide on a complaint made after its time limit (complaints staff): accepted out of time, or not accepted (which closes it), with the reasons',
        params: idParams,
        body: lateDecisionBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'decide-late');
      await decideLateComplaint(db, person.id, complaint.id, request.body, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/notes',
    {
      config: { access: stepAccess('note') },
      schema: {
        tags,
        summary: 'Add an investigation note (complaints staff)',
        params: idParams,
        body: noteBody,
        response: { 201: z.object({ id: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'note');
      const id = await addComplaintNote(db, person.id, complaint.id, request.body.note, app.clock.now());
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/complaints/:id/outcome',
    {
      config: { access: stepAccess('respond') },
      schema: {
        tags,
        summary:
          'Respond to a complaint and close it: outcome, reasons and remedies, which act in the same transaction (report-amended needs `amendment` and makes a new report version; judgement-changed needs `judgement` and makes a new grade, the overall grade and report following; re-inspection needs `reinspection` and plans it; an apology is sent). Any refusal changes nothing.',
        params: idParams,
        body: responseBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'respond');
      await respondToComplaint(db, person.id, complaint.id, request.body, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/internal-review',
    {
      config: { access: stepAccess('request-review') },
      schema: {
        tags,
        summary:
          'Ask for an internal review of how the complaint was handled (procedures before April 2024; within 15 working days of the response)',
        params: idParams,
        body: groundsBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'request-review');
      await requestInternalReview(db, person.id, complaint.id, request.body.grounds, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/internal-review/decision',
    {
      config: { access: stepAccess('decide-review') },
      schema: {
        tags,
        summary: 'Decide an internal review (complaints staff)',
        params: idParams,
        body: findingBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'decide-review');
      await decideInternalReview(db, person.id, complaint.id, request.body, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/escalate',
    {
      config: { access: stepAccess('escalate') },
      schema: {
        tags,
        summary:
          'Escalate a closed complaint to the independent adjudicator (ICASO): after the internal review where the procedure has one',
        params: idParams,
        body: groundsBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'escalate');
      await escalateComplaint(db, person.id, complaint.id, request.body.grounds, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  app.post(
    '/api/complaints/:id/ruling',
    {
      config: { access: stepAccess('rule') },
      schema: {
        tags,
        summary:
          'ICASO’s ruling on how an escalated complaint was handled; it does not change the inspection',
        params: idParams,
        body: rulingBody,
        response: { 200: complaintSchema, ...errors },
      },
    },
    async (request) => {
      const { complaint, person } = await complaintToAct(request, request.params.id, 'rule');
      await ruleOnComplaint(db, person.id, complaint.id, request.body, app.clock.now());
      return detail(request, complaint.id);
    },
  );

  // ---- The periodic review of closed complaints ----

  const reviewTags = ['complaint reviews'];

  app.get(
    '/api/complaint-reviews',
    {
      config: { access: 'complaint-review.conduct' },
      schema: {
        tags: reviewTags,
        summary: 'Samples of closed complaints drawn for external review (reviewers)',
        response: { 200: reviewListSchema, ...errors },
      },
    },
    async (request) => {
      authorise(request, 'complaint-review.conduct');
      return { items: await listReviews(db) };
    },
  );

  app.post(
    '/api/complaint-reviews',
    {
      config: { access: 'complaint-review.conduct' },
      schema: {
        tags: reviewTags,
        summary:
          'Draw a reproducible random sample of complaints closed in a period (seeded; the seed is recorded)',
        body: newReviewBody,
        response: { 201: reviewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'complaint-review.conduct');
      const id = await drawReviewSample(db, person.id, request.body, app.clock.now());
      return reply
        .status(201)
        .header('location', `/api/complaint-reviews/${id}`)
        .send((await findReview(db, id))!);
    },
  );

  app.get(
    '/api/complaint-reviews/:id',
    {
      config: { access: 'complaint-review.conduct' },
      schema: {
        tags: reviewTags,
        summary: 'A sample with its complaints anonymised, and the findings recorded so far',
        params: idParams,
        response: { 200: reviewSchema, ...errors },
      },
    },
    async (request) => {
      authorise(request, 'complaint-review.conduct');
      const review = await findReview(db, request.params.id);
      if (!review) throw notFound();
      return review;
    },
  );

  app.post(
    '/api/complaint-reviews/:id/findings',
    {
      config: { access: 'complaint-review.conduct' },
      schema: {
        tags: reviewTags,
        summary: 'Record the finding on one case of the sample',
        params: idParams,
        body: reviewFindingBody,
        response: { 200: reviewSchema, ...errors },
      },
    },
    async (request) => {
      const person = authorise(request, 'complaint-review.conduct');
      const { case: caseNumber, ...finding } = request.body;
      await recordReviewFinding(db, person.id, request.params.id, caseNumber, finding, app.clock.now());
      return (await findReview(db, request.params.id))!;
    },
  );
}
