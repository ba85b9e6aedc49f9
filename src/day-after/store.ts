import { sql, type Transaction } from 'kysely';
import { isUuid } from '../fields.js';
import { recordAudit } from '../audit/store.js';
import { addWorkingDays, formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, englishDate } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { cancelDeadline, scheduleDeadline, type DeadlineAction } from '../deadlines/store.js';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import { listConflicts } from '../conflicts/store.js';
import type { Inspection } from '../inspections/store.js';
import { listInspectors } from '../people/store.js';
import { queueMessage } from '../messages/store.js';

import { conflict, notFound, unprocessable } from '../refusal.js';
import { chooseInspector, dayAfterContactDay, dayAfterContactRefusal, longDateWithWeekday } from './rules.js';

type Trx = Transaction<Schema>;

/** Flags a contact whose call has no recorded outcome by the end of the next working day. */
export const DAY_AFTER_OUTCOME_OVERDUE = 'day-after.outcome-overdue';

export interface DayAfterContact {
  id: string;
  inspection: {
    id: string;
    startDate: string;
    endDate: string;
    provider: { id: string; name: string };
    leadInspector: { id: string; name: string; email: string };
  };
  issues: string;
  raisedBy: { id: string; name: string; email: string };
  raisedAt: string;
  assignedTo: { id: string; name: string; email: string };
  consultedLead: boolean;
  outcome: string | null;
  outcomeAt: string | null;
}

function contactQuery(db: Db | Trx) {
  return db
    .selectFrom('day_after_contacts as d')
    .innerJoin('inspections as i', 'i.id', 'd.inspection_id')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .innerJoin('people as l', 'l.id', 'i.lead_inspector_id')
    .innerJoin('people as r', 'r.id', 'd.raised_by')
    .innerJoin('people as a', 'a.id', 'd.assigned_to')
    .selectAll('d')
    .select([
      'i.start_date',
      'i.end_date',
      'i.provider_id',
      'p.name as provider_name',
      'i.lead_inspector_id',
      'l.name as lead_name',
      'l.email as lead_email',
      'r.name as raised_by_name',
      'r.email as raised_by_email',
      'a.name as assigned_name',
      'a.email as assigned_email',
    ]);
}

type ContactRow = Awaited<ReturnType<ReturnType<typeof contactQuery>['executeTakeFirstOrThrow']>>;

function toContact(row: ContactRow): DayAfterContact {
  return {
    id: row.id,
    inspection: {
      id: row.inspection_id,
      startDate: row.start_date,
      endDate: row.end_date,
      provider: { id: row.provider_id, name: row.provider_name },
      leadInspector: { id: row.lead_inspector_id, name: row.lead_name, email: row.lead_email },
    },
    issues: row.issues,
    raisedBy: { id: row.raised_by, name: row.raised_by_name, email: row.raised_by_email },
    raisedAt: new Date(row.raised_at).toISOString(),
    assignedTo: { id: row.assigned_to, name: row.assigned_name, email: row.assigned_email },
    consultedLead: row.consulted_lead,
    outcome: row.outcome,
    outcomeAt: row.outcome_at ? new Date(row.outcome_at).toISOString() : null,
  };
}

