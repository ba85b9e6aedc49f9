import { formatLongDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import type { Db, Trx } from '../db/database.js';
import { isUuid } from '../fields.js';
import { emailOf, emailsOfRole, tell } from '../messages/store.js';
import { notFound } from '../refusal.js';
import { concernRefusal, DIALOGUE_KINDS, type ConcernAction } from './rules.js';
import { takeStep, type InspectionRow } from './store.js';

/**
 * The professional dialogue log read as a whole, and what happens to a concern the provider raised on
 * site that the lead inspector cannot resolve (seed 003): the lead escalates it to the inspector's
 * manager, who records the outcome, and the provider is told. Recording dialogue and resolving a concern
 * on site are in evidence.ts.
 */

export interface DialogueLogEntry {
  id: string;
  kind: string;
  summary: string;
  recordedBy: { id: string; name: string };
  recordedAt: string;
  /** For a concern the provider raised: where it has got to. */
  concern: {
    status: 'open' | 'resolved' | 'escalated' | 'settled';
    resolution: string | null;
    resolvedAt: string | null;
    resolvedBy: { id: string; name: string } | null;
    escalation: {
      escalatedAt: string;
      escalatedBy: { id: string; name: string } | null;
      reason: string;
    } | null;
  } | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const named = (id: string | null, name: string | null) => (id ? { id, name: name ?? '' } : null);

/** The dialogue log of an inspection, oldest first. */
export async function dialogueLog(db: Db, inspectionId: string): Promise<DialogueLogEntry[]> {
  if (!isUuid(inspectionId)) return [];
  const rows = await db
    .selectFrom('dialogue_entries as d')
    .innerJoin('people as r', 'r.id', 'd.recorded_by')
    .leftJoin('people as e', 'e.id', 'd.escalated_by')
    .leftJoin('people as s', 's.id', 'd.resolved_by')
    .selectAll('d')
    .select(['r.name as recorder', 'e.name as escalator', 's.name as resolver'])
    .where('d.inspection_id', '=', inspectionId)
    .orderBy('d.recorded_at')
    .orderBy('d.id')
    .execute();
  return rows.map((d) => ({
    id: d.id,
    kind: d.kind,
    summary: d.summary,
    recordedBy: { id: d.recorded_by, name: d.recorder },
    recordedAt: iso(d.recorded_at)!,
    concern:
      d.kind === 'provider-concern'
        ? {
            status: d.escalated_at
              ? d.resolution === null
                ? 'escalated'
                : 'settled'
              : d.resolution === null
                ? 'open'
                : 'resolved',
            resolution: d.resolution,
            resolvedAt: iso(d.resolved_at),
            resolvedBy: named(d.resolved_by, d.resolver),
            escalation: d.escalated_at
              ? {
                  escalatedAt: iso(d.escalated_at)!,
                  escalatedBy: named(d.escalated_by, d.escalator),
                  reason: d.escalation_reason ?? '',
                }
              : null,
          }
        : null,
  }));
}

/** Whether the informal feedback that ends the visit has been given: the log reaches the provider then. */
export async function feedbackGiven(db: Db, inspectionId: string): Promise<boolean> {
  if (!isUuid(inspectionId)) return false;
  const row = await db
    .selectFrom('dialogue_entries')
    .select('id')
    .where('inspection_id', '=', inspectionId)
    .where('kind', '=', 'informal-feedback')
    .executeTakeFirst();
  return row !== undefined;
}

/** The provider's concern on the inspection, locked, and checked for the action. */
async function concernFor(trx: Trx, inspectionId: string, entryId: string, action: ConcernAction) {
  const entry = isUuid(entryId)
    ? await trx
        .selectFrom('dialogue_entries')
        .selectAll()
        .where('id', '=', entryId)
        .where('inspection_id', '=', inspectionId)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!entry || entry.kind !== 'provider-concern') throw notFound();
  const refusal = concernRefusal(action, { ...entry, escalatedAt: entry.escalated_at });
  if (refusal) throw refusal;
  return entry;
}

async function providerOf(trx: Trx, inspection: InspectionRow) {
  const provider = await trx
    .selectFrom('providers')
    .select('name')
    .where('id', '=', inspection.provider_id)
    .executeTakeFirstOrThrow();
  const users = await trx
    .selectFrom('person_providers as pp')
    .innerJoin('people as p', 'p.id', 'pp.person_id')
    .select('p.email')
    .where('pp.provider_id', '=', inspection.provider_id)
    .where('p.active', '=', true)
    .orderBy('p.email')
    .execute();
  return { name: provider.name, emails: users.map((u) => u.email) };
}

const raisedOn = (recordedAt: Date | string) => formatLongDate(englishDate(new Date(recordedAt)));

/** The lead inspector passes a concern they cannot resolve on site to the managers, saying why. */
export async function escalateConcern(
  db: Db,
  actorId: string,
  inspectionId: string,
  entryId: string,
  reason: string,
  now: Date,
): Promise<void> {
  await takeStep(db, actorId, inspectionId, 'resolve-concern', async (trx, inspection, audit) => {
    const entry = await concernFor(trx, inspectionId, entryId, 'escalate');
    await trx
      .updateTable('dialogue_entries')
      .set({ escalated_at: now, escalated_by: actorId, escalation_reason: reason })
      .where('id', '=', entry.id)
      .execute();
    await audit({
      action: 'dialogue.concern-escalated',
      before: { entryId, escalatedAt: null },
      after: { entryId, escalatedAt: now.toISOString(), reason },
    });
    const provider = await providerOf(trx, inspection);
    await tell(trx, await emailsOfRole(trx, 'manager'), {
      template: 'concern-escalated',
      subject: `A concern raised by ${provider.name} on site needs a manager`,
      body: [
        `The lead inspector could not resolve a concern ${provider.name} raised on ${raisedOn(entry.recorded_at)} during the inspection, and has escalated it to you.`,
        `Concern: ${entry.summary}`,
        `Why it could not be resolved on site: ${reason}`,
        `Record the outcome at /inspections/${inspectionId}/dialogue-log`,
      ].join('\n\n'),
    });
  });
}

/** A manager records the outcome of an escalated concern; the provider and the lead inspector are told. */
export async function settleConcern(
  db: Db,
  actorId: string,
  inspectionId: string,
  entryId: string,
  outcome: string,
  now: Date,
): Promise<void> {
  await takeStep(db, actorId, inspectionId, 'resolve-concern', async (trx, inspection, audit) => {
    const entry = await concernFor(trx, inspectionId, entryId, 'settle');
    await trx
      .updateTable('dialogue_entries')
      .set({ resolution: outcome, resolved_at: now, resolved_by: actorId })
      .where('id', '=', entry.id)
      .execute();
    await audit({
      action: 'dialogue.concern-settled',
      before: { entryId, resolution: null },
      after: { entryId, resolution: outcome },
    });
    const provider = await providerOf(trx, inspection);
    const message = {
      template: 'concern-outcome',
      subject: `The outcome of the concern raised during the inspection of ${provider.name}`,
      body: [
        `On ${raisedOn(entry.recorded_at)} ${provider.name} raised a concern during the inspection that could not be resolved on site. It was escalated to the inspector’s manager, who has recorded the outcome.`,
        `${DIALOGUE_KINDS['provider-concern']}: ${entry.summary}`,
        `Outcome: ${outcome}`,
        `The dialogue log of the inspection: /inspections/${inspectionId}/dialogue-log`,
      ].join('\n\n'),
    };
    await tell(trx, provider.emails, message);
    await tell(trx, [await emailOf(trx, inspection.lead_inspector_id)], message);
  });
}
