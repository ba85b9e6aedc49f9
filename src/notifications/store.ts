import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import { recordConcern } from '../concerns/store.js';
import { inTransaction, type Db, type Trx } from '../db/database.js';
import type { Cursor, Keyset } from '../db/keyset.js';
import { fetchKeysetPage, type KeysetPage } from '../db/paging.js';
import { isUuid } from '../fields.js';
import { emailOf, emailsOfRole, tell } from '../messages/store.js';
import { conflict, notFound, unprocessable, type Refusal } from '../refusal.js';
import {
  bringForwardToKeep,
  categoryById,
  reviewProblems,
  reviewRefusal,
  submissionProblems,
  toldOtherToKeep,
  type NotificationReview,
  type NotificationStatus,
  type ReviewOutcome,
  type ToldParty,
} from './rules.js';

export interface NewNotification {
  providerId: string;
  categoryId: string;
  eventDate: string;
  whatHappened: string;
  actionsTaken: string;
  told: ToldParty[];
  toldOther?: string | null | undefined;
}

/** A notification as the inspectorate holds it; `presentNotification` decides what a provider sees. */
export interface EventNotification {
  id: string;
  reference: string;
  status: NotificationStatus;
  provider: { id: string; name: string; urn: string };
  category: { id: string; label: string };
  eventDate: string;
  whatHappened: string;
  actionsTaken: string;
  told: ToldParty[];
  toldOther: string | null;
  submittedBy: { id: string; name: string };
  submittedAt: string;
  reviewedAt: string | null;
  review: {
    outcome: ReviewOutcome;
    notes: string;
    bringForwardTo: string | null;
    concernId: string | null;
    reviewedBy: { id: string; name: string };
  } | null;
  version: number;
}

