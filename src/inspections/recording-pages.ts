import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../refusal.js';
import {
  formList,
  formOptional,
  formText,
  idOf,
  placeOn,
  postForm,
  type FormBody,
  type FormState,
} from '../web/forms.js';
import { inspectionToRecordOn } from './access.js';
import {
  closeLineOfEnquiry,
  correctEvidence,
  openLineOfEnquiry,
  recordDialogue,
  recordEvidence,
  resolveConcern,
} from './evidence.js';
import { DIALOGUE_KINDS } from './rules.js';
import {
  closeLineBody,
  dialogueBody,
  evidenceBody,
  evidenceCorrectionBody,
  lineOfEnquiryBody,
  resolutionBody,
} from './schemas.js';
import { hidden, plural, view, workspace, workspaceContext as context } from './workspace.js';

/** The team's pages for what it records on site: evidence, lines of enquiry, professional dialogue. */

function queryText(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

export function recordingPages(app: FastifyInstance) {
  const db = app.db;

  // ---- Evidence ----

  const EVIDENCE_FIELDS = ['source', 'summary', 'childReference', 'lineOfEnquiryId', 'reason'];

  const evidenceFromForm = (form: FormBody) => ({
    source: formOptional(form, 'source'),
    summary: formText(form, 'summary'),
    childReference: formOptional(form, 'childReference') ?? null,
    lineOfEnquiryId: formOptional(form, 'lineOfEnquiryId') ?? null,
  });

  async function evidencePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    const filter = {
      source: queryText(request, 'source'),
      child: queryText(request, 'child'),
      line: queryText(request, 'line'),
    };
    const shown = w.evidence.filter(
      (e) =>
        (!filter.source || e.source === filter.source) &&
        (!filter.child || (e.childReference ?? '').toLowerCase() === filter.child.toLowerCase()) &&
        (!filter.line || e.lineOfEnquiryId === filter.line),
    );
    const filtered = Boolean(filter.source || filter.child || filter.line);
    return reply.page(
      view('workspace-evidence'),
      {
        ...context(request, w, 'Evidence', state),
        filter,
        shown,
        filtered,
        countText: filtered
          ? `Showing ${shown.length} of ${plural(w.evidence.length, 'piece', 'pieces')} of evidence`
          : `${plural(w.evidence.length, 'piece', 'pieces')} of evidence, from ${plural(w.record.substantiation.evidence.sources.length, 'source', 'sources')}`,
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/evidence',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => evidencePage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/evidence',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: evidenceBody.safeParse(evidenceFromForm(form)),
        place: placeOn(EVIDENCE_FIELDS),
        act: async (data) => {
          await recordEvidence(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/evidence?saved=evidence`;
        },
        showAgain: (refused) =>
          evidencePage(request, reply, inspection.id, {
            ...refused,
            posted: { form: 'record', values: form },
          }),
      });
    },
  );

  async function evidenceItemPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    evidenceId: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    const item = w.evidence.find((e) => e.id === evidenceId);
    if (!item) throw notFound();
    return reply.page(
      view('workspace-evidence-item'),
      { ...context(request, w, `Evidence ${item.ref}`, state), item },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/evidence/:evidenceId',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => {
      const { id, evidenceId } = request.params as { id: string; evidenceId: string };
      return evidenceItemPage(request, reply, id, evidenceId);
    },
  );

  app.post(
    '/inspections/:id/evidence/:evidenceId',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { id, evidenceId } = request.params as { id: string; evidenceId: string };
      const { inspection, person } = await inspectionToRecordOn(request, id);
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: evidenceCorrectionBody.safeParse({
          ...evidenceFromForm(form),
          reason: formText(form, 'reason'),
        }),
        place: placeOn(EVIDENCE_FIELDS),
        act: async (data) => {
          await correctEvidence(db, person.id, inspection.id, evidenceId, data);
          return `/inspections/${inspection.id}/evidence/${evidenceId}?saved=corrected`;
        },
        showAgain: (refused) =>
          evidenceItemPage(request, reply, inspection.id, evidenceId, {
            ...refused,
            posted: { form: 'correct', values: form },
          }),
      });
    },
  );

  // ---- Lines of enquiry ----

  async function linesPage(request: FastifyRequest, reply: FastifyReply, id: string, state: FormState = {}) {
    const w = await workspace(request, id);
    const lines = [...w.record.linesOfEnquiry].sort((a, b) => Number(b.open) - Number(a.open));
    const areaNames = Object.fromEntries(w.record.judgementAreas.map((a) => [a.id, a.name]));
    return reply.page(
      view('workspace-lines'),
      { ...context(request, w, 'Lines of enquiry', state), lines, areaNames },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/lines-of-enquiry',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => linesPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/lines-of-enquiry',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: lineOfEnquiryBody.safeParse({
          title: formText(form, 'title'),
          areaId: formOptional(form, 'areaId') ?? null,
        }),
        place: placeOn(['title', 'areaId']),
        act: async (data) => {
          await openLineOfEnquiry(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/lines-of-enquiry?saved=line-opened`;
        },
        showAgain: (refused) =>
          linesPage(request, reply, inspection.id, { ...refused, posted: { form: 'open', values: form } }),
      });
    },
  );

  app.post(
    '/inspections/:id/lines-of-enquiry/:lineId/close',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { id, lineId } = request.params as { id: string; lineId: string };
      const { inspection, person } = await inspectionToRecordOn(request, id);
      const form = request.body as FormBody;
      const evidenceIds = formList(form, 'evidenceIds');
      return postForm(reply, {
        parsed: closeLineBody.safeParse({ conclusion: formText(form, 'conclusion'), evidenceIds }),
        place: placeOn(['conclusion', 'evidenceIds'], lineId),
        act: async (data) => {
          await closeLineOfEnquiry(db, person.id, inspection.id, lineId, data);
          return `/inspections/${inspection.id}/lines-of-enquiry?saved=line-closed`;
        },
        showAgain: (refused) =>
          linesPage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `close-${lineId}`, values: { ...form, evidenceIds } },
          }),
      });
    },
  );

  // ---- Professional dialogue ----

  const DIALOGUE_CHOICES = Object.fromEntries(
    dialogueBody.shape.kind.options.map((kind) => [kind, DIALOGUE_KINDS[kind]]),
  );

  async function dialoguePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    // A concern escalated to a manager is the manager's to settle, on the dialogue log.
    const concerns = w.record.dialogue.filter(
      (d) => d.kind === 'provider-concern' && !d.resolution && !d.escalatedAt,
    );
    return reply.page(
      view('workspace-dialogue'),
      {
        ...context(request, w, 'Professional dialogue', state),
        entries: w.record.dialogue,
        concerns,
        kinds: DIALOGUE_CHOICES,
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/inspections/:id/dialogue',
    { ...hidden, config: { access: { hidden: 'inspection.read-records' } } },
    async (request, reply) => dialoguePage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/dialogue',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: dialogueBody.safeParse({
          kind: formOptional(form, 'kind'),
          summary: formText(form, 'summary'),
          resolution: formOptional(form, 'resolution') ?? null,
        }),
        place: placeOn(['kind', 'summary', 'resolution']),
        act: async (data) => {
          await recordDialogue(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/dialogue?saved=dialogue`;
        },
        showAgain: (refused) =>
          dialoguePage(request, reply, inspection.id, { ...refused, posted: { form: 'log', values: form } }),
      });
    },
  );

  app.post(
    '/inspections/:id/dialogue/:entryId/resolution',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { id, entryId } = request.params as { id: string; entryId: string };
      const { inspection, person } = await inspectionToRecordOn(request, id);
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: resolutionBody.safeParse({ resolution: formText(form, 'resolution') }),
        place: placeOn(['resolution'], entryId),
        act: async (data) => {
          await resolveConcern(db, person.id, inspection.id, entryId, data.resolution);
          return `/inspections/${inspection.id}/dialogue?saved=resolved`;
        },
        showAgain: (refused) =>
          dialoguePage(request, reply, inspection.id, {
            ...refused,
            posted: { form: `resolve-${entryId}`, values: form },
          }),
      });
    },
  );
}
