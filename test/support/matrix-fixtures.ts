import { recordConcern } from '../../src/concerns/store.js';
import type { TestApp } from './app.js';

/**
 * The records the authorisation matrix calls each route on: another provider's, the provider's own, the
 * planned no-notice inspection it must never learn of, an escalated complaint, a published report.
 */

/** Which record a route's parameters name. */
export type On = 'other' | 'own' | 'secret' | 'escalated' | 'published';

export interface Fixtures {
  providers: Record<On, string>;
  inspections: Record<On, string>;
  reports: Record<On, string>;
  reportInspections: Record<On, string>;
  /** An inspection whose feedback was given, so it can be moderated. */
  moderationInspection: string;
  dayAfterInspections: Record<On, string>;
  complaints: Record<On, string>;
  applicationId: string;
  evidenceId: string;
  lineId: string;
  entryId: string;
  areaId: string;
  pointId: string;
  dayAfterId: string;
  reviewId: string;
  messageId: string;
  concernId: string;
  /** An account the administrator manages: the demo analyst's. */
  personId: string;
  notifications: Record<On, string>;
  /** The planned no-notice inspection at the provider's own home: what it must never learn. */
  secret: { id: string; startDate: string };
}

/** Fills a route's parameters with real records, so an allowed person reaches a real answer. */
export function urlFor(route: string, on: On, f: Fixtures, replaceIds?: string): string {
  const [, path] = route.split(' ');
  const collection = path!.split('/').find((part) => part !== '' && part !== 'api');
  const idFor: Record<string, string> = {
    providers: f.providers[on],
    inspections: f.inspections[on],
    reports: f.reports[on],
    complaints: f.complaints[on],
    'complaint-reviews': f.reviewId,
    plan: f.providers[on],
    concerns: f.concernId,
    notifications: f.notifications[on],
    'day-after-contacts': f.dayAfterId,
    messages: f.messageId,
    frameworks: 'childrens-homes',
    people: f.personId,
    admin: f.personId,
  };
  const params: Record<string, string> = {
    id: idFor[collection ?? ''] ?? '',
    applicationId: f.applicationId,
    evidenceId: f.evidenceId,
    lineId: f.lineId,
    entryId: f.entryId,
    areaId: f.areaId,
    pointId: f.pointId,
    n: '1',
    figure: 'notifications',
    year: '2026',
  };
  // Routes about an inspection's report or its day-after call need an inspection that has one.
  if (collection === 'inspections' && /\/report|\/timeline/.test(path!)) params.id = f.reportInspections[on];
  if (collection === 'inspections' && /day-after/.test(path!)) params.id = f.dayAfterInspections[on];
  if (collection === 'inspections' && /moderation/.test(path!)) params.id = f.moderationInspection;
  return path!
    .replace(/:(\w+)/g, (_, name: string) =>
      replaceIds && name !== 'areaId' && name !== 'n' ? replaceIds : (params[name] ?? `missing-${name}`),
    )
    .replace('/assets/app/*', '/assets/app/app.css')
    .replace('/assets/*', '/assets/govuk-frontend.min.js');
}

