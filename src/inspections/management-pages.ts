import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../fields.js';
import { frameworks } from '../frameworks/frameworks.js';
import { frameworkInForce, RuleError } from '../frameworks/rules.js';
import type { ProviderTypeId } from '../frameworks/types.js';
import { can, type Action } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { searchProviders } from '../providers/store.js';
import { authorise, requirePerson } from '../web/access.js';
import {
  formDate,
  formDateParts,
  formErrors,
  formList,
  formNumber,
  formOptional,
  formText,
  pointAtDayBoxes,
  type FormBody,
} from '../web/forms.js';
import { forbidden, problemOf } from '../web/problem.js';
import { fieldErrorsOf, notFound, type FieldError, Refusal } from '../refusal.js';
import {
  canMoveInspection,
  FLAW_CONDITIONS,
  INSPECTION_TYPES,
  isModeratable,
  NOTICE_TYPES,
} from './rules.js';
import { visibleInspection } from './routes.js';
import { conflictBody, incompleteBody, moderationBody, newInspectionBody } from './schemas.js';
import {
  createInspection,
  declareConflict,
  declareIncomplete,
  inspectionRecord,
  listConflicts,
  listInspectors,
  moderateJudgement,
  moveInspection,
  type Inspection,
  type InspectionRecord,
} from './store.js';

/** Short names for the flaw conditions; the conditions' own wording is shown beside them. */
export const FLAW_CONDITION_NAMES: Record<keyof typeof FLAW_CONDITIONS, string> = {
  'unsubstantiated-judgement': 'A judgement is not substantiated',
  'unreliable-evidence': 'The evidence is unreliable',
  'insufficient-evidence': 'There is too little evidence',
};

/** An additional visit comes only from declaring an inspection incomplete, never from planning. */
const PLANNABLE_TYPES = Object.fromEntries(
  Object.entries(INSPECTION_TYPES).filter(([id]) => id !== 'additional-visit'),
);

type Inspector = { id: string; name: string };
type Option = { value: string; text: string; selected?: boolean };
type DateParts = { day?: string | undefined; month?: string | undefined; year?: string | undefined };

const today = () => new Date().toISOString().slice(0, 10);

/** The register, for choosing a provider from a list. */
async function registerOptions(request: FastifyRequest) {
  const result = await searchProviders(request.server.db, { kind: 'all' }, { page: 1, pageSize: 2000 });
  return result.items.map((p) => ({ id: p.id, name: p.name, urn: p.urn, type: p.type as ProviderTypeId }));
}

function select(
  items: { id: string; name: string; urn?: string }[],
  current: string | undefined,
  blank: string,
): Option[] {
  return [
    { value: '', text: blank, selected: !current },
    ...items.map((item) => ({
      value: item.id,
      text: item.urn ? `${item.name} (${item.urn})` : item.name,
      selected: item.id === current,
    })),
  ];
}

/** Checkboxes of inspectors; GOV.UK names the first box after the group and the others `group-2`, `group-3`… */
function inspectorBoxes(
  inspectors: Inspector[],
  chosen: string[],
  hintFor?: (person: Inspector) => string | undefined,
) {
  return inspectors.map((person) => {
    const hint = hintFor?.(person);
    return {
      value: person.id,
      text: person.name,
      checked: chosen.includes(person.id),
      ...(hint ? { hint: { text: hint } } : {}),
    };
  });
}

function boxId(group: string, inspectors: Inspector[], personId: string | undefined): string {
  const index = inspectors.findIndex((p) => p.id === personId);
  return index <= 0 ? group : `${group}-${index + 1}`;
}

/**
 * Points each refusal at the control on the form: dates at their day box, `team.N` at the checkbox of
 * the Nth chosen person; `fields` renames the API's field names to the form's ids.
 */
