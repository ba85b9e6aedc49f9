import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, englishDate, startOfEnglishDay } from '../clock.js';
import { inTransaction, type Db, type Trx } from '../db/database.js';
import { fetchPage, type Page } from '../db/paging.js';
import type { ConcernsTable } from '../db/schema.js';
import { isUuid } from '../fields.js';
import { emailsOfRole, queueMessage } from '../messages/store.js';
import { conflict, invalid, notFound, unprocessable } from '../refusal.js';
import {
  assessmentProblems,
  CONCERN_CHANNELS,
  describeProvider,
  type ConcernChannel,
  type ConcernDecision,
  type ConcernStatus,
  type RaiserRelationship,
  type RiskLevel,
} from './rules.js';
import type { AssessmentBody, ConcernQuery, NewConcernBody } from './schemas.js';

/** A concern as it arrives, from the public form, from staff taking a call or email, or from a notification. */
export interface NewConcern {
  /** The provider on the register it is about, when known; the public form names it in words instead. */
  providerId: string | null;
  /** The provider as the person raising the concern described it (name, town, reference if they know it). */
  providerDescription: string;
  channel: ConcernsTable['channel'];
  summary: string;
  raiserName: string | null;
  raiserEmail: string | null;
  raiserRelationship: string | null;
  /** When it reached the regulator. */
  receivedAt: Date;
  /** The serious-event notification it was raised from, if any. */
  notificationId?: string | null;
}

