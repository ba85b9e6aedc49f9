import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatLongDate } from '../calendar/working-days.js';
import { today } from '../clock.js';
import { resourceOf, visibleInspection } from '../inspections/access.js';
import { inspectionRecord } from '../inspections/record.js';
import { findInspection, searchInspections } from '../inspections/store.js';
import { listInspectors } from '../people/store.js';
import { reportOfInspection } from '../reports/store.js';
import { can, providerScope } from '../people/policy.js';
import { hasRole } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formList,
  formNumber,
  formOptional,
  formText,
  idOf,
  postForm,
  savedBanner,
  type FormBody,
  type FormState,
  placeBy,
} from '../web/forms.js';
import { paginationFor, queryString } from '../web/pagination.js';
import { forbidden } from '../web/problem.js';
import { fieldErrorsOf, notFound } from '../refusal.js';
import { templates } from '../web/render.js';
import {
  complaintScope,
  complaintToAct,
  stepAccess,
  presentComplaint,
  takeInComplaint,
  visibleComplaint,
} from './access.js';
import { drawReviewSample, findReview, listReviews, recordReviewFinding } from './reviews.js';
import {
  COMPLAINT_CHANNELS,
  COMPLAINT_OUTCOMES,
  COMPLAINT_STATUSES,
  HANDLING_FINDINGS,
  REMEDIES,
} from './rules.js';
import {
  complaintQuery,
  findingBody,
  groundsBody,
  newComplaintBody,
  newReviewBody,
  noteBody,
  responseBody,
  reviewFindingBody,
  rulingBody,
} from './schemas.js';
import { respondToComplaint } from './close.js';
import {
  decideInternalReview,
  escalateComplaint,
  requestInternalReview,
  ruleOnComplaint,
} from './escalation.js';
import { acknowledgeComplaint, addComplaintNote } from './handling.js';
import { searchComplaints } from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `complaints/views/${name}.njk`;

for (const [name, table] of Object.entries({
  COMPLAINT_STATUSES,
  COMPLAINT_CHANNELS,
  COMPLAINT_OUTCOMES,
  REMEDIES,
  HANDLING_FINDINGS,
})) {
  templates.addGlobal(name, table);
}

const BANNERS: Record<string, string> = {
  raised: 'Your complaint has been sent',
  recorded: 'The complaint has been recorded',
  acknowledged: 'The complaint has been acknowledged and the complainant told',
  note: 'Note added',
  responded: 'The response has been sent and the complaint closed',
  'review-requested': 'The internal review has been asked for',
  'review-decided': 'The internal review’s finding has been sent to the complainant',
  escalated: 'The complaint has been escalated to ICASO',
  ruled: 'Your ruling has been recorded and sent',
  drawn: 'The sample has been drawn',
  finding: 'Your finding has been saved',
};

const bannerFor = (request: FastifyRequest) => savedBanner(request, BANNERS);