function onForm(
  errors: FieldError[],
  options: {
    fields?: Record<string, string>;
    team?: { prefix: string; group: string; chosen: string[]; inspectors: Inspector[] };
    order?: string[];
  },
): FieldError[] {
  const mapped = errors.map((error) => {
    const { team } = options;
    if (team && (error.field === team.prefix || error.field.startsWith(`${team.prefix}.`))) {
      // `team` itself is the whole group; `team.N` is the Nth person chosen.
      const index =
        error.field === team.prefix ? undefined : Number(error.field.slice(team.prefix.length + 1));
      const personId = index !== undefined && Number.isInteger(index) ? team.chosen[index] : undefined;
      return { ...error, field: boxId(team.group, team.inspectors, personId) };
    }
    return { ...error, field: options.fields?.[error.field] ?? error.field };
  });
  const order = options.order;
  if (!order) return mapped;
  const rank = (field: string) => {
    const at = order.findIndex((prefix) => field === prefix || field.startsWith(`${prefix}-`));
    return at === -1 ? order.length : at;
  };
  return mapped
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e.field) - rank(b.e.field) || a.i - b.i)
    .map(({ e }) => e);
}

/** A refusal of the whole action (409, or 400 without field errors) as one message against a field. */
function refusalAgainst(error: unknown, field: string): { errors: FieldError[]; status: number } {
  if (!(error instanceof Refusal) || error.kind === 'not-found') throw error;
  const status = problemOf(error).status;
  if (error.errors.length > 0 && error.kind !== 'conflict') return { errors: error.errors, status };
  return { errors: [{ field, message: error.detail }], status };
}