/** A reference a person raising a concern can quote: CON- and eight letters or digits. */
function newConcernReference(): string {
  return `CON-${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

/**
 * Records a concern about a provider, awaiting risk assessment. It never creates an inspection: a planner
 * decides what to do with it. Runs in the caller's transaction when given one (a concern raised while a
 * notification is reviewed lands with that review). The planners are told, and the person who raised it
 * is sent an acknowledgement when they gave an email address; `quietly` (demo history) sends nothing.
 */
export async function recordConcern(
  trx: Trx | Db,
  actorId: string | null,
  input: NewConcern,
  options: { quietly?: boolean } = {},
): Promise<{ id: string; reference: string }> {
  return inTransaction(trx, async (trx) => {
    const reference = newConcernReference();
    const { id } = await trx
      .insertInto('concerns')
      .values({
        reference,
        provider_id: input.providerId,
        provider_description: input.providerDescription,
        channel: input.channel,
        summary: input.summary,
        raiser_name: input.raiserName,
        raiser_email: input.raiserEmail,
        raiser_relationship: input.raiserRelationship,
        received_at: input.receivedAt,
        risk_level: null,
        decision: null,
        decision_reasons: null,
        bring_forward_to: null,
        decided_by: null,
        decided_at: null,
        notification_id: input.notificationId ?? null,
        raised_by: actorId,
        created_at: input.receivedAt,
        updated_at: input.receivedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'concern.received',
      entityType: 'concern',
      entityId: id,
      before: null,
      after: { ...input, reference },
    });
    if (!options.quietly) await tellOfNewConcern(trx, id, reference, input);
    return { id, reference };
  });
}

/**
 * The acknowledgement says nothing about the provider, not even what the raiser wrote: anyone may type
 * any address into the form. Planners get the path to the concern, to assess it.
 */
async function tellOfNewConcern(trx: Trx, id: string, reference: string, input: NewConcern) {
  if (input.raiserEmail) {
    await queueMessage(trx, {
      recipient: input.raiserEmail,
      template: 'concern-received',
      subject: `We have received your concern ${reference}`,
      body: [
        `Thank you for telling us about your concern. Its reference is ${reference}.`,
        'An inspector will read what you told us and decide what we need to do. We may contact you if we need to know more.',
        'We do not usually tell the person who raised a concern what we decide, because it can be about children’s private lives.',
        'If a child is at immediate risk of harm, call 999. If you are worried about a child, you can also contact the local council’s children’s services.',
      ].join('\n\n'),
    });
  }
  const about = input.providerId
    ? ((await trx
        .selectFrom('providers')
        .select('name')
        .where('id', '=', input.providerId)
        .executeTakeFirst()
        .then((p) => p?.name)) ?? input.providerDescription)
    : input.providerDescription;
  for (const email of await emailsOfRole(trx, 'planner')) {
    await queueMessage(trx, {
      recipient: email,
      template: 'concern-to-assess',
      subject: `New concern ${reference} about ${about}`,
      body: [
        `A concern about ${about} was received (${CONCERN_CHANNELS[input.channel].toLowerCase()}) on ${formatLongDate(englishDate(input.receivedAt))}.`,
        `Assess the risk and record a decision: /concerns/${id}`,
      ].join('\n\n'),
    });
  }
}

// ---- Taking a concern in ----

/** The public's own concern: the provider in words, matched to the register silently by its URN. */
export async function raisePublicConcern(
  db: Db,
  body: NewConcernBody,
  now: Date,
): Promise<{ id: string; reference: string }> {
  return inTransaction(db, async (trx) => {
    const matched = body.providerUrn
      ? await trx.selectFrom('providers').select('id').where('urn', '=', body.providerUrn).executeTakeFirst()
      : undefined;
    return recordConcern(trx, null, {
      providerId: matched?.id ?? null,
      providerDescription: describeProvider(body.providerName ?? '', body.providerPlace, body.providerUrn),
      channel: 'public-form',
      summary: body.summary,
      raiserName: body.raiserName || null,
      raiserEmail: body.raiserEmail ?? null,
      raiserRelationship: body.relationship ?? null,
      receivedAt: now,
    });
  });
}

/** A concern staff took by phone or email, about a provider they found on the register. */
export async function recordConcernForOthers(
  db: Db,
  actorId: string,
  body: NewConcernBody & { channel: 'phone' | 'email'; providerId: string },
  now: Date,
): Promise<{ id: string; reference: string }> {
  const today = englishDate(now);
  if (body.receivedOn && body.receivedOn > today) {
    throw unprocessable([
      { field: 'receivedOn', message: 'The day the concern was received must be today or in the past' },
    ]);
  }
  return inTransaction(db, async (trx) => {
    const provider = await trx
      .selectFrom('providers')
      .select(['id', 'name', 'town', 'urn'])
      .where('id', '=', body.providerId)
      .executeTakeFirst();
    if (!provider)
      throw unprocessable([{ field: 'providerId', message: 'Select the provider from the register' }]);
    const receivedAt =
      !body.receivedOn || body.receivedOn === today ? now : startOfEnglishDay(body.receivedOn);
    return recordConcern(trx, actorId, {
      providerId: provider.id,
      providerDescription: describeProvider(provider.name, provider.town, provider.urn),
      channel: body.channel,
      summary: body.summary,
      raiserName: body.raiserName || null,
      raiserEmail: body.raiserEmail ?? null,
      raiserRelationship: body.relationship ?? null,
      receivedAt,
    });
  });
}

// ---- Reading ----

export interface PersonRef {
  id: string;
  name: string;
}

export interface Concern {
  id: string;
  reference: string;
  status: ConcernStatus;
  channel: ConcernChannel;
  provider: { id: string; name: string; urn: string; town: string } | null;
  providerDescription: string;
  summary: string;
  raiser: { name: string | null; email: string | null; relationship: RaiserRelationship | null };
  receivedAt: string;
  recordedBy: PersonRef | null;
  notificationId: string | null;
  assessment: {
    riskLevel: RiskLevel;
    decision: ConcernDecision;
    reasons: string;
    bringForwardTo: string | null;
    decidedBy: PersonRef | null;
    decidedAt: string;
  } | null;
  version: number;
}

function concernQuery(db: Db | Trx) {
  return db
    .selectFrom('concerns as c')
    .leftJoin('providers as p', 'p.id', 'c.provider_id')
    .leftJoin('people as d', 'd.id', 'c.decided_by')
    .leftJoin('people as r', 'r.id', 'c.raised_by')
    .selectAll('c')
    .select([
      'p.name as provider_name',
      'p.urn as provider_urn',
      'p.town as provider_town',
      'd.name as decided_by_name',
      'r.name as raised_by_name',
    ]);
}

type ConcernRow = Selectable<ConcernsTable> & {
  provider_name: string | null;
  provider_urn: string | null;
  provider_town: string | null;
  decided_by_name: string | null;
  raised_by_name: string | null;
};

function toConcern(row: ConcernRow): Concern {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    channel: row.channel,
    provider: row.provider_id
      ? {
          id: row.provider_id,
          name: row.provider_name ?? '',
          urn: row.provider_urn ?? '',
          town: row.provider_town ?? '',
        }
      : null,
    providerDescription: row.provider_description,
    summary: row.summary,
    raiser: {
      name: row.raiser_name,
      email: row.raiser_email,
      relationship: row.raiser_relationship as RaiserRelationship | null,
    },
    receivedAt: new Date(row.received_at).toISOString(),
    recordedBy: row.raised_by ? { id: row.raised_by, name: row.raised_by_name ?? '' } : null,
    notificationId: row.notification_id,
    assessment:
      row.risk_level && row.decision && row.decided_at
        ? {
            riskLevel: row.risk_level,
            decision: row.decision,
            reasons: row.decision_reasons ?? '',
            bringForwardTo: row.bring_forward_to,
            decidedBy: row.decided_by ? { id: row.decided_by, name: row.decided_by_name ?? '' } : null,
            decidedAt: new Date(row.decided_at).toISOString(),
          }
        : null,
    version: row.version,
  };
}

export async function findConcern(db: Db, id: string): Promise<Concern | null> {
  if (!isUuid(id)) return null;
  const row = await concernQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toConcern(row) : null;
}

export type ConcernSearch = Omit<ConcernQuery, 'page' | 'pageSize'> & { page: number; pageSize: number };

/** Concerns matching the filters, newest first, a page at a time. */
export async function searchConcerns(db: Db, search: ConcernSearch): Promise<Page<Concern>> {
  let query = concernQuery(db);
  if (search.status) query = query.where('c.status', '=', search.status);
  if (search.riskLevel) query = query.where('c.risk_level', '=', search.riskLevel);
  if (search.decision) query = query.where('c.decision', '=', search.decision);
  if (search.providerId) query = query.where('c.provider_id', '=', search.providerId);
  if (search.receivedFrom) query = query.where('c.received_at', '>=', startOfEnglishDay(search.receivedFrom));
  if (search.receivedTo) query = query.where('c.received_at', '<', endOfEnglishDay(search.receivedTo));
  return fetchPage(query, (q) => q.orderBy('c.received_at', 'desc').orderBy('c.id'), search, toConcern);
}

export interface OtherConcern {
  id: string;
  reference: string;
  receivedAt: string;
  status: ConcernStatus;
  riskLevel: RiskLevel | null;
  decision: ConcernDecision | null;
}

/** The provider's other concerns, newest first: the history a planner weighs a new one against. */
export async function otherConcernsAbout(
  db: Db,
  providerId: string,
  exceptId: string,
  limit = 50,
): Promise<OtherConcern[]> {
  const rows = await db
    .selectFrom('concerns')
    .select(['id', 'reference', 'received_at', 'status', 'risk_level', 'decision'])
    .where('provider_id', '=', providerId)
    .where('id', '<>', exceptId)
    .orderBy('received_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    receivedAt: new Date(r.received_at).toISOString(),
    status: r.status,
    riskLevel: r.risk_level,
    decision: r.decision,
  }));
}

/** A decided concern as a risk signal for the plan. */
export interface ConcernSignal {
  concernId: string;
  reference: string;
  providerId: string;
  receivedAt: string;
  riskLevel: RiskLevel;
  decision: ConcernDecision;
  bringForwardTo: string | null;
  decidedAt: string;
}

/**
 * Decided concerns about providers (all of them, or those given), received on or after `since` when
 * given, newest first: what the plan weighs when bringing an inspection forward.
 */
export async function decidedConcerns(
  db: Db | Trx,
  options: { providerIds?: string[]; since?: Date } = {},
): Promise<ConcernSignal[]> {
  if (options.providerIds && options.providerIds.length === 0) return [];
  let query = db
    .selectFrom('concerns')
    .select([
      'id',
      'reference',
      'provider_id',
      'received_at',
      'risk_level',
      'decision',
      'bring_forward_to',
      'decided_at',
    ])
    .where('status', '=', 'decided')
    .where('provider_id', 'is not', null);
  if (options.providerIds) query = query.where('provider_id', 'in', options.providerIds);
  if (options.since) query = query.where('received_at', '>=', options.since);
  const rows = await query.orderBy('received_at', 'desc').execute();
  return rows.map((r) => ({
    concernId: r.id,
    reference: r.reference,
    providerId: r.provider_id!,
    receivedAt: new Date(r.received_at).toISOString(),
    riskLevel: r.risk_level!,
    decision: r.decision!,
    bringForwardTo: r.bring_forward_to,
    decidedAt: new Date(r.decided_at!).toISOString(),
  }));
}

// ---- Risk assessment ----

/**
 * Records a planner's risk assessment and decision, matching the concern to a provider on the register
 * first when asked. Refused with 409 when the concern changed since it was read. It changes the concern
 * and nothing else: bringing an inspection forward or inspecting now is for the plan to act on.
 */
export async function assessConcern(
  db: Db,
  actorId: string,
  id: string,
  body: AssessmentBody,
  now: Date,
): Promise<void> {
  if (!isUuid(id)) throw notFound();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('concerns')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.version !== body.version) {
      throw conflict('The concern changed meanwhile. Check it and try again.');
    }
    if (body.providerId && body.providerId !== row.provider_id) {
      const provider = await trx
        .selectFrom('providers')
        .select('id')
        .where('id', '=', body.providerId)
        .executeTakeFirst();
      if (!provider)
        throw invalid([{ field: 'providerId', message: 'Select the provider from the register' }]);
    }
    const providerId = body.providerId ?? row.provider_id;
    const problems = assessmentProblems(body, englishDate(now), providerId !== null);
    if (problems.length > 0) throw unprocessable(problems);
    const change = {
      provider_id: providerId,
      status: 'decided' as const,
      risk_level: body.riskLevel,
      decision: body.decision,
      decision_reasons: body.reasons,
      bring_forward_to: body.decision === 'bring-forward' ? (body.bringForwardTo ?? null) : null,
      decided_by: actorId,
      decided_at: now,
    };
    await trx
      .updateTable('concerns')
      .set({ ...change, updated_at: now, version: row.version + 1 })
      .where('id', '=', id)
      .execute();
    const before = Object.fromEntries(Object.keys(change).map((k) => [k, row[k as keyof typeof row]]));
    await recordAudit(trx, {
      actorId,
      action: 'concern.assessed',
      entityType: 'concern',
      entityId: id,
      before,
      after: change,
    });
  });
}