export async function complaintPages(app: FastifyInstance) {
  const db = app.db;

  // ---- The list ----

  app.get('/complaints', { ...hidden, config: { access: 'complaints.list' } }, async (request, reply) => {
    const person = authorise(request, 'complaints.list');
    const scope = complaintScope(person);
    const raw: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
      if (typeof value === 'string' && value !== '') raw[name] = value;
    }
    const parsed = complaintQuery.safeParse(raw);
    const query = parsed.success ? parsed.data : complaintQuery.parse({});
    const result = await searchComplaints(db, scope, {
      status: query.status,
      escalated: query.escalated === undefined ? undefined : query.escalated === 'true',
      overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
      page: query.page,
      pageSize: query.pageSize,
    });
    const keep = { status: query.status, escalated: query.escalated, overdue: query.overdue };
    const title =
      scope.kind === 'providers'
        ? 'Your complaints'
        : scope.kind === 'escalated'
          ? 'Complaints escalated to ICASO'
          : 'Complaints';
    return reply.page(view('list'), {
      title,
      scope: scope.kind,
      result,
      search: keep,
      errors: parsed.success ? [] : fieldErrorsOf(parsed.error),
      filtered: Boolean(query.status || query.escalated || query.overdue),
      canRaise:
        hasRole(person, 'complaints') || (hasRole(person, 'provider') && person.providerIds.length > 0),
      raiseText: hasRole(person, 'complaints') ? 'Record a complaint' : 'Make a complaint',
      banner: bannerFor(request),
      pagination: paginationFor(
        result.page,
        result.totalPages,
        (n) => `/complaints${queryString({ ...keep, page: n })}`,
      ),
      from: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
      to: Math.min(result.page * result.pageSize, result.total),
    });
  });

  // ---- Making or recording a complaint ----

  async function newComplaintPage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    const person = requirePerson(request);
    if (!hasRole(person, 'complaints', 'provider')) throw forbidden();
    const staff = hasRole(person, 'complaints');
    const values = (state.posted?.values ?? {}) as FormBody;
    const chosen =
      formOptional(values, 'inspectionId') ?? formOptional(request.query as FormBody, 'inspectionId');
    let inspection = null;
    let choices: { value: string; text: string; selected: boolean }[] = [];
    if (chosen && !state.errors?.some((e) => e.field === 'inspectionId')) {
      inspection = await visibleInspection(request, chosen);
      if (!can(person, 'complaint.raise', { providerId: inspection.provider.id })) throw notFound();
    } else {
      const found = await searchInspections(db, providerScope(person), { page: 1, pageSize: 100 });
      choices = found.items
        .filter(
          (i) => i.status !== 'planned' && can(person, 'complaint.raise', { providerId: i.provider.id }),
        )
        .map((i) => ({
          value: i.id,
          text: `${i.provider.name}: ${i.startDate === i.endDate ? i.startDate : `${i.startDate} to ${i.endDate}`}`,
          selected: i.id === chosen,
        }));
    }
    return reply.page(
      view('new'),
      {
        title: staff ? 'Record a complaint' : 'Make a complaint',
        staff,
        inspection,
        choices,
        values: {
          summary: formText(values, 'summary'),
          channel: formText(values, 'channel'),
          complainantName: formText(values, 'complainantName'),
          complainantEmail: formText(values, 'complainantEmail'),
          receivedOn: state.posted ? formDateParts(values, 'receivedOn') : dateParts(today(app.clock)),
        },
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get('/complaints/new', { ...hidden, config: { access: 'complaint.raise' } }, async (request, reply) =>
    newComplaintPage(request, reply),
  );

  app.post(
    '/complaints/new',
    { ...hidden, config: { access: 'complaint.raise' } },
    async (request, reply) => {
      const person = requirePerson(request);
      const form = request.body as FormBody;
      const staff = hasRole(person, 'complaints');
      const parsed = newComplaintBody.safeParse({
        inspectionId: formOptional(form, 'inspectionId'),
        summary: formText(form, 'summary'),
        ...(staff
          ? {
              channel: formOptional(form, 'channel'),
              complainantName: formOptional(form, 'complainantName'),
              complainantEmail: formOptional(form, 'complainantEmail'),
              receivedOn: formDate(form, 'receivedOn'),
            }
          : {}),
      });
      return postForm(reply, {
        parsed,
        place: placeBy(
          { receivedOn: 'receivedOn-day', channel: 'channel', inspectionId: 'inspectionId' },
          'summary',
        ),
        act: async (data) => {
          const { id } = await takeInComplaint(request, data);
          return `/complaints/${id}?saved=${staff ? 'recorded' : 'raised'}`;
        },
        showAgain: (refused) =>
          newComplaintPage(request, reply, { ...refused, posted: { form: 'new', values: form } }),
      });
    },
  );

  // ---- A complaint ----

  async function complaintPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: FormState = {},
  ) {
    const { complaint, person } = await visibleComplaint(request, id);
    const shown = await presentComplaint(app, person, complaint);
    const actions = new Set(shown.actions);
    const inspectors = actions.has('respond')
      ? (await listInspectors(db)).filter((p) => p.id !== complaint.inspection.leadInspector.id)
      : [];
    const values = (state.posted?.values ?? {}) as FormBody;
    const inspection = await findInspection(db, complaint.inspection.id);
    // What the remedies that change the record offer: the inspection's judgements, its scale, the report.
    const record = actions.has('respond') ? await inspectionRecord(db, complaint.inspection.id) : null;
    const report = actions.has('respond') ? await reportOfInspection(db, complaint.inspection.id) : null;
    const chosenArea = formText(values, 'judgementArea');
    const chosenGrade = formText(values, 'judgementGrade');
    return reply.page(
      view('show'),
      {
        title: `Complaint ${complaint.reference}`,
        complaint: shown,
        actions: Object.fromEntries([...actions].map((a) => [a, true])),
        readsInspection: inspection !== null && can(person, 'inspection.read', resourceOf(inspection)),
        isStaff: hasRole(person, 'complaints', 'manager'),
        isProvider: hasRole(person, 'provider') && !hasRole(person, 'complaints'),
        inspectorItems: [
          { value: '', text: 'Select an inspector', selected: !formText(values, 'reinspectionLead') },
          ...inspectors.map((p) => ({
            value: p.id,
            text: p.name,
            selected: p.id === formText(values, 'reinspectionLead'),
          })),
        ],
        judgementAreaItems: [
          { value: '', text: 'Select a judgement', selected: !chosenArea },
          ...(record?.judgements ?? []).map((j) => ({
            value: j.areaId,
            text: `${j.areaName} (now ${j.gradeLabel.toLowerCase()})`,
            selected: j.areaId === chosenArea,
          })),
        ],
        gradeItems: [
          { value: '', text: 'Select a grade', selected: !chosenGrade },
          ...(record?.gradeScale ?? []).map((g) => ({
            value: g.id,
            text: g.label,
            selected: g.id === chosenGrade,
          })),
        ],
        reportNarrative: report?.narrative ?? null,
        posted: state.posted ?? null,
        values: {
          ...values,
          remedies: formList(values, 'remedies'),
          reinspectionStart: formDateParts(values, 'reinspectionStart'),
          reinspectionEnd: formDateParts(values, 'reinspectionEnd'),
        },
        banner: bannerFor(request),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/complaints/:id',
    { ...hidden, config: { access: { hidden: 'complaint.read' } } },
    async (request, reply) => complaintPage(request, reply, idOf(request)),
  );

  /** A form on the complaint's page: on success back to it with a banner, otherwise the page with errors. */
  function complaintForm<T>(
    path: string,
    step: Parameters<typeof complaintToAct>[2],
    read: (form: FormBody) => z.ZodSafeParseResult<T>,
    fields: Record<string, string>,
    fallback: string,
    act: (personId: string, complaintId: string, data: T) => Promise<unknown>,
    saved: string,
  ) {
    app.post(
      `/complaints/:id/${path}`,
      { ...hidden, config: { access: stepAccess(step) } },
      async (request, reply) => {
        const { complaint, person } = await complaintToAct(request, idOf(request), step);
        const form = (request.body ?? {}) as FormBody;
        return postForm(reply, {
          parsed: read(form),
          place: placeBy(fields, fallback),
          act: async (data) => {
            await act(person.id, complaint.id, data);
            return `/complaints/${complaint.id}?saved=${saved}`;
          },
          showAgain: (refused) =>
            complaintPage(request, reply, complaint.id, { ...refused, posted: { form: path, values: form } }),
        });
      },
    );
  }

  complaintForm(
    'acknowledge',
    'acknowledge',
    (form) => {
      const version = formNumber(form, 'version');
      return { success: true, data: { version: typeof version === 'number' ? version : undefined } } as const;
    },
    {},
    'acknowledge',
    (personId, id, data) => acknowledgeComplaint(db, personId, id, app.clock.now(), data.version),
    'acknowledged',
  );

  complaintForm(
    'notes',
    'note',
    (form) => noteBody.safeParse({ note: formText(form, 'note') }),
    { note: 'note' },
    'note',
    (personId, id, data) => addComplaintNote(db, personId, id, data.note, app.clock.now()),
    'note',
  );

  complaintForm(
    'outcome',
    'respond',
    (form) => {
      const remedies = formList(form, 'remedies');
      const reinspection = remedies.includes('re-inspection')
        ? {
            startDate: formDate(form, 'reinspectionStart'),
            endDate: formDate(form, 'reinspectionEnd'),
            leadInspectorId: formOptional(form, 'reinspectionLead'),
            notice: formOptional(form, 'reinspectionNotice'),
          }
        : null;
      // Browsers send new lines as CRLF; the report keeps them as LF.
      const narrative = formText(form, 'amendmentNarrative')?.replace(/\r\n/g, '\n');
      const amendment = remedies.includes('report-amended')
        ? {
            note: formText(form, 'amendmentNote') ?? '',
            narrative: narrative?.trim() ? narrative : undefined,
          }
        : null;
      const judgement = remedies.includes('judgement-changed')
        ? { areaId: formText(form, 'judgementArea') ?? '', grade: formText(form, 'judgementGrade') ?? '' }
        : null;
      const version = formNumber(form, 'version');
      return responseBody.safeParse({
        outcome: formOptional(form, 'outcome'),
        reasons: formText(form, 'reasons'),
        remedies,
        reinspection,
        amendment,
        judgement,
        version: typeof version === 'number' ? version : undefined,
      });
    },
    {
      outcome: 'outcome',
      reasons: 'reasons',
      remedies: 'remedies',
      'reinspection.startDate': 'reinspectionStart-day',
      'reinspection.endDate': 'reinspectionEnd-day',
      'reinspection.leadInspectorId': 'reinspectionLead',
      'reinspection.notice': 'reinspectionNotice',
      reinspection: 'reinspectionStart-day',
      'amendment.note': 'amendmentNote',
      'amendment.narrative': 'amendmentNarrative',
      amendment: 'amendmentNote',
      'judgement.areaId': 'judgementArea',
      'judgement.grade': 'judgementGrade',
      judgement: 'judgementArea',
    },
    'outcome',
    (personId, id, data) => respondToComplaint(db, personId, id, data, app.clock.now()),
    'responded',
  );

  complaintForm(
    'internal-review',
    'request-review',
    (form) => groundsBody.safeParse({ grounds: formText(form, 'reviewGrounds') }),
    { grounds: 'reviewGrounds' },
    'reviewGrounds',
    (personId, id, data) => requestInternalReview(db, personId, id, data.grounds, app.clock.now()),
    'review-requested',
  );

  complaintForm(
    'internal-review/decision',
    'decide-review',
    (form) =>
      findingBody.safeParse({
        finding: formOptional(form, 'finding'),
        reasons: formText(form, 'findingReasons'),
      }),
    { finding: 'finding', reasons: 'findingReasons' },
    'finding',
    (personId, id, data) => decideInternalReview(db, personId, id, data, app.clock.now()),
    'review-decided',
  );

  complaintForm(
    'escalate',
    'escalate',
    (form) => groundsBody.safeParse({ grounds: formText(form, 'escalationGrounds') }),
    { grounds: 'escalationGrounds' },
    'escalationGrounds',
    (personId, id, data) => escalateComplaint(db, personId, id, data.grounds, app.clock.now()),
    'escalated',
  );

  complaintForm(
    'ruling',
    'rule',
    (form) =>
      rulingBody.safeParse({
        ruling: formOptional(form, 'ruling'),
        reasons: formText(form, 'rulingReasons'),
      }),
    { ruling: 'ruling', reasons: 'rulingReasons' },
    'ruling',
    (personId, id, data) => ruleOnComplaint(db, personId, id, data, app.clock.now()),
    'ruled',
  );

  // ---- The periodic review of closed complaints ----

  async function reviewsPage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    authorise(request, 'complaint-review.conduct');
    const values = (state.posted?.values ?? {}) as FormBody;
    return reply.page(
      view('reviews'),
      {
        title: 'Reviews of closed complaints',
        reviews: await listReviews(db),
        values: {
          from: formDateParts(values, 'from'),
          to: formDateParts(values, 'to'),
          size: formText(values, 'size') ?? '10',
          seed: formText(values, 'seed'),
        },
        banner: bannerFor(request),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/complaint-reviews',
    { ...hidden, config: { access: 'complaint-review.conduct' } },
    async (request, reply) => reviewsPage(request, reply),
  );

  app.post(
    '/complaint-reviews',
    { ...hidden, config: { access: 'complaint-review.conduct' } },
    async (request, reply) => {
      const person = authorise(request, 'complaint-review.conduct');
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: newReviewBody.safeParse({
          from: formDate(form, 'from'),
          to: formDate(form, 'to'),
          size: formNumber(form, 'size'),
          seed: formOptional(form, 'seed'),
        }),
        place: placeBy({ from: 'from-day', to: 'to-day', size: 'size', seed: 'seed' }, 'from-day'),
        act: async (data) => {
          const id = await drawReviewSample(db, person.id, data, app.clock.now());
          return `/complaint-reviews/${id}?saved=drawn`;
        },
        showAgain: (refused) =>
          reviewsPage(request, reply, { ...refused, posted: { form: 'draw', values: form } }),
      });
    },
  );

  app.get(
    '/complaint-reviews/:id',
    { ...hidden, config: { access: 'complaint-review.conduct' } },
    async (request, reply) => {
      authorise(request, 'complaint-review.conduct');
      const review = await findReview(db, idOf(request));
      if (!review) throw notFound();
      return reply.page(view('review'), {
        title: `Sample of complaints closed from ${formatLongDate(review.from)} to ${formatLongDate(review.to)}`,
        review,
        banner: bannerFor(request),
      });
    },
  );

  async function casePage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    authorise(request, 'complaint-review.conduct');
    const { id, n } = request.params as { id: string; n: string };
    const review = /^\d{1,4}$/.test(n) ? await findReview(db, id, Number(n)) : null;
    const found = review?.sample.find((c) => String(c.case) === n);
    if (!review || !found) throw notFound();
    const values = (state.posted?.values ?? {}) as FormBody;
    return reply.page(
      view('review-case'),
      {
        title: `Case ${found.case}`,
        review,
        item: found,
        values: state.posted
          ? { procedureFollowed: formText(values, 'procedureFollowed'), finding: formText(values, 'finding') }
          : {
              procedureFollowed: found.finding ? String(found.finding.procedureFollowed) : undefined,
              finding: found.finding?.finding,
            },
        banner: bannerFor(request),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/complaint-reviews/:id/cases/:n',
    { ...hidden, config: { access: 'complaint-review.conduct' } },
    async (request, reply) => casePage(request, reply),
  );

  app.post(
    '/complaint-reviews/:id/cases/:n',
    { ...hidden, config: { access: 'complaint-review.conduct' } },
    async (request, reply) => {
      const person = authorise(request, 'complaint-review.conduct');
      const { id, n } = request.params as { id: string; n: string };
      const form = request.body as FormBody;
      const followed = formText(form, 'procedureFollowed');
      return postForm(reply, {
        parsed: reviewFindingBody.safeParse({
          case: Number(n),
          procedureFollowed: followed === 'true' ? true : followed === 'false' ? false : undefined,
          finding: formText(form, 'finding'),
        }),
        place: placeBy({ procedureFollowed: 'procedureFollowed', finding: 'finding' }, 'procedureFollowed'),
        act: async (data) => {
          const { case: caseNumber, ...finding } = data;
          await recordReviewFinding(db, person.id, id, caseNumber, finding, app.clock.now());
          return `/complaint-reviews/${id}/cases/${caseNumber}?saved=finding`;
        },
        showAgain: (refused) =>
          casePage(request, reply, { ...refused, posted: { form: 'finding', values: form } }),
      });
    },
  );
}
