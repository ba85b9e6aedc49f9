import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addCalendarDays } from '../calendar/working-days.js';
import { today } from '../clock.js';
import { frameworks } from '../frameworks/frameworks.js';
import { frameworkInForce } from '../frameworks/rules.js';
import type { ProviderTypeId } from '../frameworks/types.js';
import { NOTICE_TYPES } from '../inspections/rules.js';
import { newInspectionBody } from '../inspections/schemas.js';
import { listConflicts } from '../conflicts/store.js';
import { createInspection } from '../inspections/store.js';
import { listInspectors } from '../people/store.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formOptional,
  pointAtDayBoxes,
  postForm,
  savedBanner,
  type FormBody,
} from '../web/forms.js';
import { paginationFor, queryString } from '../web/pagination.js';
import { fieldErrorsOf, notFound, type FieldError } from '../refusal.js';
import { templates } from '../web/render.js';
import { planAccess, planPeriod, plannerOnly, whatIfPeriod } from './access.js';
import { gradeLabel, noticeFor, SIGNAL_KINDS, workloadChart } from './rules.js';
import { planQuery, providerChangeBody, whatIfQuery } from './schemas.js';
import { PROVIDER_CHANGE_KINDS, recordProviderChange } from './changes-store.js';
import { planFor, providerPlan, regionsOnRegister, whatIf } from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `planning/views/${name}.njk`;

templates.addGlobal('SIGNAL_KINDS', SIGNAL_KINDS);
templates.addGlobal('PROVIDER_CHANGE_KINDS', PROVIDER_CHANGE_KINDS);

const BANNERS: Record<string, string> = {
  'change-recorded': 'The change has been recorded; it counts as a risk signal for twelve months',
};

/** The query string's non-empty values, for checking and for keeping in links. */
function queryValues(request: FastifyRequest): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
    if (typeof value === 'string' && value.trim() !== '') raw[name] = value.trim();
  }
  return raw;
}

type Option = { value: string; text: string; selected?: boolean };

