import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import { frameworks } from '../frameworks/frameworks.js';
import { can, providerScope } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import { idOf, placeOn, postForm, type FormBody, type FormState } from '../web/forms.js';
import { fieldErrorsOf, notFound } from '../refusal.js';
import { today } from '../clock.js';
import { contactAboutInspection, contactDayFor } from '../day-after/store.js';
import { reportOfInspection } from '../reports/store.js';
import { inspectionToRecordOn, presentRecord, resourceOf, visibleInspection, withRecords } from './access.js';
import { findingsPages } from './findings-pages.js';
import { inspectionRecord, type InspectionRecord } from './record.js';
import { recordingPages } from './recording-pages.js';
import { FLAW_CONDITIONS, isModeratable, isRecording, MINIMUM_EVIDENCE } from './rules.js';
import { inspectionQuery } from './schemas.js';
import { INSPECTION_ORDER, moveInspection, searchInspections, type Inspection } from './store.js';
import { feedbackGiven } from './dialogue.js';
import { bannerFor, hidden, plural, view } from './workspace.js';

/**
 * The inspection's pages: the list, each inspection's page with the team's task list, starting the
 * visit; the team's working pages are in recording-pages.ts and findings-pages.ts.
 */

/** The version of the inspection the start button was shown with; anything else is left unchecked. */
const startForm = z.object({
  version: z.unknown().transform((value) => {
    const version = Number(value);
    return Number.isInteger(version) ? version : undefined;
  }),
});

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

  // ---- The list ----

  app.get('/inspections', { ...hidden, config: { access: 'inspections.list' } }, async (request, reply) => {
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
      readsDialogue: can(person, 'inspection.read-dialogue', {
        ...resource,
        feedbackGiven: await feedbackGiven(db, record.id),
      }),
    };
  }

  app.get(
    '/inspections/:id',
    { ...hidden, config: { access: { hidden: 'inspection.read' } } },
    async (request, reply) => inspectionPage(request, reply, idOf(request)),
  );

  app.post(
    '/inspections/:id/start',
    { ...hidden, config: { access: 'inspection.record' } },
    async (request, reply) => {
      const { inspection, person } = await inspectionToRecordOn(request, idOf(request));
      return postForm(reply, {
        parsed: startForm.safeParse({ version: (request.body as FormBody).version }),
        place: placeOn(['start']),
        act: async ({ version }) => {
          await moveInspection(db, person.id, inspection.id, 'on-site', version);
          return `/inspections/${inspection.id}?saved=started`;
        },
        showAgain: (refused) => inspectionPage(request, reply, inspection.id, refused),
      });
    },
  );

  recordingPages(app);
  findingsPages(app);
}
