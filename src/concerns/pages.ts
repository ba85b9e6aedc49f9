import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { today } from '../clock.js';
import { can } from '../people/policy.js';
import { searchProviders } from '../providers/store.js';
import { authorise } from '../web/access.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formNumber,
  formOptional,
  formText,
  idOf,
  postForm,
  savedBanner,
  type FormBody,
} from '../web/forms.js';
import { paginationFor, queryString } from '../web/pagination.js';
import { forbidden } from '../web/problem.js';
import { fieldErrorsOf, notFound, type FieldError } from '../refusal.js';
import { templates } from '../web/render.js';
import { authoriseStaff, PUBLIC_CONCERN_LIMIT, takeInConcern, visibleConcern } from './access.js';
import {
  CONCERN_CHANNELS,
  CONCERN_DECISIONS,
  CONCERN_REFERENCE,
  CONCERN_STATUSES,
  RAISER_RELATIONSHIPS,
  RISK_LEVELS,
  SUMMARY_MAX,
} from './rules.js';
import { assessmentBody, concernQuery, newConcernBody } from './schemas.js';
import { assessConcern, searchConcerns } from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `concerns/views/${name}.njk`;

for (const [name, table] of Object.entries({
  CONCERN_STATUSES,
  CONCERN_CHANNELS,
  CONCERN_DECISIONS,
  RISK_LEVELS,
  RAISER_RELATIONSHIPS,
})) {
  templates.addGlobal(name, table);
}

const BANNERS: Record<string, string> = {
  recorded: 'The concern has been recorded and the planners told',
  assessed: 'Your decision has been recorded',
};

interface FormState {
  status?: number;
  errors?: FieldError[];
  values?: FormBody;
}

/** The form's fields in the order they appear, so that the error summary lists them in that order. */
function inFormOrder(errors: FieldError[], order: string[]): FieldError[] {
  const rank = (field: string) => {
    const index = order.indexOf(field);
    return index === -1 ? order.length : index;
  };
  return [...errors].sort((a, b) => rank(a.field) - rank(b.field));
}

/**
 * Each field a refusal names, against the form's id for it: a date against its day box, and anything the
 * form does not show against `fallback`.
 */
const placeAmong =
  (known: string[], dateFields: string[], fallback: string) =>
  (field: string): string => {
    const id = dateFields.includes(field) ? `${field}-day` : field;
    return known.includes(id) ? id : fallback;
  };

const strings = (query: unknown): Record<string, string> => {
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value.trim() !== '') raw[name] = value.trim();
  }
  return raw;
};

