import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../fields.js';
import { can } from '../people/policy.js';
import { searchProviders } from '../providers/store.js';
import type { FieldError } from '../refusal.js';
import { authorise, requirePerson } from '../web/access.js';
import { formOptional, formText, postForm, type FormBody } from '../web/forms.js';
import { forbidden } from '../web/problem.js';
import { conflictBody } from './schemas.js';
import { listInspectors } from '../people/store.js';
import { declareConflict, listConflicts } from './store.js';

type Values = Record<string, string | undefined>;

export async function conflictPages(app: FastifyInstance) {
  const db = app.db;

  /** The register, for choosing a provider from a list. */
  async function register() {
    return (await searchProviders(db, { kind: 'all' }, { page: 1, pageSize: 2000 })).items;
  }

  const providerItems = (providers: { id: string; name: string; urn: string }[], current?: string) => [
    { value: '', text: 'Select a provider', selected: !current },
    ...providers.map((p) => ({
      value: p.id,
      text: p.urn ? `${p.name} (${p.urn})` : p.name,
      selected: p.id === current,
    })),
  ];

  async function conflictsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { values?: Values; errors?: FieldError[]; saved?: string | undefined } = {},
    status = 200,
  ) {
    const person = requirePerson(request);
    const readsAll = can(person, 'conflicts.read');
    const declares = can(person, 'conflict.declare');
    if (!readsAll && !declares) throw forbidden();
    const forOthers = can(person, 'conflict.declare-for-others');
    const values = options.values ?? {};
    const [declarations, providers, inspectors] = await Promise.all([
      listConflicts(db, readsAll ? {} : { personId: person.id }),
      declares ? register() : Promise.resolve([]),
      forOthers ? listInspectors(db) : Promise.resolve([]),
    ]);
    return reply.page(
      'conflicts/views/conflicts.njk',
      {
        title: 'Conflicts of interest',
        readsAll,
        declares,
        forOthers,
        declarations,
        values,
        errors: options.errors ?? [],
        saved: options.saved,
        providerItems: providerItems(providers, values.providerId),
        personItems: inspectors.map((p) => ({
          value: p.id,
          text: p.id === person.id ? `${p.name} (you)` : p.name,
          selected: p.id === (values.personId ?? person.id),
        })),
      },
      status,
    );
  }

  app.get(
    '/conflicts',
    { config: { access: ['conflict.declare', 'conflicts.read'] }, schema: { hide: true } },
    async (request, reply) => {
      const query = request.query as { providerId?: string; saved?: string };
      const providerId = query.providerId && isUuid(query.providerId) ? query.providerId : undefined;
      return conflictsPage(request, reply, { values: { providerId }, saved: query.saved });
    },
  );

  app.post(
    '/conflicts',
    { config: { access: 'conflict.declare' }, schema: { hide: true } },
    async (request, reply) => {
      const person = authorise(request, 'conflict.declare');
      const form = request.body as FormBody;
      const values = {
        personId: formOptional(form, 'personId'),
        providerId: formOptional(form, 'providerId'),
        description: formText(form, 'description'),
      };
      const personId = values.personId ?? person.id;
      if (personId !== person.id) authorise(request, 'conflict.declare-for-others');
      return postForm(reply, {
        parsed: conflictBody.safeParse({ ...values, personId }),
        act: async (data) => {
          await declareConflict(db, person.id, { ...data, personId });
          return '/conflicts?saved=declared';
        },
        showAgain: ({ status, errors }) => conflictsPage(request, reply, { values, errors }, status),
      });
    },
  );
}