export async function planningPages(app: FastifyInstance) {
  const db = app.db;
  // As for the API: before anything else, so that no answer shows a page is there to anyone else.
  app.addHook('preValidation', async (request) => {
    plannerOnly(request);
  });

  // ---- The plan ----

  app.get('/plan', { ...hidden, config: { access: planAccess() } }, async (request, reply) => {
    plannerOnly(request);
    const on = today(app.clock);
    const raw = queryValues(request);
    const parsed = planQuery.safeParse(raw);
    const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
    // A filter that cannot be read is shown with its error, and the plan for the default period beside it.
    const query = parsed.success ? parsed.data : planQuery.parse({});
    const { from, to } = planPeriod(on, query);
    const [result, regions] = await Promise.all([
      planFor(db, {
        from,
        to,
        today: on,
        page: query.page,
        pageSize: query.pageSize,
        type: query.type,
        region: query.region,
      }),
      regionsOnRegister(db),
    ]);
    const keep = { from: raw.from, to: raw.to, type: query.type, region: query.region };
    return reply.page(view('plan'), {
      title: 'Inspection plan',
      today: on,
      period: { from, to },
      values: { from: raw.from ?? from, to: raw.to ?? to, type: query.type, region: query.region },
      errors,
      result,
      typeItems: [
        { value: '', text: 'Any type', selected: !query.type },
        ...Object.entries(PROVIDER_TYPES).map(([value, text]) => ({
          value,
          text,
          selected: value === query.type,
        })),
      ],
      regionItems: [
        { value: '', text: 'Any region', selected: !query.region },
        ...regions.map((r) => ({ value: r, text: r, selected: r === query.region })),
      ],
      filtered: Boolean(raw.from || raw.to || query.type || query.region),
      pagination: paginationFor(
        result.page,
        result.totalPages,
        (n) => `/plan${queryString({ ...keep, page: n })}`,
      ),
      shownFrom: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
      shownTo: Math.min(result.page * result.pageSize, result.total),
    });
  });

  // ---- One provider's plan ----

  async function planOf(request: FastifyRequest, id: string) {
    const plan = await providerPlan(db, id, today(app.clock));
    if (!plan) throw notFound();
    return plan;
  }

  app.get('/plan/providers/:id', { ...hidden, config: { access: planAccess() } }, async (request, reply) => {
    plannerOnly(request);
    const plan = await planOf(request, (request.params as { id: string }).id);
    return reply.page(view('provider'), {
      title: `Plan for ${plan.provider.name}`,
      plan,
      today: today(app.clock),
      banner: savedBanner(request, BANNERS),
      typeLabel: PROVIDER_TYPES[plan.provider.type as keyof typeof PROVIDER_TYPES] ?? plan.provider.type,
    });
  });

  // ---- Planning an inspection from a plan row ----

  interface InspectValues {
    frameworkId?: string | undefined;
    notice?: string | undefined;
    leadInspectorId?: string | undefined;
    startDate?: { day?: string | undefined; month?: string | undefined; year?: string | undefined };
    endDate?: { day?: string | undefined; month?: string | undefined; year?: string | undefined };
  }

  async function inspectPage(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: 'full' | 'monitoring',
    values: InspectValues | null,
    errors: FieldError[] = [],
    status = 200,
  ) {
    const id = (request.params as { id: string }).id;
    const plan = await planOf(request, id);
    const on = today(app.clock);
    const row = plan.rows.find((r) => r.kind === kind) ?? null;
    const [inspectors, conflicts] = await Promise.all([
      listInspectors(db),
      listConflicts(db, { providerId: plan.provider.id }),
    ]);
    // Nobody with a declared conflict with this provider is offered as lead.
    const conflicted = new Set(conflicts.map((c) => c.person.id));
    const eligible = inspectors.filter((p) => !conflicted.has(p.id));
    const type = plan.provider.type as ProviderTypeId;
    const applicable = frameworks.filter((f) => (f.providerTypes as readonly string[]).includes(type));
    const inForce = safeFrameworkInForce(type, row && row.broughtForward > on ? row.broughtForward : on);
    const suggested = row && row.broughtForward > on ? row.broughtForward : on;
    const chosen: InspectValues = values ?? {
      frameworkId: inForce?.id,
      notice: noticeFor(type),
      startDate: dateParts(suggested),
      endDate: dateParts(addCalendarDays(suggested, 2)),
    };
    const leadItems: Option[] = [
      { value: '', text: 'Select an inspector', selected: !chosen.leadInspectorId },
      ...eligible.map((p) => ({ value: p.id, text: p.name, selected: p.id === chosen.leadInspectorId })),
    ];
    return reply.page(
      view('inspect'),
      {
        title: kind === 'monitoring' ? 'Plan a monitoring visit' : 'Plan an inspection',
        plan,
        row,
        kind,
        values: chosen,
        errors: pointAtDayBoxes(errors, ['startDate', 'endDate']),
        conflictedCount: inspectors.length - eligible.length,
        leadItems,
        frameworkItems: [
          { value: '', text: 'Select the framework', selected: !chosen.frameworkId },
          ...applicable.map((f) => ({ value: f.id, text: f.name, selected: f.id === chosen.frameworkId })),
        ],
        noticeItems: Object.entries(NOTICE_TYPES).map(([value, text]) => ({
          value,
          text,
          checked: value === chosen.notice,
        })),
        defaultNotice: NOTICE_TYPES[noticeFor(type)],
      },
      status,
    );
  }

  const kindOf = (request: FastifyRequest): 'full' | 'monitoring' =>
    (request.query as { kind?: string }).kind === 'monitoring' ? 'monitoring' : 'full';

  app.get(
    '/plan/providers/:id/inspect',
    { ...hidden, config: { access: planAccess('inspection.create') } },
    async (request, reply) => {
      plannerOnly(request, 'inspection.create');
      return inspectPage(request, reply, kindOf(request), null);
    },
  );

  app.post(
    '/plan/providers/:id/inspect',
    { ...hidden, config: { access: planAccess('inspection.create') } },
    async (request, reply) => {
      const person = plannerOnly(request, 'inspection.create');
      const id = (request.params as { id: string }).id;
      const plan = await planOf(request, id);
      const form = request.body as FormBody;
      const kind = formOptional(form, 'kind') === 'monitoring' ? 'monitoring' : 'full';
      const values: InspectValues = {
        frameworkId: formOptional(form, 'frameworkId'),
        notice: formOptional(form, 'notice'),
        leadInspectorId: formOptional(form, 'leadInspectorId'),
        startDate: formDateParts(form, 'startDate'),
        endDate: formDateParts(form, 'endDate'),
      };
      // The same checks as planning an inspection from the inspections list.
      const parsed = newInspectionBody.safeParse({
        providerId: plan.provider.id,
        frameworkId: values.frameworkId ?? '',
        type: kind,
        notice: values.notice,
        startDate: formDate(form, 'startDate'),
        endDate: formDate(form, 'endDate'),
        leadInspectorId: values.leadInspectorId,
        team: [],
      });
      return postForm(reply, {
        parsed,
        // A refusal that names no field is told beside the lead inspector.
        place: (field) => field || 'leadInspectorId',
        act: async (data) => {
          const inspectionId = await createInspection(db, person.id, data, today(app.clock));
          return `/inspections/${inspectionId}?saved=planned`;
        },
        showAgain: ({ status, errors }) => inspectPage(request, reply, kind, values, errors, status),
      });
    },
  );

  // ---- Changes of manager or owner ----

  async function changesPage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: { kind?: string | undefined; occurredOn?: object; note?: string | undefined } = {},
    errors: FieldError[] = [],
    status = 200,
  ) {
    const plan = await planOf(request, (request.params as { id: string }).id);
    return reply.page(
      view('changes'),
      {
        title: `Changes of manager or owner: ${plan.provider.name}`,
        plan,
        values,
        errors: pointAtDayBoxes(errors, ['occurredOn']),
        kindItems: Object.entries(PROVIDER_CHANGE_KINDS).map(([value, text]) => ({
          value,
          text,
          checked: value === values.kind,
        })),
      },
      status,
    );
  }

  app.get(
    '/plan/providers/:id/changes',
    { ...hidden, config: { access: planAccess('provider-change.record') } },
    async (request, reply) => {
      plannerOnly(request, 'provider-change.record');
      return changesPage(request, reply);
    },
  );

  app.post(
    '/plan/providers/:id/changes',
    { ...hidden, config: { access: planAccess('provider-change.record') } },
    async (request, reply) => {
      const person = plannerOnly(request, 'provider-change.record');
      const id = (request.params as { id: string }).id;
      const form = request.body as FormBody;
      const values = {
        kind: formOptional(form, 'kind'),
        occurredOn: formDateParts(form, 'occurredOn'),
        note: formOptional(form, 'note'),
      };
      const parsed = providerChangeBody.safeParse({
        kind: values.kind,
        occurredOn: formDate(form, 'occurredOn'),
        note: values.note,
      });
      return postForm(reply, {
        parsed,
        place: (field) => field || 'kind',
        act: async (data) => {
          await recordProviderChange(db, person.id, id, data, today(app.clock));
          return `/plan/providers/${id}?saved=change-recorded`;
        },
        showAgain: ({ status, errors }) => changesPage(request, reply, values, errors, status),
      });
    },
  );

  // ---- What-if ----

  app.get('/plan/what-if', { ...hidden, config: { access: planAccess() } }, async (request, reply) => {
    plannerOnly(request);
    const on = today(app.clock);
    const raw = queryValues(request);
    const asked = Object.keys(raw).length > 0;
    const parsed = asked ? whatIfQuery.safeParse(raw) : null;
    const errors = parsed && !parsed.success ? fieldErrorsOf(parsed.error) : [];
    const defaults = whatIfPeriod(on, {});
    let result = null;
    let chart = null;
    if (parsed?.success) {
      const { from, to } = whatIfPeriod(on, parsed.data);
      result = await whatIf(db, { ...parsed.data, from, to, today: on });
      chart = workloadChart(result.months);
    }
    const frameworkId = raw.frameworkId ?? 'ilacs';
    return reply.page(view('what-if'), {
      title: 'What if an interval changed?',
      errors,
      values: {
        frameworkId,
        gradeId: raw.gradeId ?? 'inadequate',
        months: raw.months ?? '',
        from: raw.from ?? defaults.from,
        to: raw.to ?? defaults.to,
      },
      frameworkItems: frameworks.map((f) => ({
        value: f.id,
        text: f.name,
        selected: f.id === frameworkId,
      })),
      gradeItems: uniqueGrades(raw.gradeId ?? 'inadequate'),
      result,
      chart,
      changeText: result
        ? `${gradeLabel(result.change.frameworkId, result.change.gradeId)} under ${frameworks.find((f) => f.id === result.change.frameworkId)?.shortName ?? result.change.frameworkId}: ${result.change.fromMonths} months now, ${result.change.toMonths} months in the what-if`
        : null,
    });
  });
}

/** Every grade id on any scale, once, labelled, for the grade select (the framework is chosen beside it). */
function uniqueGrades(current: string): Option[] {
  const seen = new Map<string, string>();
  for (const f of frameworks) for (const g of f.gradeScale) if (!seen.has(g.id)) seen.set(g.id, g.label);
  return [...seen].map(([value, text]) => ({ value, text, selected: value === current }));
}

function safeFrameworkInForce(type: ProviderTypeId, on: string) {
  try {
    return frameworkInForce(type, on);
  } catch {
    return null;
  }
}
