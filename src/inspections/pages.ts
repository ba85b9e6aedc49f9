import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import { frameworks } from '../frameworks/frameworks.js';
import { guides, instruments, regulations } from '../frameworks/regulations.js';
import { frameworkById, isInForce, judgementAreasInForce } from '../frameworks/rules.js';
import { can, providerScope } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
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
  refusalOnForm,
  savedBanner,
  submitForm,
  type FormBody,
  type FormState,
} from '../web/forms.js';
import { fieldErrorsOf, notFound } from '../refusal.js';
import { DIALOGUE_KINDS, FLAW_CONDITIONS, isModeratable, isRecording, MINIMUM_EVIDENCE } from './rules.js';
import { today } from '../clock.js';
import { contactAboutInspection, contactDayFor } from '../day-after/store.js';
import { reportOfInspection } from '../reports/store.js';
import { inspectionToRecordOn, presentRecord, resourceOf, visibleInspection } from './routes.js';
import {
  closeLineBody,
  dialogueBody,
  errorPutRightBody,
  evidenceBody,
  evidenceCorrectionBody,
  feedbackBody,
  inspectionQuery,
  judgementBody,
  lineOfEnquiryBody,
  recommendationBody,
  requirementBody,
  resolutionBody,
} from './schemas.js';
import {
  addRecommendation,
  addRequirement,
  closeLineOfEnquiry,
  correctEvidence,
  giveFeedback,
  giveJudgement,
  inspectionRecord,
  moveInspection,
  openLineOfEnquiry,
  recordDialogue,
  recordErrorPutRight,
  recordEvidence,
  resolveConcern,
  INSPECTION_ORDER,
  searchInspections,
  type Inspection,
  type InspectionRecord,
} from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `inspections/views/${name}.njk`;

/** What the success banner says after each kind of change; the redirect names it with `?saved=`. */
const BANNERS: Record<string, string> = {
  started: 'The inspection has started',
  evidence: 'Evidence recorded',
  corrected: 'Evidence corrected: the earlier version is kept',
  'line-opened': 'Line of enquiry opened',
  'line-closed': 'Line of enquiry closed',
  dialogue: 'Dialogue recorded',
  resolved: 'Resolution of the concern recorded',
  judgement: 'Judgement recorded',
  requirement: 'Requirement added',
  recommendation: 'Recommendation added',
  'error-put-right': 'Error put right recorded',
  feedback: 'Feedback recorded',
  planned: 'The inspection has been planned',
  'additional-visit': 'The inspection has been declared incomplete and this additional visit planned',
};

type Evidence = InspectionRecord['evidence'][number] & { ref: string; lineTitle: string | null };

/** The working records of an inspection as a member of the inspectorate sees them. */
interface Workspace {
  person: Person;
  record: InspectionRecord;
  /** Current evidence, numbered E1, E2… in the order it was first recorded. */
  evidence: Evidence[];
  onTeam: boolean;
  /** On the team, and the team is on site. */
  canRecord: boolean;
}

/** A form sent back: the status to answer, its errors, and which form (for which item) with what was typed. */
const bannerFor = (request: FastifyRequest) => savedBanner(request, BANNERS);