export async function loadFixtures(t: TestApp): Promise<Fixtures> {
  const db = t.db;
  const own = await db
    .selectFrom('person_providers')
    .innerJoin('people', 'people.id', 'person_providers.person_id')
    .select('provider_id')
    .where('people.email', '=', 'provider@demo.invalid')
    .execute();
  const ownIds = own.map((row) => row.provider_id);
  const inspector = await db
    .selectFrom('people')
    .select('id')
    .where('email', '=', 'inspector@demo.invalid')
    .executeTakeFirstOrThrow();
  const inspection = (where: (query: ReturnType<typeof base>) => ReturnType<typeof base>) =>
    where(base()).executeTakeFirstOrThrow();
  const base = () => db.selectFrom('inspections').select(['id', 'provider_id']).orderBy('start_date', 'desc');
  const onSite = await inspection((q) =>
    q.where('status', '=', 'on-site').where('lead_inspector_id', '=', inspector.id),
  );
  const moderated = await inspection((q) => q.where('status', '=', 'feedback-given'));
  const planned = await db
    .selectFrom('inspections')
    .select('id')
    .where('notice', '=', 'none')
    .where('status', '=', 'planned')
    .where('provider_id', 'in', ownIds)
    .executeTakeFirstOrThrow();
  // Moved to a Sunday years ahead: the check looks for its date, and the demo's date could be the same
  // as a deadline worked out from today (a complaint's, say), which would look like a leak when it is not.
  const secret = await db
    .updateTable('inspections')
    .set({ start_date: '2036-02-17', end_date: '2036-02-17' })
    .where('id', '=', planned.id)
    .returning(['id', 'start_date'])
    .executeTakeFirstOrThrow();
  const report = (status: string, mine: boolean) =>
    db
      .selectFrom('reports')
      .innerJoin('inspections', 'inspections.id', 'reports.inspection_id')
      .select(['reports.id', 'reports.inspection_id', 'inspections.provider_id'])
      .where('reports.status', '=', status as 'draft')
      .where('inspections.provider_id', mine ? 'in' : 'not in', ownIds)
      .executeTakeFirstOrThrow();
  const ownDraft = await report('draft', true);
  const published = await report('published', false);
  const complaints = await db
    .selectFrom('complaints')
    .innerJoin('inspections', 'inspections.id', 'complaints.inspection_id')
    .select(['complaints.id', 'complaints.escalated_at', 'inspections.provider_id'])
    .execute();
  const escalated = complaints.find((c) => c.escalated_at !== null)!;
  const open = complaints.find((c) => c.escalated_at === null)!;
  const application = await db
    .selectFrom('registration_applications')
    .select(['id', 'provider_id'])
    .where('provider_id', 'not in', ownIds)
    .executeTakeFirstOrThrow();
  const evidence = await db
    .selectFrom('evidence')
    .select('id')
    .where('inspection_id', '=', onSite.id)
    .executeTakeFirstOrThrow();
  const manager = await db
    .selectFrom('people')
    .select('id')
    .where('email', '=', 'manager@demo.invalid')
    .executeTakeFirstOrThrow();
  const line = await db
    .insertInto('lines_of_enquiry')
    .values({
      inspection_id: onSite.id,
      title: 'Night staffing',
      area_id: null,
      opened_by: inspector.id,
      opened_at: new Date(),
      closed_by: null,
      closed_at: null,
      conclusion: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const entry = await db
    .insertInto('dialogue_entries')
    .values({
      inspection_id: onSite.id,
      kind: 'provider-concern',
      summary: 'The manager asked about the rota',
      resolution: null,
      resolved_at: null,
      snapshot: null,
      recorded_by: inspector.id,
      recorded_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const response = await db
    .insertInto('draft_responses')
    .values({
      report_id: ownDraft.id,
      route: 'minor-points',
      submitted_by: manager.id,
      submitted_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const point = await db
    .insertInto('accuracy_points')
    .values({
      response_id: response.id,
      position: 1,
      passage: 'Children make good progress.',
      comment: 'The home opened in 2019, not 2018.',
      decision: null,
      reason: null,
      decided_by: null,
      decided_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const dayAfter = await db
    .insertInto('day_after_contacts')
    .values({
      inspection_id: onSite.id,
      issues: 'We were not told about the night visit.',
      raised_by: manager.id,
      raised_at: new Date(),
      assigned_to: inspector.id,
      outcome: null,
      outcome_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const reviewer = await db
    .selectFrom('people')
    .select('id')
    .where('email', '=', 'reviewer@demo.invalid')
    .executeTakeFirstOrThrow();
  const review = await db
    .insertInto('complaint_reviews')
    .values({
      period_from: '2026-01-01',
      period_to: '2026-12-31',
      seed: 'matrix',
      sample_size: 1,
      complaint_ids: [escalated.id],
      findings: '{}',
      reviewer_id: reviewer.id,
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A message to someone without an account: only the staff who read every message may open it.
  const message = await db
    .selectFrom('outbox')
    .select('id')
    .where('recipient', 'not in', db.selectFrom('people').select('email'))
    .executeTakeFirstOrThrow();
  const otherDraft = await report('draft', false);
  const concern = await recordConcern(db, null, {
    providerId: application.provider_id,
    providerDescription: 'A home in the demo register',
    channel: 'phone',
    summary: 'A neighbour heard shouting late at night.',
    raiserName: null,
    raiserEmail: null,
    raiserRelationship: null,
    receivedAt: new Date(),
  });
  const providerUser = await db
    .selectFrom('people')
    .select('id')
    .where('email', '=', 'provider@demo.invalid')
    .executeTakeFirstOrThrow();
  const notification = async (providerId: string, reference: string) =>
    (
      await db
        .insertInto('event_notifications')
        .values({
          reference,
          provider_id: providerId,
          category_id: 'missing-child',
          event_date: '2026-11-02',
          what_happened: 'A child did not come home after school.',
          actions_taken: 'Police told; child returned at 9pm.',
          told: ['police'],
          told_other: null,
          submitted_by: providerUser.id,
          submitted_at: new Date(),
          review_outcome: null,
          review_notes: null,
          bring_forward_to: null,
          concern_id: null,
          reviewed_by: null,
          reviewed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const ownNotification = await notification(ownIds[0]!, 'N-MATRIX01');
  const otherNotification = await notification(application.provider_id, 'N-MATRIX02');
  const ownInspection = ownDraft.inspection_id;
  const analyst = await db
    .selectFrom('people')
    .select('id')
    .where('email', '=', 'analyst@demo.invalid')
    .executeTakeFirstOrThrow();
  return {
    personId: analyst.id,
    providers: {
      other: application.provider_id,
      own: ownIds[0]!,
      secret: ownIds[0]!,
      escalated: escalated.provider_id,
      published: published.provider_id,
    },
    inspections: {
      other: onSite.id,
      own: ownInspection,
      secret: secret.id,
      escalated: onSite.id,
      published: onSite.id,
    },
    moderationInspection: moderated.id,
    reportInspections: {
      other: otherDraft.inspection_id,
      own: ownDraft.inspection_id,
      secret: ownDraft.inspection_id,
      escalated: otherDraft.inspection_id,
      published: published.inspection_id,
    },
    dayAfterInspections: {
      other: onSite.id,
      own: ownDraft.inspection_id,
      secret: secret.id,
      escalated: onSite.id,
      published: onSite.id,
    },
    reports: {
      other: otherDraft.id,
      own: ownDraft.id,
      secret: ownDraft.id,
      escalated: ownDraft.id,
      published: published.id,
    },
    complaints: {
      other: open.id,
      own: open.id,
      secret: open.id,
      escalated: escalated.id,
      published: open.id,
    },
    applicationId: application.id,
    evidenceId: evidence.id,
    lineId: line.id,
    entryId: entry.id,
    areaId: 'overall-experiences-and-progress',
    pointId: point.id,
    dayAfterId: dayAfter.id,
    reviewId: review.id,
    messageId: message.id,
    concernId: concern.id,
    secret: { id: secret.id, startDate: secret.start_date },
    notifications: {
      other: otherNotification,
      own: ownNotification,
      secret: ownNotification,
      escalated: otherNotification,
      published: otherNotification,
    },
  };
}