export async function findDayAfterContact(db: Db, id: string): Promise<DayAfterContact | null> {
  if (!isUuid(id)) return null;
  const row = await contactQuery(db).where('d.id', '=', id).executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function contactAboutInspection(db: Db, inspectionId: string): Promise<DayAfterContact | null> {
  if (!isUuid(inspectionId)) return null;
  const row = await contactQuery(db).where('d.inspection_id', '=', inspectionId).executeTakeFirst();
  return row ? toContact(row) : null;
}

/** Contacts newest first: all of them, or those assigned to one person; open ones first when asked. */
export async function listDayAfterContacts(db: Db, filter: { assignedTo?: string; open?: boolean } = {}) {
  let query = contactQuery(db);
  if (filter.assignedTo) query = query.where('d.assigned_to', '=', filter.assignedTo);
  if (filter.open !== undefined) query = query.where('d.outcome', filter.open ? 'is' : 'is not', null);
  const rows = await query
    .orderBy(sql`d.outcome is null`, 'desc')
    .orderBy('d.raised_at', 'desc')
    .orderBy('d.id')
    .limit(200)
    .execute();
  return rows.map(toContact);
}

/** The day a provider may make contact about an inspection, or null where its procedure has no such call. */
export function contactDayFor(inspection: Pick<Inspection, 'endDate'>): string | null {
  try {
    return dayAfterContactDay(procedureFor(inspection.endDate), inspection.endDate);
  } catch (error) {
    if (error instanceof RuleError) return null;
    throw error;
  }
}

/**
 * Records the provider's unresolved issues on the working day after the inspection and assigns them to an
 * experienced inspector who is independent of the inspection and has no conflict with the provider.
 */
export async function raiseDayAfterContact(
  db: Db,
  raisedBy: { id: string; email: string },
  inspection: Inspection,
  issues: string,
  now: Date,
): Promise<string> {
  const today = englishDate(now);
  let procedure;
  try {
    procedure = procedureFor(inspection.endDate);
  } catch (error) {
    if (error instanceof RuleError) throw unprocessable([{ field: 'inspectionId', message: error.message }]);
    throw error;
  }
  if (inspection.status === 'planned') {
    throw unprocessable([
      {
        field: 'inspectionId',
        message: 'This inspection has not taken place, so there is nothing to contact us about yet',
      },
    ]);
  }
  const refusal = dayAfterContactRefusal(procedure, inspection.endDate, today);
  if (refusal) throw unprocessable([refusal]);
  const existing = await contactAboutInspection(db, inspection.id);
  if (existing) {
    const message = `You contacted us about this inspection on ${formatLongDate(englishDate(new Date(existing.raisedAt)))}: ${existing.assignedTo.name} is dealing with it. There is one contact for each inspection`;
    throw conflict(message, [{ field: 'inspectionId', message }]);
  }

  const teamIds = [inspection.leadInspector.id, ...inspection.team.map((m) => m.id), raisedBy.id];
  const conflictedIds = (await listConflicts(db, { providerId: inspection.provider.id })).map(
    (c) => c.person.id,
  );
  const open = await db
    .selectFrom('day_after_contacts')
    .select(['assigned_to', (eb) => eb.fn.countAll<number>().as('n')])
    .where('outcome', 'is', null)
    .groupBy('assigned_to')
    .execute();
  const openBy = new Map(open.map((o) => [o.assigned_to, Number(o.n)]));
  const chosen = chooseInspector(
    (await listInspectors(db)).map((p) => ({ id: p.id, name: p.name, openContacts: openBy.get(p.id) ?? 0 })),
    { inspectionTeamIds: teamIds, conflictedIds },
  );
  if (!chosen) {
    throw conflict(
      'No experienced inspector is available who is independent of this inspection and has no conflict of interest with the provider. Raise your issues with the inspector’s manager instead.',
    );
  }

  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('day_after_contacts')
      .values({
        inspection_id: inspection.id,
        issues,
        raised_by: raisedBy.id,
        raised_at: now,
        assigned_to: chosen.id,
        outcome: null,
        outcome_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: raisedBy.id,
      action: 'day-after-contact.raised',
      entityType: 'day-after-contact',
      entityId: id,
      before: null,
      after: { inspectionId: inspection.id, issues, assignedTo: chosen.id },
    });
    const callBy = addWorkingDays(today, 1);
    await scheduleDeadline(trx, DAY_AFTER_OUTCOME_OVERDUE, id, endOfEnglishDay(callBy));
    const assignee = await trx
      .selectFrom('people')
      .select('email')
      .where('id', '=', chosen.id)
      .executeTakeFirstOrThrow();
    await queueMessage(trx, {
      recipient: assignee.email,
      template: 'day-after-contact-assigned',
      subject: `Day-after contact from ${inspection.provider.name}: please call them`,
      body: [
        `${inspection.provider.name} has contacted us about unresolved issues from its inspection (${formatLongDate(inspection.startDate)} to ${formatLongDate(inspection.endDate)}, led by ${inspection.leadInspector.name}).`,
        `You were not part of this inspection. Please call the provider, and contact the lead inspector if it helps to understand the context. Record the outcome by ${longDateWithWeekday(callBy)}.`,
        `Issues: ${issues}`,
      ].join('\n\n'),
    });
    await queueMessage(trx, {
      recipient: raisedBy.email,
      template: 'day-after-contact-received',
      subject: `We have received your contact about the inspection of ${inspection.provider.name}`,
      body: `Thank you. ${chosen.name}, an experienced inspector who was not part of the inspection, will contact you about the issues you raised.`,
    });
    return id;
  });
}

/** The assigned inspector records whether they consulted the lead inspector, and what came of the call. */
export async function recordDayAfterOutcome(
  db: Db,
  actorId: string,
  id: string,
  input: { consultedLead: boolean; outcome: string },
  now: Date,
): Promise<void> {
  if (!isUuid(id)) throw notFound();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('day_after_contacts')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.outcome !== null) {
      const message = `The outcome was already recorded on ${formatLongDate(englishDate(new Date(row.outcome_at!)))}`;
      throw conflict(message, [{ field: 'outcome', message }]);
    }
    await trx
      .updateTable('day_after_contacts')
      .set({ consulted_lead: input.consultedLead, outcome: input.outcome, outcome_at: now })
      .where('id', '=', id)
      .execute();
    await cancelDeadline(trx, DAY_AFTER_OUTCOME_OVERDUE, id);
    await recordAudit(trx, {
      actorId,
      action: 'day-after-contact.outcome-recorded',
      entityType: 'day-after-contact',
      entityId: id,
      before: { consultedLead: row.consulted_lead, outcome: null },
      after: input,
    });
  });
}

export const dayAfterDeadlineActions: ReadonlyMap<string, DeadlineAction> = new Map<string, DeadlineAction>([
  [
    DAY_AFTER_OUTCOME_OVERDUE,
    async (trx, subjectId) => {
      const row = await contactQuery(trx).where('d.id', '=', subjectId).executeTakeFirst();
      if (!row || row.outcome !== null) return;
      await queueMessage(trx, {
        recipient: row.assigned_email,
        template: 'day-after-contact-overdue',
        subject: `Overdue: the day-after contact from ${row.provider_name}`,
        body: `No outcome has been recorded for the day-after contact from ${row.provider_name}, raised on ${formatLongDate(englishDate(new Date(row.raised_at)))}. Call the provider and record the outcome.`,
      });
      await recordAudit(trx, {
        actorId: null,
        action: 'day-after-contact.outcome-overdue',
        entityType: 'day-after-contact',
        entityId: subjectId,
        before: null,
        after: { overdue: true },
      });
    },
  ],
]);

/** What each contact a deadline is about is called, by id. */
export async function dayAfterLabels(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await contactQuery(db).where('d.id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, `Day-after contact from ${r.provider_name}`]));
}