export async function concernPages(app: FastifyInstance) {
  const db = app.db;

  /** Providers on the register matching a planner's search, as radios to choose one from. */
  async function providerChoices(q: string | undefined, chosen: string | undefined) {
    if (!q) return [];
    const found = await searchProviders(db, { kind: 'all' }, { q, page: 1, pageSize: 20 });
    return found.items.map((p) => ({
      value: p.id,
      text: p.name,
      hint: { text: `${p.urn}, ${p.town} ${p.postcode}` },
      checked: p.id === chosen,
    }));
  }

  // ---- The public form ----

  const PUBLIC_FIELDS = [
    'providerName',
    'providerPlace',
    'providerUrn',
    'summary',
    'relationship',
    'raiserName',
    'raiserEmail',
  ];

  async function publicForm(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    const values = state.values ?? {};
    return reply.page(
      view('new'),
      {
        title: 'Raise a concern about a children’s social care provider',
        values: Object.fromEntries(PUBLIC_FIELDS.map((f) => [f, formText(values, f)])),
        summaryMax: SUMMARY_MAX,
        staffMayRecord: can(request.person, 'concern.raise-for-others'),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get('/concerns/new', { ...hidden, config: { access: 'public' } }, async (request, reply) =>
    publicForm(request, reply),
  );

  app.post(
    '/concerns/new',
    { ...hidden, config: { access: 'public', rateLimit: PUBLIC_CONCERN_LIMIT } },
    async (request, reply) => {
      const form = (request.body ?? {}) as FormBody;
      const parsed = newConcernBody.safeParse({
        providerName: formOptional(form, 'providerName'),
        providerPlace: formOptional(form, 'providerPlace'),
        providerUrn: formOptional(form, 'providerUrn'),
        summary: formText(form, 'summary') ?? '',
        relationship: formOptional(form, 'relationship'),
        raiserName: formOptional(form, 'raiserName'),
        raiserEmail: formOptional(form, 'raiserEmail'),
      });
      return postForm(reply, {
        parsed,
        place: placeAmong(PUBLIC_FIELDS, [], 'summary'),
        act: async (data) => {
          // Whoever is signed in, this form takes the concern as a member of the public's.
          const { reference } = await takeInConcern(request, { ...data, channel: undefined });
          return `/concerns/new/sent${queryString({ reference })}`;
        },
        showAgain: ({ status, errors }) =>
          publicForm(request, reply, { status, errors: inFormOrder(errors, PUBLIC_FIELDS), values: form }),
      });
    },
  );

  app.get('/concerns/new/sent', { ...hidden, config: { access: 'public' } }, async (request, reply) => {
    // The page only repeats the reference it is given; it looks nothing up.
    const reference = (request.query as { reference?: unknown }).reference;
    if (typeof reference !== 'string' || !CONCERN_REFERENCE.test(reference)) throw notFound();
    return reply.page(view('sent'), { title: 'Concern sent', reference });
  });

  // ---- Staff recording a call or email ----

  const RECORD_FIELDS = [
    'q',
    'providerId',
    'channel',
    'receivedOn-day',
    'summary',
    'relationship',
    'raiserName',
    'raiserEmail',
  ];

  async function recordForm(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    authorise(request, 'concern.raise-for-others', {}, 'hide');
    const values = state.values ?? {};
    const query = request.query as FormBody;
    const q = formOptional(values, 'q') ?? formOptional(query, 'q');
    const chosen = formOptional(values, 'providerId');
    return reply.page(
      view('record'),
      {
        title: 'Record a concern from a phone call or email',
        q,
        choices: await providerChoices(q, chosen),
        values: {
          channel: formText(values, 'channel'),
          summary: formText(values, 'summary'),
          relationship: formText(values, 'relationship'),
          raiserName: formText(values, 'raiserName'),
          raiserEmail: formText(values, 'raiserEmail'),
          receivedOn: state.values ? formDateParts(values, 'receivedOn') : dateParts(today(app.clock)),
        },
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/concerns/record',
    { ...hidden, config: { access: { hidden: 'concern.raise-for-others' } } },
    async (request, reply) => recordForm(request, reply),
  );

  app.post(
    '/concerns/record',
    { ...hidden, config: { access: { hidden: 'concern.raise-for-others' } } },
    async (request, reply) => {
      authorise(request, 'concern.raise-for-others', {}, 'hide');
      const form = (request.body ?? {}) as FormBody;
      const parsed = newConcernBody.safeParse({
        channel: formOptional(form, 'channel') ?? '',
        providerId: formOptional(form, 'providerId'),
        summary: formText(form, 'summary') ?? '',
        relationship: formOptional(form, 'relationship'),
        raiserName: formOptional(form, 'raiserName'),
        raiserEmail: formOptional(form, 'raiserEmail'),
        receivedOn: formDate(form, 'receivedOn'),
      });
      return postForm(reply, {
        parsed,
        place: placeAmong(RECORD_FIELDS, ['receivedOn'], 'summary'),
        act: async (data) => {
          const { id } = await takeInConcern(request, data);
          return `/concerns/${id}?saved=recorded`;
        },
        showAgain: ({ status, errors }) => {
          // With no search made yet, a missing provider is pointed at the search box.
          const placed = errors.map((e) =>
            e.field === 'providerId' && !formOptional(form, 'q') ? { ...e, field: 'q' } : e,
          );
          return recordForm(request, reply, {
            status,
            errors: inFormOrder(placed, RECORD_FIELDS),
            values: form,
          });
        },
      });
    },
  );

  // ---- The list ----

  app.get(
    '/concerns',
    { ...hidden, config: { access: { hidden: 'concerns.list' } } },
    async (request, reply) => {
      const person = authoriseStaff(request, 'concerns.list');
      const raw = strings(request.query);
      for (const field of ['receivedFrom', 'receivedTo']) {
        const date = formDate(raw, field);
        if (date) raw[field] = date;
      }
      const parsed = concernQuery.safeParse(raw);
      const query = parsed.success ? parsed.data : concernQuery.parse({});
      const result = await searchConcerns(db, query);
      const { page: _p, pageSize: _s, ...kept } = query;
      const keep: Record<string, string | undefined> = { ...kept };
      const period = (field: string) =>
        raw[`${field}-day`] ? formDateParts(raw, field) : dateParts(raw[field]);
      return reply.page(view('list'), {
        title: 'Concerns about providers',
        result,
        search: { ...raw, receivedFrom: period('receivedFrom'), receivedTo: period('receivedTo') },
        errors: parsed.success
          ? []
          : fieldErrorsOf(parsed.error).map((e) =>
              ['receivedFrom', 'receivedTo'].includes(e.field) ? { ...e, field: `${e.field}-day` } : e,
            ),
        filtered: Object.values(keep).some(Boolean),
        canRecord: can(person, 'concern.raise-for-others'),
        banner: savedBanner(request, BANNERS),
        pagination: paginationFor(
          result.page,
          result.totalPages,
          (n) => `/concerns${queryString({ ...keep, page: n })}`,
        ),
        from: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
        to: Math.min(result.page * result.pageSize, result.total),
      });
    },
  );

  // ---- A concern, and its assessment ----

  const ASSESS_FIELDS = ['q', 'providerId', 'riskLevel', 'decision', 'bringForwardTo-day', 'reasons'];

  async function concernPage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    const { person, concern, otherConcerns } = await visibleConcern(request, idOf(request));
    const assess = can(person, 'concern.assess');
    const values = state.values ?? {};
    const q = formOptional(values, 'q') ?? formOptional(request.query as FormBody, 'q');
    const chosen = formOptional(values, 'providerId') ?? concern.provider?.id;
    const choices = assess ? await providerChoices(q, chosen) : [];
    const a = concern.assessment;
    return reply.page(
      view('show'),
      {
        title: `Concern ${concern.reference}`,
        concern,
        otherConcerns,
        assess,
        q,
        choices,
        values: state.values
          ? {
              riskLevel: formText(values, 'riskLevel'),
              decision: formText(values, 'decision'),
              reasons: formText(values, 'reasons'),
              bringForwardTo: formDateParts(values, 'bringForwardTo'),
            }
          : {
              riskLevel: a?.riskLevel,
              decision: a?.decision,
              reasons: a?.reasons,
              bringForwardTo: dateParts(a?.bringForwardTo),
            },
        banner: savedBanner(request, BANNERS),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/concerns/:id',
    { ...hidden, config: { access: { hidden: 'concern.read' } } },
    async (request, reply) => concernPage(request, reply),
  );

  app.post(
    '/concerns/:id/assessment',
    { ...hidden, config: { access: { hidden: 'concern.read', action: 'concern.assess' } } },
    async (request, reply) => {
      const person = authoriseStaff(request, 'concern.read');
      if (!can(person, 'concern.assess')) throw forbidden();
      const form = (request.body ?? {}) as FormBody;
      const decision = formOptional(form, 'decision');
      const version = formNumber(form, 'version');
      const parsed = assessmentBody.safeParse({
        providerId: formOptional(form, 'providerId'),
        riskLevel: formOptional(form, 'riskLevel'),
        decision,
        reasons: formText(form, 'reasons') ?? '',
        // The date boxes are on the page whatever is chosen (no script needed); only bringing forward reads them.
        bringForwardTo: decision === 'bring-forward' ? formDate(form, 'bringForwardTo') : undefined,
        version,
      });
      return postForm(reply, {
        parsed,
        place: placeAmong(ASSESS_FIELDS, ['bringForwardTo'], 'decision'),
        act: async (data) => {
          await assessConcern(db, person.id, idOf(request), data, app.clock.now());
          return `/concerns/${idOf(request)}?saved=assessed`;
        },
        showAgain: ({ status, errors }) => {
          const placed = errors.map((e) =>
            e.field === 'providerId' && !formOptional(form, 'q') && !formOptional(form, 'providerId')
              ? { ...e, field: 'q' }
              : e,
          );
          return concernPage(request, reply, {
            status,
            errors: inFormOrder(placed, ASSESS_FIELDS),
            values: form,
          });
        },
      });
    },
  );
}
