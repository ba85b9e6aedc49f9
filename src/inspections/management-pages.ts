import { serviceDateProblem } from '../calendar/working-days.js';
import { today } from '../clock.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isUuid } from '../fields.js';
import { frameworks } from '../frameworks/frameworks.js';
import { frameworkInForce, RuleError } from '../frameworks/rules.js';
import type { ProviderTypeId } from '../frameworks/types.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { searchProviders } from '../providers/store.js';
import { authorise } from '../web/access.js';
import {
  formDate,
  formDateParts,
  formList,
  formNumber,
  formOptional,
  formText,
  pointAtDayBoxes,
  postForm,
  type FormBody,
} from '../web/forms.js';
import { invalid, notFound, type FieldError } from '../refusal.js';
import { inspectionFor } from './access.js';
import { moderateJudgement, signOffModeration } from './judgements.js';
import { inspectionRecord, type InspectionRecord } from './record.js';
import {
  canMoveInspection,
  FLAW_CONDITIONS,
  INSPECTION_TYPES,
  isModeratable,
  NOTICE_TYPES,
} from './rules.js';
import { incompleteBody, moderationBody, moderationSignOffBody, newInspectionBody } from './schemas.js';
import { createInspection, declareIncomplete, moveInspection, type Inspection } from './store.js';
import { listInspectors } from '../people/store.js';

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

/** The version of the inspection the form was opened on, when it came back as a number. */
const versionForm = z.object({ version: z.number().optional().catch(undefined) });

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