export async function inspectionManagementPages(app: FastifyInstance) {
  const db = app.db;

  /** The inspection, or 404 if hidden from the person; then 403 if their role may not do this to it. */
  async function inspectionFor(
    request: FastifyRequest,
    id: string,
    action: Action,
  ): Promise<{ inspection: Inspection; person: Person }> {
    const inspection = await visibleInspection(request, id);
    const person = authorise(request, action);
    return { inspection, person };
  }

  // ---- Planning ----

  const PLAN_ORDER = [
    'providerId',
    'frameworkId',
    'type',
    'notice',
    'startDate',
    'endDate',
    'leadInspectorId',
    'team',
  ];

  interface PlanValues {
    providerId?: string | undefined;
    frameworkId?: string | undefined;
    type?: string | undefined;
    notice?: string | undefined;
    startDate?: DateParts;
    endDate?: DateParts;
    leadInspectorId?: string | undefined;
    team: string[];
  }

  async function planPage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: PlanValues,
    errors: FieldError[] = [],
    status = 200,
  ) {
    const [providers, inspectors] = await Promise.all([registerOptions(request), listInspectors(db)]);
    const provider = providers.find((p) => p.id === values.providerId);
    const startDate = dateOf(values.startDate);
    // The default framework for the chosen provider: on the first day if given, otherwise today.
    const on = startDate ?? today();
    const frameworkDefault = provider
      ? {
          provider,
          typeLabel: PROVIDER_TYPES[provider.type] ?? provider.type,
          on,
          onFirstDay: Boolean(startDate),
          framework: frameworkInForceOrNull(provider.type, on),
        }
      : null;
    const back =
      provider && values.providerId
        ? { href: `/providers/${provider.id}`, text: `Back to ${provider.name}` }
        : { href: '/inspections', text: 'Back to inspections' };
    return reply.page(
      'inspections/views/plan-inspection.njk',
      {
        title: 'Plan an inspection',
        back,
        values,
        errors: onForm(pointAtDayBoxes(errors, ['startDate', 'endDate']), {
          team: { prefix: 'team', group: 'team', chosen: values.team, inspectors },
          order: PLAN_ORDER,
        }),
        frameworkDefault,
        providerItems: select(providers, values.providerId, 'Select a provider'),
        frameworkItems: [
          { value: '', text: 'In force on the first day', selected: !values.frameworkId },
          ...frameworks.map((f) => ({
            value: f.id,
            text: f.name,
            selected: f.id === values.frameworkId,
          })),
        ],
        typeItems: Object.entries(PLANNABLE_TYPES).map(([value, text]) => ({
          value,
          text,
          checked: value === values.type,
        })),
        noticeItems: Object.entries(NOTICE_TYPES).map(([value, text]) => ({
          value,
          text,
          checked: value === values.notice,
        })),
        leadItems: select(inspectors, values.leadInspectorId, 'Select an inspector'),
        teamItems: inspectorBoxes(inspectors, values.team),
      },
      status,
    );
  }

  app.get('/inspections/new', { schema: { hide: true } }, async (request, reply) => {
    authorise(request, 'inspection.create');
    const providerId = (request.query as { providerId?: string }).providerId;
    return planPage(request, reply, {
      providerId: providerId && isUuid(providerId) ? providerId : undefined,
      type: 'full',
      team: [],
    });
  });

  app.post('/inspections/new', { schema: { hide: true } }, async (request, reply) => {
    const person = authorise(request, 'inspection.create');
    const form = request.body as FormBody;
    const values: PlanValues = {
      providerId: formOptional(form, 'providerId'),
      frameworkId: formOptional(form, 'frameworkId'),
      type: formOptional(form, 'type'),
      notice: formOptional(form, 'notice'),
      startDate: formDateParts(form, 'startDate'),
      endDate: formDateParts(form, 'endDate'),
      leadInspectorId: formOptional(form, 'leadInspectorId'),
      team: formList(form, 'team'),
    };
    const startDate = formDate(form, 'startDate');
    const extra: FieldError[] = [];
    // "In force on the first day": the framework for the provider's type on the start date.
    let frameworkId = values.frameworkId;
    if (!frameworkId && values.providerId && startDate) {
      const provider = (await registerOptions(request)).find((p) => p.id === values.providerId);
      if (provider) {
        const framework = frameworkInForceOrNull(provider.type, startDate);
        if (framework) frameworkId = framework.id;
        else if (isRealDate(startDate)) {
          extra.push({
            field: 'frameworkId',
            message: `No framework for ${(PROVIDER_TYPES[provider.type] ?? provider.type).toLowerCase()} is in force on the first day; select the framework`,
          });
        }
      }
    }
    const parsed = newInspectionBody.safeParse({
      providerId: values.providerId,
      frameworkId: frameworkId ?? '',
      type: values.type,
      notice: values.notice,
      startDate,
      endDate: formDate(form, 'endDate'),
      leadInspectorId: values.leadInspectorId,
      team: values.team,
    });
    if (!parsed.success || extra.length > 0) {
      // Left to the default, the framework is reported only once it can be worked out.
      const errors = parsed.success
        ? []
        : fieldErrorsOf(parsed.error).filter((e) => e.field !== 'frameworkId' || values.frameworkId);
      return planPage(request, reply, values, [...errors, ...extra], 400);
    }
    try {
      const id = await createInspection(db, person.id, parsed.data);
      return reply.redirect(`/inspections/${id}?saved=planned`, 303);
    } catch (error) {
      return planPage(request, reply, values, formErrors(error), 400);
    }
  });

  // ---- Conflicts of interest ----

  async function conflictsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      values?: Record<string, string | undefined>;
      errors?: FieldError[];
      saved?: string | undefined;
    } = {},
    status = 200,
  ) {
    const person = requirePerson(request);
    const readsAll = can(person, 'conflicts.read');
    const declares = can(person, 'conflict.declare');
    if (!readsAll && !declares) throw forbidden();
    const forOthers = can(person, 'conflict.declare-for-others');
    const [declarations, providers, inspectors] = await Promise.all([
      listConflicts(db, readsAll ? {} : { personId: person.id }),
      declares ? registerOptions(request) : Promise.resolve([]),
      forOthers ? listInspectors(db) : Promise.resolve([]),
    ]);
    const values = options.values ?? {};
    return reply.page(
      'inspections/views/conflicts.njk',
      {
        title: 'Conflicts of interest',
        readsAll,
        declares,
        forOthers,
        declarations,
        values,
        errors: options.errors ?? [],
        saved: options.saved,
        providerItems: select(providers, values.providerId, 'Select a provider'),
        personItems: inspectors.map((p) => ({
          value: p.id,
          text: p.id === person.id ? `${p.name} (you)` : p.name,
          selected: p.id === (values.personId ?? person.id),
        })),
      },
      status,
    );
  }

  app.get('/conflicts', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as { providerId?: string; saved?: string };
    const providerId = query.providerId && isUuid(query.providerId) ? query.providerId : undefined;
    return conflictsPage(request, reply, { values: { providerId }, saved: query.saved });
  });

  app.post('/conflicts', { schema: { hide: true } }, async (request, reply) => {
    const person = authorise(request, 'conflict.declare');
    const form = request.body as FormBody;
    const values = {
      personId: formOptional(form, 'personId'),
      providerId: formOptional(form, 'providerId'),
      description: formText(form, 'description'),
    };
    const personId = values.personId ?? person.id;
    if (personId !== person.id) authorise(request, 'conflict.declare-for-others');
    const parsed = conflictBody.safeParse({ ...values, personId });
    if (!parsed.success)
      return conflictsPage(request, reply, { values, errors: fieldErrorsOf(parsed.error) }, 400);
    try {
      await declareConflict(db, person.id, { ...parsed.data, personId });
    } catch (error) {
      return conflictsPage(request, reply, { values, errors: formErrors(error) }, 400);
    }
    return reply.redirect('/conflicts?saved=declared', 303);
  });

  // ---- Moderation and completion ----

  interface ModerationState {
    errors?: FieldError[];
    /** The judgement whose form is shown again, with what was entered. */
    areaId?: string | undefined;
    grade?: string | undefined;
    reason?: string | undefined;
    saved?: string | undefined;
    savedArea?: string | undefined;
  }

  async function moderationPage(
    reply: FastifyReply,
    person: Person,
    id: string,
    state: ModerationState = {},
    status = 200,
  ) {
    const record = await inspectionRecord(db, id);
    if (!record) throw notFound();
    // A refusal because the inspection moved on meanwhile points at the judgements, as its form is gone.
    const shown = (field: string) => {
      const onJudgementForm = field.startsWith('grade-') || field.startsWith('reason-');
      if (onJudgementForm && !isModeratable(record.status)) return 'judgements';
      if (field === 'complete' && record.status !== 'feedback-given') return 'judgements';
      return field;
    };
    return reply.page(
      'inspections/views/manage-moderation.njk',
      {
        title: 'Moderate the inspection',
        ...moderationView(record),
        state,
        errors: (state.errors ?? []).map((e) => ({ ...e, field: shown(e.field) })),
        canDeclareFlawed:
          can(person, 'inspection.declare-flawed') && canMoveInspection(record.status, 'incomplete'),
      },
      status,
    );
  }

  app.get('/inspections/:id/moderation', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { person } = await inspectionFor(request, id, 'inspection.moderate');
    const query = request.query as { saved?: string; area?: string };
    return moderationPage(reply, person, id, { saved: query.saved, savedArea: query.area });
  });

  app.post('/inspections/:id/moderation/:areaId', { schema: { hide: true } }, async (request, reply) => {
    const { id, areaId } = request.params as { id: string; areaId: string };
    const { inspection, person } = await inspectionFor(request, id, 'inspection.moderate');
    const form = request.body as FormBody;
    const state = { areaId, grade: formOptional(form, 'grade'), reason: formText(form, 'reason') };
    const fields = { grade: `grade-${areaId}`, reason: `reason-${areaId}`, version: `grade-${areaId}` };
    const record = await inspectionRecord(db, inspection.id, inspection);
    if (!record?.judgements.some((j) => j.areaId === areaId)) throw notFound();
    const parsed = moderationBody.safeParse({
      grade: state.grade,
      reason: state.reason,
      version: formNumber(form, 'version'),
    });
    if (!parsed.success) {
      return moderationPage(
        reply,
        person,
        id,
        { ...state, errors: onForm(fieldErrorsOf(parsed.error), { fields }) },
        400,
      );
    }
    try {
      await moderateJudgement(db, person.id, inspection.id, areaId, parsed.data);
    } catch (error) {
      const refusal = refusalAgainst(error, 'grade');
      return moderationPage(
        reply,
        person,
        id,
        { ...state, errors: onForm(refusal.errors, { fields }) },
        refusal.status,
      );
    }
    return reply.redirect(
      `/inspections/${inspection.id}/moderation?saved=moderated&area=${encodeURIComponent(areaId)}`,
      303,
    );
  });

  app.post('/inspections/:id/complete', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { inspection, person } = await inspectionFor(request, id, 'inspection.moderate');
    const version = formNumber(request.body as FormBody, 'version');
    try {
      await moveInspection(
        db,
        person.id,
        inspection.id,
        'completed',
        typeof version === 'number' ? version : undefined,
      );
    } catch (error) {
      const refusal = refusalAgainst(error, 'complete');
      return moderationPage(
        reply,
        person,
        id,
        { errors: refusal.errors.map((e) => ({ ...e, field: 'complete' })) },
        refusal.status,
      );
    }
    return reply.redirect(`/inspections/${inspection.id}/moderation?saved=completed`, 303);
  });

  // ---- The flawed-inspection protocol ----

  const INCOMPLETE_FIELDS = {
    'additionalVisit.startDate': 'visitStartDate-day',
    'additionalVisit.endDate': 'visitEndDate-day',
    'additionalVisit.leadInspectorId': 'visitLeadInspectorId',
    // The framework is the inspection's own; whether it is in force turns on the visit's first day.
    'additionalVisit.frameworkId': 'visitStartDate-day',
  };
  const INCOMPLETE_ORDER = [
    'condition',
    'reasons',
    'visitStartDate',
    'visitEndDate',
    'visitLeadInspectorId',
    'visitTeam',
  ];

  interface IncompleteValues {
    condition?: string | undefined;
    reasons?: string | undefined;
    visitStartDate?: DateParts;
    visitEndDate?: DateParts;
    visitLeadInspectorId?: string | undefined;
    visitTeam: string[];
  }

  async function incompletePage(
    reply: FastifyReply,
    inspection: Inspection,
    values: IncompleteValues,
    errors: FieldError[] = [],
    status = 200,
  ) {
    const inspectors = await listInspectors(db);
    const open = canMoveInspection(inspection.status, 'incomplete');
    const onTeam = new Set([inspection.leadInspector.id, ...inspection.team.map((m) => m.id)]);
    return reply.page(
      'inspections/views/manage-incomplete.njk',
      {
        title: 'Declare the inspection incomplete',
        inspection,
        open,
        values,
        // Once the inspection can no longer be declared incomplete the form is gone: the refusal points at why.
        errors: onForm(open ? errors : errors.map((e) => ({ ...e, field: 'status' })), {
          fields: INCOMPLETE_FIELDS,
          team: { prefix: 'additionalVisit.team', group: 'visitTeam', chosen: values.visitTeam, inspectors },
          order: INCOMPLETE_ORDER,
        }),
        conditionItems: Object.entries(FLAW_CONDITION_NAMES).map(([value, text]) => ({
          value,
          text,
          hint: { text: FLAW_CONDITIONS[value as keyof typeof FLAW_CONDITIONS] },
          checked: value === values.condition,
        })),
        leadItems: select(inspectors, values.visitLeadInspectorId, 'Select an inspector').map((o) =>
          onTeam.has(o.value) ? { ...o, text: `${o.text} (on the inspection)` } : o,
        ),
        teamItems: inspectorBoxes(inspectors, values.visitTeam, (p) =>
          onTeam.has(p.id) ? 'On the inspection declared incomplete' : undefined,
        ),
      },
      status,
    );
  }

  app.get('/inspections/:id/incomplete', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { inspection } = await inspectionFor(request, id, 'inspection.declare-flawed');
    return incompletePage(reply, inspection, { visitTeam: [] });
  });

  app.post('/inspections/:id/incomplete', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { inspection, person } = await inspectionFor(request, id, 'inspection.declare-flawed');
    const form = request.body as FormBody;
    const values: IncompleteValues = {
      condition: formOptional(form, 'condition'),
      reasons: formText(form, 'reasons'),
      visitStartDate: formDateParts(form, 'visitStartDate'),
      visitEndDate: formDateParts(form, 'visitEndDate'),
      visitLeadInspectorId: formOptional(form, 'visitLeadInspectorId'),
      visitTeam: formList(form, 'visitTeam'),
    };
    const parsed = incompleteBody.safeParse({
      condition: values.condition,
      reasons: values.reasons,
      additionalVisit: {
        startDate: formDate(form, 'visitStartDate'),
        endDate: formDate(form, 'visitEndDate'),
        leadInspectorId: values.visitLeadInspectorId,
        team: values.visitTeam,
      },
    });
    if (!parsed.success) return incompletePage(reply, inspection, values, fieldErrorsOf(parsed.error), 400);
    try {
      const visitId = await declareIncomplete(db, person.id, inspection.id, parsed.data);
      return reply.redirect(`/inspections/${visitId}?saved=additional-visit`, 303);
    } catch (error) {
      const refusal = refusalAgainst(error, 'condition');
      return incompletePage(reply, inspection, values, refusal.errors, refusal.status);
    }
  });
}