function queryText(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

function numbered(record: InspectionRecord): Evidence[] {
  const titles = new Map(record.linesOfEnquiry.map((l) => [l.id, l.title]));
  return record.evidence.map((e, index) => ({
    ...e,
    ref: `E${index + 1}`,
    lineTitle: e.lineOfEnquiryId ? (titles.get(e.lineOfEnquiryId) ?? null) : null,
  }));
}

/** Validates a converted form, then makes the change; a refusal comes back placed on the form's `fields`. */
const submit = <T>(
  parsed: z.ZodSafeParseResult<T>,
  fields: string[],
  key: string | undefined,
  act: (data: T) => Promise<string>,
) => submitForm(parsed, placeOn(fields, key), act);

/** Whether what a person may see of an inspection includes the working records (the inspectorate only). */
function withRecords(seen: ReturnType<typeof presentRecord>): seen is InspectionRecord {
  return 'evidence' in seen && 'substantiation' in seen;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

type TaskStatus = { text: string; classes?: string } | { tag: { text: string; classes: string } };

/** The team's tasks on the inspection's page, each with where it has got to. */
function tasksFor(record: InspectionRecord) {
  const base = `/inspections/${record.id}`;
  const s = record.substantiation;
  const started = record.status !== 'planned';
  const feedbackGiven = record.dialogue.some((d) => d.kind === 'informal-feedback');
  const conduct = record.dialogue.some((d) => d.kind === 'conduct-comment');
  const graded = record.judgements.length;
  const areas = record.judgementAreas.length;
  const open = s.openLinesOfEnquiry.length;
  const findings = record.requirements.length + record.recommendations.length + record.errorsPutRight.length;

  const completed: TaskStatus = { text: 'Completed' };
  const todo = (text: string): TaskStatus => ({ tag: { text, classes: 'govuk-tag--blue' } });
  const cannotStart: TaskStatus = {
    text: 'Cannot start yet',
    classes: 'govuk-task-list__status--cannot-start-yet',
  };
  const task = (title: string, path: string | null, hint: string, status: TaskStatus) => ({
    title: { text: title },
    href: started && path !== null ? `${base}/${path}` : undefined,
    hint: { text: hint },
    status: started || path === null ? status : cannotStart,
  });

  return [
    task(
      'Start the inspection',
      null,
      started ? 'Inspectors are on site, or have been' : 'When the team arrives at the provider',
      started ? completed : todo('Not yet started'),
    ),
    task(
      'Evidence',
      'evidence',
      `${plural(s.evidence.items, 'piece', 'pieces')} from ${plural(s.evidence.sources.length, 'source', 'sources')}; ` +
        `at least ${MINIMUM_EVIDENCE.items} from ${MINIMUM_EVIDENCE.sources} sources are needed`,
      s.evidenceTooThin ? todo('Incomplete') : { text: 'Enough recorded' },
    ),
    task(
      'Lines of enquiry',
      'lines-of-enquiry',
      `${plural(record.linesOfEnquiry.length, 'line', 'lines')} opened`,
      open > 0 ? todo(`${open} open`) : { text: record.linesOfEnquiry.length ? 'Completed' : 'None opened' },
    ),
    task(
      'Professional dialogue',
      'dialogue',
      conduct
        ? `${plural(record.dialogue.length, 'entry', 'entries')}; the provider’s comments on conduct are recorded`
        : `${plural(record.dialogue.length, 'entry', 'entries')}; record the provider’s comments on conduct before feedback`,
      conduct ? completed : todo('Incomplete'),
    ),
    task(
      'Judgements',
      'judgements',
      `${graded} of ${areas} areas graded`,
      graded === areas ? completed : graded > 0 ? todo('Incomplete') : todo('Not yet started'),
    ),
    task(
      'Requirements and recommendations',
      'findings',
      `${plural(record.requirements.length, 'requirement', 'requirements')}, ${plural(record.recommendations.length, 'recommendation', 'recommendations')}, ${plural(record.errorsPutRight.length, 'error', 'errors')} put right`,
      s.unsupportedRequirements.length > 0
        ? todo('Incomplete')
        : { text: findings ? 'Completed' : 'Optional' },
    ),
    // Feedback rests on judgements: until there is one, there is nothing to check.
    task(
      'Check and give feedback',
      feedbackGiven || graded > 0 ? 'feedback' : null,
      feedbackGiven
        ? 'The informal feedback is recorded'
        : 'Check the judgements and findings stand on the evidence',
      feedbackGiven
        ? completed
        : graded === 0
          ? cannotStart
          : s.flawWarnings.length > 0
            ? { tag: { text: 'Warnings', classes: 'govuk-tag--yellow' } }
            : todo('Not yet started'),
    ),
  ];
}

export async function inspectionPages(app: FastifyInstance) {
  const db = app.db;

  /** The inspection with its working records, or 404 for anyone who may not see them. */
  async function workspace(request: FastifyRequest, id: string): Promise<Workspace> {
    const inspection = await visibleInspection(request, id);
    const person = requirePerson(request);
    const full = await inspectionRecord(db, inspection.id, inspection);
    if (!full) throw notFound();
    const record = presentRecord(person, full);
    // Evidence, lines of enquiry and dialogue are the inspectorate's: for anyone else these pages do not exist.
    if (!withRecords(record)) throw notFound();
    const onTeam = can(person, 'inspection.record', resourceOf(record));
    return {
      person,
      record,
      evidence: numbered(record),
      onTeam,
      canRecord: onTeam && isRecording(record.status),
    };
  }

  function context(request: FastifyRequest, w: Workspace, title: string, state: FormState) {
    return {
      title,
      inspection: w.record,
      evidence: w.evidence,
      evidenceById: Object.fromEntries(w.evidence.map((e) => [e.id, e])),
      canRecord: w.canRecord,
      notRecording: w.onTeam && !w.canRecord,
      banner: bannerFor(request),
      errors: state.errors ?? [],
      posted: state.posted ?? null,
    };
  }

  // ---- The list ----

  app.get('/inspections', hidden, async (request, reply) => {
    const person = authorise(request, 'inspections.list');
    const scope = providerScope(person);
    const raw: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (typeof value === 'string' && value !== '') raw[name] = value;
    }
    // Inspectors start from their own inspections.
    if (raw.mine === undefined && scope.kind === 'all' && hasRole(person, 'inspector')) raw.mine = 'true';
    const parsed = inspectionQuery.safeParse(raw);
    const query = parsed.success ? parsed.data : inspectionQuery.parse({});
    const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
    const { mine, page, pageSize, ...filters } = query;
    // A cursor that cannot be read (an old or cut-off link) starts the list again.
    const result = await searchInspections(db, scope, {
      ...filters,
      page,
      pageSize,
      teamMemberId: mine === 'true' ? person.id : undefined,
      cursor: parsed.success ? cursorOf(INSPECTION_ORDER, raw.cursor) : undefined,
    });
    const keep = {
      status: query.status,
      type: query.type,
      frameworkId: query.frameworkId,
      providerId: query.providerId,
      leadInspectorId: query.leadInspectorId,
      from: query.from,
      to: query.to,
      mine: scope.kind === 'all' ? (mine ?? 'false') : undefined,
    };
    return reply.page(view('workspace-list'), {
      title: scope.kind === 'own' ? 'Your inspections' : 'Inspections',
      search: keep,
      result,
      errors,
      staff: scope.kind === 'all',
      frameworkNames: Object.fromEntries(frameworks.map((f) => [f.id, f.shortName])),
      canCreate: can(person, 'inspection.create'),
      filtered: Boolean(
        query.status || query.type || query.frameworkId || query.providerId || query.from || query.to,
      ),
      pagination: keysetPagination(result, keysetHref('/inspections', keep)),
      ...shownRange(result),
    });
  });

  // ---- The inspection's page ----

  async function inspectionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const inspection = await visibleInspection(request, id);
    const person = requirePerson(request);
    const full = await inspectionRecord(db, inspection.id, inspection);
    if (!full) throw notFound();
    const record = presentRecord(person, full);
    const working = withRecords(record) ? record : null;
    const onTeam = can(person, 'inspection.record', resourceOf(record));
    const areaName = (areaId: string) => record.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
    return reply.page(
      view('workspace-inspection'),
      {
        title: record.provider.name,
        inspection: record,
        working,
        tasks: working ? tasksFor(working) : [],
        warnings:
          working && isRecording(record.status)
            ? working.substantiation.flawWarnings.map((w) => FLAW_CONDITIONS[w])
            : [],
        openLines: working ? working.linesOfEnquiry.filter((l) => l.open) : [],
        limitedBy: (record.overallGrade?.limitedBy ?? []).map(areaName),
        canStart: onTeam && record.status === 'planned',
        canModerate: can(person, 'inspection.moderate') && isModeratable(record.status),
        canSeeProvider: can(person, 'provider.read', { providerId: record.provider.id }),
        forProvider: await whatTheProviderCanDo(person, record),
        banner: bannerFor(request),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  /** For the provider's own users: the call on the day after, the report, and how to complain. */
  async function whatTheProviderCanDo(person: Person, record: Inspection) {
    const resource = { providerId: record.provider.id };
    if (!can(person, 'day-after.raise', resource)) return null;
    const contactDay = contactDayFor(record);
    const contact = await contactAboutInspection(db, record.id);
    const report = await reportOfInspection(db, record.id);
    return {
      contactDay,
      canContactToday: contactDay !== null && contactDay === today(app.clock) && !contact,
      contacted: contact !== null,
      report: report ? { id: report.id, status: report.status } : null,
      canComplain: can(person, 'complaint.raise', resource) && record.status !== 'planned',
    };
  }

  app.get('/inspections/:id', hidden, async (request, reply) =>
    inspectionPage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/start', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const version = Number((request.body as FormBody).version);
    try {
      await moveInspection(
        db,
        person.id,
        inspection.id,
        'on-site',
        Number.isInteger(version) ? version : undefined,
      );
    } catch (error) {
      return inspectionPage(request, reply, inspection.id, refusalOnForm(error, placeOn(['start'])));
    }
    return reply.redirect(`/inspections/${inspection.id}?saved=started`, 303);
  });

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

  app.get('/inspections/:id/evidence', hidden, async (request, reply) =>
    evidencePage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/evidence', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const outcome = await submit(
      evidenceBody.safeParse(evidenceFromForm(form)),
      EVIDENCE_FIELDS,
      undefined,
      async (data) => {
        await recordEvidence(db, person.id, inspection.id, data);
        return `/inspections/${inspection.id}/evidence?saved=evidence`;
      },
    );
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return evidencePage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: 'record', values: form },
    });
  });

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

  app.get('/inspections/:id/evidence/:evidenceId', hidden, async (request, reply) => {
    const { id, evidenceId } = request.params as { id: string; evidenceId: string };
    return evidenceItemPage(request, reply, id, evidenceId);
  });

  app.post('/inspections/:id/evidence/:evidenceId', hidden, async (request, reply) => {
    const { id, evidenceId } = request.params as { id: string; evidenceId: string };
    const { inspection, person } = await inspectionToRecordOn(request, id);
    const form = request.body as FormBody;
    const parsed = evidenceCorrectionBody.safeParse({
      ...evidenceFromForm(form),
      reason: formText(form, 'reason'),
    });
    const outcome = await submit(parsed, EVIDENCE_FIELDS, undefined, async (data) => {
      await correctEvidence(db, person.id, inspection.id, evidenceId, data);
      return `/inspections/${inspection.id}/evidence/${evidenceId}?saved=corrected`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return evidenceItemPage(request, reply, inspection.id, evidenceId, {
      ...outcome,
      posted: { form: 'correct', values: form },
    });
  });

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

  app.get('/inspections/:id/lines-of-enquiry', hidden, async (request, reply) =>
    linesPage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/lines-of-enquiry', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = lineOfEnquiryBody.safeParse({
      title: formText(form, 'title'),
      areaId: formOptional(form, 'areaId') ?? null,
    });
    const outcome = await submit(parsed, ['title', 'areaId'], undefined, async (data) => {
      await openLineOfEnquiry(db, person.id, inspection.id, data);
      return `/inspections/${inspection.id}/lines-of-enquiry?saved=line-opened`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return linesPage(request, reply, inspection.id, { ...outcome, posted: { form: 'open', values: form } });
  });

  app.post('/inspections/:id/lines-of-enquiry/:lineId/close', hidden, async (request, reply) => {
    const { id, lineId } = request.params as { id: string; lineId: string };
    const { inspection, person } = await inspectionToRecordOn(request, id);
    const form = request.body as FormBody;
    const parsed = closeLineBody.safeParse({
      conclusion: formText(form, 'conclusion'),
      evidenceIds: formList(form, 'evidenceIds'),
    });
    const outcome = await submit(parsed, ['conclusion', 'evidenceIds'], lineId, async (data) => {
      await closeLineOfEnquiry(db, person.id, inspection.id, lineId, data);
      return `/inspections/${inspection.id}/lines-of-enquiry?saved=line-closed`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    const values = { ...form, evidenceIds: formList(form, 'evidenceIds') };
    return linesPage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: `close-${lineId}`, values },
    });
  });

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
    const concerns = w.record.dialogue.filter((d) => d.kind === 'provider-concern' && !d.resolution);
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

  app.get('/inspections/:id/dialogue', hidden, async (request, reply) =>
    dialoguePage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/dialogue', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = dialogueBody.safeParse({
      kind: formOptional(form, 'kind'),
      summary: formText(form, 'summary'),
      resolution: formOptional(form, 'resolution') ?? null,
    });
    const outcome = await submit(parsed, ['kind', 'summary', 'resolution'], undefined, async (data) => {
      await recordDialogue(db, person.id, inspection.id, data);
      return `/inspections/${inspection.id}/dialogue?saved=dialogue`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return dialoguePage(request, reply, inspection.id, { ...outcome, posted: { form: 'log', values: form } });
  });

  app.post('/inspections/:id/dialogue/:entryId/resolution', hidden, async (request, reply) => {
    const { id, entryId } = request.params as { id: string; entryId: string };
    const { inspection, person } = await inspectionToRecordOn(request, id);
    const form = request.body as FormBody;
    const parsed = resolutionBody.safeParse({ resolution: formText(form, 'resolution') });
    const outcome = await submit(parsed, ['resolution'], entryId, async (data) => {
      await resolveConcern(db, person.id, inspection.id, entryId, data.resolution);
      return `/inspections/${inspection.id}/dialogue?saved=resolved`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return dialoguePage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: `resolve-${entryId}`, values: form },
    });
  });

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

  app.get('/inspections/:id/judgements', hidden, async (request, reply) =>
    judgementsPage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/judgements', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const areaId = formOptional(form, 'areaId');
    // Errors are shown on the form for the area, when the area is one of the inspection's.
    const areas = judgementAreasInForce(frameworkById(inspection.framework.id), inspection.startDate);
    const key = areas.some((a) => a.id === areaId) ? areaId : undefined;
    const parsed = judgementBody.safeParse({
      areaId,
      grade: formOptional(form, 'grade'),
      evidenceIds: formList(form, 'evidenceIds'),
      rationale: formText(form, 'rationale'),
    });
    const outcome = await submit(parsed, ['grade', 'evidenceIds', 'rationale'], key, async (data) => {
      await giveJudgement(db, person.id, inspection.id, data);
      return `/inspections/${inspection.id}/judgements?saved=judgement`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    const values = { ...form, evidenceIds: formList(form, 'evidenceIds') };
    return judgementsPage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: `judge-${key}`, values },
    });
  });

  // ---- Requirements, recommendations, errors put right ----

  async function findingsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const w = await workspace(request, id);
    const on = w.record.startDate;
    const regulationGroups = instruments
      .map((instrument) => ({
        label: instrument.title,
        items: regulations
          .filter((r) => r.instrumentId === instrument.id && isInForce(r, on))
          .map((r) => ({ value: r.id, text: `Regulation ${r.number}: ${r.title}` })),
      }))
      .filter((group) => group.items.length > 0);
    const guideChoices = Object.fromEntries(
      guides.filter((g) => isInForce(g, on)).map((g) => [g.id, g.title]),
    );
    return reply.page(
      view('workspace-findings'),
      { ...context(request, w, 'Requirements and recommendations', state), regulationGroups, guideChoices },
      state.status ?? 200,
    );
  }

  app.get('/inspections/:id/findings', hidden, async (request, reply) =>
    findingsPage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/findings/requirements', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = requirementBody.safeParse({
      regulationId: formOptional(form, 'regulationId'),
      action: formOptional(form, 'action'),
      impact: formOptional(form, 'impact'),
      evidenceIds: formList(form, 'evidenceIds'),
      complyBy: formDate(form, 'complyBy'),
    });
    const outcome = await submit(
      parsed,
      ['regulationId', 'action', 'impact', 'evidenceIds', 'complyBy'],
      undefined,
      async (data) => {
        await addRequirement(db, person.id, inspection.id, data);
        return `/inspections/${inspection.id}/findings?saved=requirement`;
      },
    );
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    const values = {
      ...form,
      evidenceIds: formList(form, 'evidenceIds'),
      complyBy: formDateParts(form, 'complyBy'),
    };
    return findingsPage(request, reply, inspection.id, {
      status: outcome.status,
      errors: pointAtDayBoxes(outcome.errors, ['complyBy']),
      posted: { form: 'requirement', values },
    });
  });

  app.post('/inspections/:id/findings/recommendations', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = recommendationBody.safeParse({
      guideId: formOptional(form, 'guideId'),
      page: formNumber(form, 'page'),
      paragraph: formOptional(form, 'paragraph'),
      text: formOptional(form, 'text'),
    });
    const outcome = await submit(
      parsed,
      ['guideId', 'page', 'paragraph', 'text'],
      undefined,
      async (data) => {
        await addRecommendation(db, person.id, inspection.id, data);
        return `/inspections/${inspection.id}/findings?saved=recommendation`;
      },
    );
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return findingsPage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: 'recommendation', values: form },
    });
  });

  app.post('/inspections/:id/findings/errors-put-right', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = errorPutRightBody.safeParse({ description: formText(form, 'description') });
    const outcome = await submit(parsed, ['description'], undefined, async (data) => {
      await recordErrorPutRight(db, person.id, inspection.id, data.description);
      return `/inspections/${inspection.id}/findings?saved=error-put-right`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return findingsPage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: 'error-put-right', values: form },
    });
  });

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

  app.get('/inspections/:id/feedback', hidden, async (request, reply) =>
    feedbackPage(request, reply, idOf(request)),
  );

  app.post('/inspections/:id/feedback', hidden, async (request, reply) => {
    const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
    const form = request.body as FormBody;
    const parsed = feedbackBody.safeParse({
      summary: formText(form, 'summary'),
      acknowledgeWarnings: formList(form, 'acknowledgeWarnings').includes('true'),
    });
    const fields = ['summary', 'acknowledgeWarnings', 'conductComments', 'judgements'];
    const outcome = await submit(parsed, fields, undefined, async (data) => {
      await giveFeedback(db, person.id, inspection.id, data);
      return `/inspections/${inspection.id}?saved=feedback`;
    });
    if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
    return feedbackPage(request, reply, inspection.id, {
      ...outcome,
      posted: { form: 'feedback', values: form },
    });
  });
}