export async function inspectionManagementPages(app: FastifyInstance) {
  const db = app.db;

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
    const on = startDate ?? today(app.clock);
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

  app.get(
    '/inspections/new',
    { config: { access: 'inspection.create' }, schema: { hide: true } },
    async (request, reply) => {
      authorise(request, 'inspection.create');
      const providerId = (request.query as { providerId?: string }).providerId;
      return planPage(request, reply, {
        providerId: providerId && isUuid(providerId) ? providerId : undefined,
        type: 'full',
        team: [],
      });
    },
  );

  app.post(
    '/inspections/new',
    { config: { access: 'inspection.create' }, schema: { hide: true } },
    async (request, reply) => {
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
      return postForm(reply, {
        parsed,
        act: async (data) => {
          if (extra.length > 0) throw invalid(extra);
          return `/inspections/${await createInspection(db, person.id, data, today(app.clock))}?saved=planned`;
        },
        showAgain: ({ status, errors }) => {
          if (parsed.success) return planPage(request, reply, values, errors, status);
          // Left to the default, the framework is reported only once it can be worked out.
          const shown = errors.filter((e) => e.field !== 'frameworkId' || values.frameworkId);
          return planPage(request, reply, values, [...shown, ...extra], status);
        },
      });
    },
  );

  // ---- Moderation and completion ----

  interface ModerationState {
    errors?: FieldError[];
    /** The judgement whose form is shown again, with what was entered. */
    areaId?: string | undefined;
    grade?: string | undefined;
    reason?: string | undefined;
    /** The sign-off form, shown again with what was entered. */
    outcome?: string | undefined;
    waiver?: string | undefined;
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
      if ((field === 'outcome' || field === 'reason') && record.status !== 'feedback-given')
        return 'judgements';
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

  app.get(
    '/inspections/:id/moderation',
    { config: { access: 'inspection.moderate' }, schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { person } = await inspectionFor(request, id, 'inspection.moderate');
      const query = request.query as { saved?: string; area?: string };
      return moderationPage(reply, person, id, { saved: query.saved, savedArea: query.area });
    },
  );

  app.post(
    '/inspections/:id/moderation/:areaId',
    { config: { access: 'inspection.moderate' }, schema: { hide: true } },
    async (request, reply) => {
      const { id, areaId } = request.params as { id: string; areaId: string };
      const { inspection, person } = await inspectionFor(request, id, 'inspection.moderate');
      const form = request.body as FormBody;
      const state = { areaId, grade: formOptional(form, 'grade'), reason: formText(form, 'reason') };
      const fields = { grade: `grade-${areaId}`, reason: `reason-${areaId}`, version: `grade-${areaId}` };
      const record = await inspectionRecord(db, inspection.id, inspection);
      if (!record?.judgements.some((j) => j.areaId === areaId)) throw notFound();
      // A refusal of the whole step (the inspection moved on, or the judgement changed) is shown against the grade.
      const place = (field: string) => fields[(field || 'grade') as keyof typeof fields] ?? field;
      return postForm(reply, {
        parsed: moderationBody.safeParse({
          grade: state.grade,
          reason: state.reason,
          version: formNumber(form, 'version'),
        }),
        place,
        act: async (data) => {
          await moderateJudgement(db, person.id, inspection.id, areaId, data, app.inspectionFollowers);
          return `/inspections/${inspection.id}/moderation?saved=moderated&area=${encodeURIComponent(areaId)}`;
        },
        showAgain: ({ status, errors }) => moderationPage(reply, person, id, { ...state, errors }, status),
      });
    },
  );

  app.post(
    '/inspections/:id/moderation',
    { config: { access: 'inspection.moderate' }, schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { inspection, person } = await inspectionFor(request, id, 'inspection.moderate');
      const form = request.body as FormBody;
      const state = { outcome: formOptional(form, 'outcome'), waiver: formText(form, 'reason') };
      return postForm(reply, {
        parsed: moderationSignOffBody.safeParse({
          outcome: state.outcome,
          reason: state.waiver,
          version: formNumber(form, 'version'),
        }),
        // The step refused as a whole (moved on, or already signed off) is shown against the choice.
        place: (field) => (field === 'reason' ? 'reason' : 'outcome'),
        act: async (data) => {
          await signOffModeration(db, person.id, inspection.id, data);
          return `/inspections/${inspection.id}/moderation?saved=signed-off`;
        },
        showAgain: ({ status, errors }) => moderationPage(reply, person, id, { ...state, errors }, status),
      });
    },
  );

  app.post(
    '/inspections/:id/complete',
    { config: { access: 'inspection.moderate' }, schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { inspection, person } = await inspectionFor(request, id, 'inspection.moderate');
      return postForm(reply, {
        parsed: versionForm.safeParse({ version: formNumber(request.body as FormBody, 'version') }),
        place: () => 'complete',
        act: async ({ version }) => {
          await moveInspection(db, person.id, inspection.id, 'completed', version);
          return `/inspections/${inspection.id}/moderation?saved=completed`;
        },
        showAgain: ({ status, errors }) => moderationPage(reply, person, id, { errors }, status),
      });
    },
  );

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

  app.get(
    '/inspections/:id/incomplete',
    { config: { access: 'inspection.declare-flawed' }, schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { inspection } = await inspectionFor(request, id, 'inspection.declare-flawed');
      return incompletePage(reply, inspection, { visitTeam: [] });
    },
  );

  app.post(
    '/inspections/:id/incomplete',
    { config: { access: 'inspection.declare-flawed' }, schema: { hide: true } },
    async (request, reply) => {
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
      return postForm(reply, {
        parsed,
        // A refusal of the whole step (the inspection moved on meanwhile) is shown against the condition.
        place: (field) => field || 'condition',
        act: async (data) => {
          const visitId = await declareIncomplete(
            db,
            person.id,
            inspection.id,
            data,
            app.inspectionFollowers,
          );
          return `/inspections/${visitId}?saved=additional-visit`;
        },
        showAgain: ({ status, errors }) => incompletePage(reply, inspection, values, errors, status),
      });
    },
  );
}

// ---- Helpers for the views ----

function dateOf(parts: DateParts | undefined): string | undefined {
  if (!parts?.day || !parts.month || !parts.year) return undefined;
  const iso = `${parts.year.trim().padStart(4, '0')}-${parts.month.trim().padStart(2, '0')}-${parts.day.trim().padStart(2, '0')}`;
  return isRealDate(iso) ? iso : undefined;
}

function isRealDate(iso: string): boolean {
  return serviceDateProblem(iso) === null;
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