// ---- Helpers for the views ----

function dateOf(parts: DateParts | undefined): string | undefined {
  if (!parts?.day || !parts.month || !parts.year) return undefined;
  const iso = `${parts.year.trim().padStart(4, '0')}-${parts.month.trim().padStart(2, '0')}-${parts.day.trim().padStart(2, '0')}`;
  return isRealDate(iso) ? iso : undefined;
}

function isRealDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso);
}

function frameworkInForceOrNull(type: ProviderTypeId, date: string) {
  try {
    return frameworkInForce(type, date);
  } catch (error) {
    if (error instanceof RuleError) return null;
    throw error;
  }
}

/** What the moderation page shows of the record: each judgement with its evidence and history. */
function moderationView(record: InspectionRecord) {
  const gradeLabel = (id: string) => record.gradeScale.find((g) => g.id === id)?.label ?? id;
  const evidence = new Map(record.evidence.map((e) => [e.id, e]));
  const areaName = (id: string) => record.judgementAreas.find((a) => a.id === id)?.name ?? id;
  return {
    record,
    moderatable: isModeratable(record.status),
    judgements: record.judgements.map((j) => ({
      ...j,
      limiting: record.judgementAreas.find((a) => a.id === j.areaId)?.limiting ?? false,
      evidence: j.evidenceIds.map((id) => evidence.get(id)).filter((e) => e !== undefined),
      history: [...j.history].reverse().map((h) => ({ ...h, gradeLabel: gradeLabel(h.grade) })),
      gradeItems: record.gradeScale.map((g) => ({
        value: g.id,
        text: g.label,
        ...(g.id === j.grade ? { hint: { text: 'The current grade' } } : {}),
      })),
    })),
    limitedBy: (record.overallGrade?.limitedBy ?? []).map(areaName),
    flawWarnings: record.substantiation.flawWarnings.map((w) => FLAW_CONDITIONS[w]),
  };
}
