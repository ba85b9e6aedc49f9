import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../people/policy.js';
import {
  formText,
  idOf,
  placeOn,
  postForm,
  savedBanner,
  type FormBody,
  type FormState,
} from '../web/forms.js';
import { dialogueToRead, inspectionFor, leadToEscalate } from './access.js';
import { dialogueLog, escalateConcern, settleConcern } from './dialogue.js';
import { concernOutcomeBody, escalationBody } from './schemas.js';
import { hidden, view } from './workspace.js';

/**
 * The dialogue log as a page: for the inspectorate, and for the provider's users once feedback is given.
 * The lead escalates a concern they cannot resolve from here; a manager records its outcome here.
 */

const BANNERS: Record<string, string> = {
  escalated: 'The concern has been escalated to the managers',
  settled: 'The outcome has been recorded, and the provider and the lead inspector told',
};

export async function dialoguePages(app: FastifyInstance) {
  const db = app.db;

  async function logPage(request: FastifyRequest, reply: FastifyReply, id: string, state: FormState = {}) {
    const { inspection, person } = await dialogueToRead(request, id);
    return reply.page(
      view('dialogue-log'),
      {
        title: 'Professional dialogue log',
        inspection,
        entries: await dialogueLog(db, inspection.id),
        mayEscalate: inspection.leadInspector.id === person.id,
        maySettle: can(person, 'inspection.settle-concern'),
        banner: savedBanner(request, BANNERS),
        errors: state.errors ?? [],
        posted: state.posted ?? null,
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/dialogue-log',
    { ...hidden, config: { access: { hidden: 'inspection.read-dialogue' } } },
    async (request, reply) => logPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/dialogue/:entryId/escalation',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { id, entryId } = request.params as { id: string; entryId: string };
      const { inspection, person } = await leadToEscalate(request, id);
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: escalationBody.safeParse({ reason: formText(form, 'reason') }),
        place: placeOn(['reason'], entryId),
        act: async (data) => {
          await escalateConcern(db, person.id, inspection.id, entryId, data.reason, app.clock.now());
          return `/inspections/${inspection.id}/dialogue-log?saved=escalated`;
        },
        showAgain: (refused) =>
          logPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `escalate-${entryId}`, values: form },
          }),
      });
    },
  );

  app.post(
    '/inspections/:id/dialogue/:entryId/outcome',
    { ...hidden, config: { access: 'inspection.settle-concern' } },
    async (request, reply) => {
      const { id, entryId } = request.params as { id: string; entryId: string };
      const { inspection, person } = await inspectionFor(request, id, 'inspection.settle-concern');
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: concernOutcomeBody.safeParse({ outcome: formText(form, 'outcome') }),
        place: placeOn(['outcome'], entryId),
        act: async (data) => {
          await settleConcern(db, person.id, inspection.id, entryId, data.outcome, app.clock.now());
          return `/inspections/${inspection.id}/dialogue-log?saved=settled`;
        },
        showAgain: (refused) =>
          logPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `settle-${entryId}`, values: form },
          }),
      });
    },
  );
}