/** A reference a provider can quote: N- and eight letters or digits. */
function newReference(): string {
  return `N-${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

const categoryLabel = (id: string) => categoryById(id)?.label ?? id;

/**
 * Records a provider's notification of a serious event and tells planners and managers, with an
 * acknowledgement to the person who sent it. The caller has checked that the person acts for the
 * provider. `tell: false` is for demo data, whose messages would never have been sent.
 */
export async function submitNotification(
  db: Db,
  actorId: string,
  input: NewNotification,
  now: Date,
  options: { tell?: boolean } = {},
): Promise<{ id: string; reference: string }> {
  const problems = submissionProblems(input, englishDate(now));
  if (problems.length > 0) throw unprocessable(problems);
  return inTransaction(db, async (trx) => {
    const provider = await trx
      .selectFrom('providers')
      .select(['id', 'name'])
      .where('id', '=', input.providerId)
      .executeTakeFirst();
    if (!provider) throw notFound();
    const reference = newReference();
    const toldOther = toldOtherToKeep(input.told, input.toldOther);
    const { id } = await trx
      .insertInto('event_notifications')
      .values({
        reference,
        provider_id: input.providerId,
        category_id: input.categoryId,
        event_date: input.eventDate,
        what_happened: input.whatHappened,
        actions_taken: input.actionsTaken,
        told: [...input.told],
        told_other: toldOther,
        submitted_by: actorId,
        submitted_at: now,
        review_outcome: null,
        review_notes: null,
        bring_forward_to: null,
        concern_id: null,
        reviewed_by: null,
        reviewed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'notification.submitted',
      entityType: 'notification',
      entityId: id,
      before: null,
      after: { ...input, toldOther, reference },
    });
    if (options.tell !== false) {
      const category = categoryLabel(input.categoryId);
      const staff = [...(await emailsOfRole(trx, 'planner')), ...(await emailsOfRole(trx, 'manager'))];
      await tell(trx, staff, {
        template: 'notification-received',
        subject: `Serious-event notification ${reference} from ${provider.name}: ${category}`,
        body: [
          `${provider.name} notified a serious event (${category}) that happened on ${formatLongDate(input.eventDate)}.`,
          `Review it at /notifications/${id}.`,
        ].join('\n\n'),
      });
      await tell(trx, [await emailOf(trx, actorId)], {
        template: 'notification-acknowledgement',
        subject: `We have received your notification ${reference}`,
        body: [
          `Thank you for notifying us of a serious event at ${provider.name} (${category}) on ${formatLongDate(input.eventDate)}.`,
          `Its reference is ${reference}. We review every notification and will contact you if we need to know more.`,
        ].join('\n\n'),
      });
    }
    return { id, reference };
  });
}

// ---- Reading ----

function notificationQuery(db: Db | Trx) {
  return db
    .selectFrom('event_notifications as n')
    .innerJoin('providers as p', 'p.id', 'n.provider_id')
    .innerJoin('people as s', 's.id', 'n.submitted_by')
    .leftJoin('people as r', 'r.id', 'n.reviewed_by')
    .selectAll('n')
    .select([
      'p.name as provider_name',
      'p.urn as provider_urn',
      's.name as submitter_name',
      'r.name as reviewer_name',
    ]);
}

type NotificationRow = Awaited<ReturnType<ReturnType<typeof notificationQuery>['executeTakeFirstOrThrow']>>;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function toNotification(row: NotificationRow): EventNotification {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    provider: { id: row.provider_id, name: row.provider_name, urn: row.provider_urn },
    category: { id: row.category_id, label: categoryLabel(row.category_id) },
    eventDate: row.event_date,
    whatHappened: row.what_happened,
    actionsTaken: row.actions_taken,
    told: row.told as ToldParty[],
    toldOther: row.told_other,
    submittedBy: { id: row.submitted_by, name: row.submitter_name },
    submittedAt: iso(row.submitted_at)!,
    reviewedAt: iso(row.reviewed_at),
    review:
      row.review_outcome && row.reviewed_by
        ? {
            outcome: row.review_outcome,
            notes: row.review_notes ?? '',
            bringForwardTo: row.bring_forward_to,
            concernId: row.concern_id,
            reviewedBy: { id: row.reviewed_by, name: row.reviewer_name ?? '' },
          }
        : null,
    version: row.version,
  };
}

export async function findNotification(db: Db, id: string): Promise<EventNotification | null> {
  if (!isUuid(id)) return null;
  const row = await notificationQuery(db).where('n.id', '=', id).executeTakeFirst();
  return row ? toNotification(row) : null;
}

/** Which notifications a person's lists may show: every one for staff, their own homes' for a provider. */
export type NotificationScope = { kind: 'all' } | { kind: 'own'; providerIds: string[] };

export interface NotificationSearch {
  category?: string | undefined;
  providerId?: string | undefined;
  status?: NotificationStatus | undefined;
  /** The event happened on or after this day… */
  from?: string | undefined;
  /** …and on or before this one. */
  to?: string | undefined;
  page: number;
  pageSize: number;
  /** Where to start instead of `page`. */
  cursor?: Cursor | undefined;
  /** Whether to count the matches (default yes). */
  count?: boolean | undefined;
}

/** Newest event first, then latest sent, served by event_notifications_newest (0020). */
export const NOTIFICATION_ORDER: Keyset = {
  name: 'notifications',
  columns: [
    { expression: sql.ref('n.event_date'), type: 'date', direction: 'desc' },
    { expression: sql.ref('n.submitted_at'), type: 'timestamptz', direction: 'desc' },
    { expression: sql.ref('n.id'), type: 'uuid', direction: 'asc' },
  ],
};

/** Notifications newest event first, within the person's scope. */
export async function searchNotifications(
  db: Db,
  scope: NotificationScope,
  search: NotificationSearch,
): Promise<KeysetPage<EventNotification>> {
  if (scope.kind === 'own' && scope.providerIds.length === 0) {
    const { page, pageSize } = search;
    return { items: [], page, pageSize, total: 0, totalPages: 0, nextCursor: null, previousCursor: null };
  }
  let query = notificationQuery(db);
  if (scope.kind === 'own') query = query.where('n.provider_id', 'in', scope.providerIds);
  if (search.providerId) query = query.where('n.provider_id', '=', search.providerId);
  if (search.category) query = query.where('n.category_id', '=', search.category);
  if (search.status) query = query.where('n.status', '=', search.status);
  if (search.from) query = query.where('n.event_date', '>=', search.from);
  if (search.to) query = query.where('n.event_date', '<=', search.to);
  return fetchKeysetPage(
    query,
    NOTIFICATION_ORDER,
    { ...search, count: search.count ?? true },
    toNotification,
  );
}

/** The providers that have notified anything, for the staff's filter. */
export async function notifyingProviders(db: Db): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('providers as p')
    .select(['p.id', 'p.name'])
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('event_notifications as n').select('n.id').whereRef('n.provider_id', '=', 'p.id')),
    )
    .orderBy(sql`lower(p.name)`)
    .orderBy('p.id')
    .execute();
}

// ---- Reviewing ----

/**
 * Records the inspectorate's review of a notification, once. Raising a concern records it in the same
 * transaction, linked both ways; bringing the inspection forward stores the date for the plan to read.
 * `version` is the one the reviewer saw: a review of a notification that changed meanwhile is refused.
 */
export async function reviewNotification(
  db: Db,
  actorId: string,
  id: string,
  input: NotificationReview & { version: number },
  now: Date,
  options: { tell?: boolean } = {},
): Promise<void> {
  if (!isUuid(id)) throw notFound();
  const problems = reviewProblems(input, englishDate(now));
  if (problems.length > 0) throw unprocessable(problems);
  await inTransaction(db, async (trx) => {
    const row = await notificationQuery(trx).where('n.id', '=', id).forUpdate('n').executeTakeFirst();
    if (!row) throw notFound();
    if (row.version !== input.version) {
      const message = 'The notification changed meanwhile. Check it and try again.';
      throw conflict(message, [{ field: 'version', message }]);
    }
    const refusal = reviewRefusal(
      row.status,
      row.reviewed_at ? englishDate(new Date(row.reviewed_at)) : null,
    );
    if (refusal) throw conflictOn('outcome', refusal);

    let concernId: string | null = null;
    if (input.outcome === 'concern-raised') {
      const notification = toNotification(row);
      ({ id: concernId } = await recordConcern(trx, actorId, {
        providerId: notification.provider.id,
        providerDescription: notification.provider.name,
        channel: 'notification',
        summary: [
          `Raised on review of serious-event notification ${notification.reference} (${notification.category.label}, event on ${formatLongDate(notification.eventDate)}).`,
          `What happened: ${notification.whatHappened}`,
          `Reviewer’s notes: ${input.notes.trim()}`,
        ].join('\n\n'),
        raiserName: null,
        raiserEmail: null,
        raiserRelationship: null,
        receivedAt: now,
        notificationId: notification.id,
      }));
    }
    const change = {
      status: 'reviewed' as const,
      review_outcome: input.outcome,
      review_notes: input.notes.trim(),
      bring_forward_to: bringForwardToKeep(input),
      concern_id: concernId,
      reviewed_by: actorId,
      reviewed_at: now,
    };
    await trx
      .updateTable('event_notifications')
      .set({ ...change, version: row.version + 1 })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'notification.reviewed',
      entityType: 'notification',
      entityId: id,
      before: { status: row.status, version: row.version },
      after: change,
    });
    if (options.tell !== false) {
      // The provider learns that it was reviewed, not the outcome: that could reveal an inspection to come.
      await tell(trx, [await emailOf(trx, row.submitted_by)], {
        template: 'notification-reviewed',
        subject: `We have reviewed your notification ${row.reference}`,
        body: [
          `We have reviewed your notification ${row.reference} about ${row.provider_name}.`,
          'We will contact you if we need to know more.',
        ].join('\n\n'),
      });
    }
  });
}

function conflictOn(field: string, message: string): Refusal {
  return conflict(message, [{ field, message }]);
}
