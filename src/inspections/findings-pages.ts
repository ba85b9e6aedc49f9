import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  citableGuides,
  citableRegulations,
  frameworkById,
  judgementAreasInForce,
} from '../frameworks/rules.js';
import {
  formDate,
  formDateParts,
  formList,
  formNumber,
  formOptional,
  formText,
  idOf,
  placeOn,
  pointAtDayBoxes,
  postForm,
  type FormBody,
  type FormState,
} from '../web/forms.js';
import { inspectionToRecordOn } from './access.js';
import { giveFeedback } from './feedback.js';
import { addRecommendation, addRequirement, recordErrorPutRight } from './findings.js';
import { giveJudgement } from './judgements.js';
import { FLAW_CONDITIONS } from './rules.js';
import {
  errorPutRightBody,
  feedbackBody,
  judgementBody,
  recommendationBody,
  requirementBody,
} from './schemas.js';
import { hidden, view, workspace, workspaceContext as context } from './workspace.js';

/** The team's pages for what it concludes: judgements, requirements and recommendations, the feedback. */

export function findingsPages(app: FastifyInstance) {
  const db = app.db;

  // ---- Judgements ----

  async function judgementsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    const areaName = (areaId: string) => w.record.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
    const areas = w.record.judgementAreas.map((area) => ({
      ...area,
      judgement: w.record.judgements.find((j) => j.areaId === area.id) ?? null,
    }));
    const gradeLabels = Object.fromEntries(w.record.gradeScale.map((g) => [g.id, g.label]));
    return reply.page(
      view('workspace-judgements'),
      {
        ...context(request, w, 'Judgements', state),
        areas,
        gradeLabels,
        limitedBy: (w.record.overallGrade?.limitedBy ?? []).map(areaName),
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/judgements',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => judgementsPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/judgements',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      const areaId = formOptional(form, 'areaId');
      // Errors are shown on the form for the area, when the area is one of the inspection's.
      const areas = judgementAreasInForce(frameworkById(inspection.framework.id), inspection.startDate);
      const key = areas.some((a) => a.id === areaId) ? areaId : undefined;
      const evidenceIds = formList(form, 'evidenceIds');
      return postForm(reply, {
        parsed: judgementBody.safeParse({
          areaId,
          grade: formOptional(form, 'grade'),
          evidenceIds,
          rationale: formText(form, 'rationale'),
        }),
        place: placeOn(['grade', 'evidenceIds', 'rationale'], key),
        act: async (data) => {
          await giveJudgement(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/judgements?saved=judgement`;
        },
        showAgain: (refused) =>
          judgementsPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `judge-${key}`, values: { ...form, evidenceIds } },
          }),
      });
    },
  );

  // ---- Requirements, recommendations, errors put right ----

  async function findingsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    // Only what this inspection may cite: the provider's type, the framework and the dates decide.
    const citing = {
      providerType: w.record.provider.type,
      frameworkId: w.record.framework.id,
      startDate: w.record.startDate,
      endDate: w.record.endDate,
    };
    const regulationGroups = citableRegulations(citing)
      .map(({ instrument, regulations }) => ({
        label: instrument.title,
        items: regulations.map((r) => ({ value: r.id, text: `Regulation ${r.number}: ${r.title}` })),
      }))
      .filter((group) => group.items.length > 0);
    const guideChoices = Object.fromEntries(citableGuides(citing).map((g) => [g.id, g.title]));
    return reply.page(
      view('workspace-findings'),
      { ...context(request, w, 'Requirements and recommendations', state), regulationGroups, guideChoices },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/findings',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => findingsPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/findings/requirements',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      const evidenceIds = formList(form, 'evidenceIds');
      return postForm(reply, {
        parsed: requirementBody.safeParse({
          regulationId: formOptional(form, 'regulationId'),
          action: formOptional(form, 'action'),
          impact: formOptional(form, 'impact'),
          evidenceIds,
          complyBy: formDate(form, 'complyBy'),
        }),
        place: placeOn(['regulationId', 'action', 'impact', 'evidenceIds', 'complyBy']),
        act: async (data) => {
          await addRequirement(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/findings?saved=requirement`;
        },
        showAgain: ({ status, errors }) =>
          findingsPage(request, reply, inspection.id, {
            status,
            errors: pointAtDayBoxes(errors, ['complyBy']),
            posted: {
              form: 'requirement',
              values: { ...form, evidenceIds, complyBy: formDateParts(form, 'complyBy') },
            },
          }),
      });
    },
  );

  app.post(
    '/inspections/:id/findings/recommendations',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: recommendationBody.safeParse({
          guideId: formOptional(form, 'guideId'),
          page: formNumber(form, 'page'),
          paragraph: formOptional(form, 'paragraph'),
          text: formOptional(form, 'text'),
        }),
        place: placeOn(['guideId', 'page', 'paragraph', 'text']),
        act: async (data) => {
          await addRecommendation(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/findings?saved=recommendation`;
        },
        showAgain: (refused) =>
          findingsPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: 'recommendation', values: form },
          }),
      });
    },
  );

  app.post(
    '/inspections/:id/findings/errors-put-right',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: errorPutRightBody.safeParse({ description: formText(form, 'description') }),
        place: placeOn(['description']),
        act: async (data) => {
          await recordErrorPutRight(db, person.id, inspection.id, data.description);
          return `/inspections/${inspection.id}/findings?saved=error-put-right`;
        },
        showAgain: (refused) =>
          findingsPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: 'error-put-right', values: form },
          }),
      });
    },
  );

  // ---- Check and give feedback ----

  async function feedbackPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    const areaName = (areaId: string) => w.record.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
    const s = w.record.substantiation;
    const requirementNumber = new Map(w.record.requirements.map((r, index) => [r.id, index + 1]));
    return reply.page(
      view('workspace-feedback'),
      {
        ...context(request, w, 'Check your answers before giving feedback', state),
        areas: w.record.judgementAreas.map((area) => ({
          ...area,
          judgement: w.record.judgements.find((j) => j.areaId === area.id) ?? null,
        })),
        limitedBy: (w.record.overallGrade?.limitedBy ?? []).map(areaName),
        substantiation: s,
        unsupported: s.unsupportedRequirements.map((r) => ({ ...r, number: requirementNumber.get(r.id) })),
        warnings: s.flawWarnings.map((warning) => FLAW_CONDITIONS[warning]),
        conductRecorded: w.record.dialogue.some((d) => d.kind === 'conduct-comment'),
        feedback: w.record.dialogue.find((d) => d.kind === 'informal-feedback') ?? null,
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/feedback',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => feedbackPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/feedback',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: feedbackBody.safeParse({
          summary: formText(form, 'summary'),
          acknowledgeWarnings: formList(form, 'acknowledgeWarnings').includes('true'),
        }),
        place: placeOn(['summary', 'acknowledgeWarnings', 'conductComments', 'judgements']),
        act: async (data) => {
          await giveFeedback(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}?saved=feedback`;
        },
        showAgain: (refused) =>
          feedbackPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: 'feedback', values: form },
          }),
      });
    },
  );
}
