import { randomBytes } from 'node:crypto';
import { isUuid } from '../fields.js';
import { sql } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, englishDate, startOfEnglishDay } from '../clock.js';
import type { Db } from '../db/database.js';
import { postInspectionProcedures } from '../frameworks/procedures.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { invalid, notFound, unprocessable } from '../refusal.js';
import {
  acknowledgementDue,
  drawSample,
  responseDue,
  type ComplaintOutcome,
  type HandlingFinding,
  type Remedy,
} from './rules.js';
import { procedureById } from './store.js';
import { withholdAll, type KnownDetails } from './withholding.js';

/**
 * The periodic review of closed complaints by external representatives (from April 2024): a reproducible
 * random sample of the complaints closed in a period, shown with personal details withheld.
 */

const MAX_SAMPLE = 100;

export interface ReviewFinding {
  procedureFollowed: boolean;
  finding: string;
  recordedOn: string;
}

export interface ReviewSummary {
  id: string;
  from: string;
  to: string;
  seed: string;
  size: number;
  cases: number;
  findings: number;
  drawnOn: string;
}

/**
 * One sampled complaint as the reviewer sees it: no names, addresses, contact details or provider
 * identity. Every piece of free text goes through `withhold` (withholding.ts).
 */
export interface AnonymisedCase {
  case: number;
  provider: { type: string; typeLabel: string; region: string };
  procedure: { id: string; name: string };
  channel: string;
  summary: string;
  receivedOn: string;
  acknowledgedOn: string | null;
  acknowledgementDue: string;
  respondedOn: string | null;
  responseDue: string;
  outcome: ComplaintOutcome | null;
  outcomeReasons: string | null;
  remedies: Remedy[];
  notes: { writtenOn: string; note: string }[];
  internalReview: {
    requestedOn: string;
    grounds: string | null;
    finding: HandlingFinding | null;
    reasons: string | null;
    decidedOn: string | null;
  } | null;
  escalation: { escalatedOn: string; grounds: string | null } | null;
  ruling: { ruling: HandlingFinding; reasons: string; ruledOn: string } | null;
  finding: ReviewFinding | null;
}

export interface ReviewDetail extends ReviewSummary {
  sample: AnonymisedCase[];
}

const dayOf = (value: Date | string | null) => (value === null ? null : englishDate(new Date(value)));

/** The procedures under which closed complaints are reviewed externally. */
const reviewedProcedures = postInspectionProcedures
  .filter((p) => p.periodicReviewOfClosedComplaints)
  .map((p) => p.id);

function findingsOf(value: unknown): Record<string, ReviewFinding> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, ReviewFinding>) : {};
}

/**
 * Draws the sample: every complaint handled under a procedure with periodic review and closed between
 * `from` and `to` (days in England, both included), in id order, then the seeded draw.
 */
export async function drawReviewSample(
  db: Db,
  reviewerId: string,
  input: { from: string; to: string; size: number; seed?: string | undefined },
  now: Date,
): Promise<string> {
  const today = englishDate(now);
  const errors = [];
  if (input.to < input.from)
    errors.push({ field: 'to', message: 'The end of the period must be on or after its start' });
  if (input.to > today) {
    errors.push({ field: 'to', message: `The period must end by today, ${formatLongDate(today)}` });
  }
  if (errors.length > 0) throw invalid(errors);
  const seed = input.seed?.trim() || randomBytes(6).toString('hex');
  const closed = await db
    .selectFrom('complaints')
    .select('id')
    .where('closed_at', '>=', startOfEnglishDay(input.from))
    .where('closed_at', '<', endOfEnglishDay(input.to))
    .where('procedure_id', 'in', reviewedProcedures)
    .orderBy('id')
    .execute();
  if (closed.length === 0) {
    throw unprocessable([
      {
        field: 'from',
        message: `No complaints handled under the procedure with external review were closed between ${formatLongDate(input.from)} and ${formatLongDate(input.to)}`,
      },
    ]);
  }
  const sample = drawSample(
    closed.map((c) => c.id),
    Math.min(input.size, MAX_SAMPLE),
    seed,
  );
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('complaint_reviews')
      .values({
        period_from: input.from,
        period_to: input.to,
        seed,
        sample_size: input.size,
        complaint_ids: sample,
        reviewer_id: reviewerId,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: reviewerId,
      action: 'complaint-review.drawn',
      entityType: 'complaint-review',
      entityId: id,
      before: null,
      after: { from: input.from, to: input.to, seed, size: input.size, population: closed.length, sample },
    });
    return id;
  });
}

export async function listReviews(db: Db): Promise<ReviewSummary[]> {
  const rows = await db.selectFrom('complaint_reviews').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    from: r.period_from,
    to: r.period_to,
    seed: r.seed,
    size: r.sample_size,
    cases: r.complaint_ids.length,
    findings: Object.keys(findingsOf(r.findings)).length,
    drawnOn: englishDate(new Date(r.created_at)),
  }));
}

// Withheld texts of closed cases, kept because parsing is slow (tens of milliseconds a paragraph) and
// a sample is read again and again; keyed by the texts and what is known, so a change is a new entry.
const withheldCache = new Map<string, (string | null)[]>();
const CACHE_LIMIT = 5_000;

function withheldTexts(texts: (string | null)[], known: KnownDetails): (string | null)[] {
  const key = JSON.stringify([texts, known]);
  const cached = withheldCache.get(key);
  if (cached) return cached;
  const withheld = withholdAll(texts, known);
  if (withheldCache.size >= CACHE_LIMIT) withheldCache.delete(withheldCache.keys().next().value!);
  withheldCache.set(key, withheld);
  return withheld;
}

/**
 * A review with its sampled complaints, anonymised, in the order they were drawn; with `onlyCase`, the
 * sample holds that case alone (a page showing one case need not withhold the others' text).
 */
export async function findReview(db: Db, id: string, onlyCase?: number): Promise<ReviewDetail | null> {
  if (!isUuid(id)) return null;
  const review = await db.selectFrom('complaint_reviews').selectAll().where('id', '=', id).executeTakeFirst();
  if (!review) return null;
  const drawn = review.complaint_ids;
  const ids = onlyCase === undefined ? drawn : drawn.filter((_, index) => index + 1 === onlyCase);
  const findings = findingsOf(review.findings);
  const rows = ids.length
    ? await db
        .selectFrom('complaints as c')
        .innerJoin('inspections as i', 'i.id', 'c.inspection_id')
        .innerJoin('providers as p', 'p.id', 'i.provider_id')
        .leftJoin('owner_groups as g', 'g.id', 'p.owner_group_id')
        .selectAll('c')
        .select([
          'p.name as provider_name',
          'p.urn as provider_urn',
          'p.address_line1 as provider_address_line1',
          'p.address_line2 as provider_address_line2',
          'p.town as provider_town',
          'p.postcode as provider_postcode',
          'p.type as provider_type',
          'p.region as provider_region',
          'g.name as owner_name',
          // Everyone named on the case, so that free text can be cleared of their names.
          sql<
            string[]
          >`array(select name from people where id = any(array[c.raised_by, c.handler_id, i.lead_inspector_id]
            || array(select person_id from inspection_team t where t.inspection_id = i.id)
            || array(select written_by from complaint_notes n where n.complaint_id = c.id)))`.as(
            'people_names',
          ),
        ])
        .where('c.id', 'in', ids)
        .execute()
    : [];
  const notes = ids.length
    ? await db
        .selectFrom('complaint_notes')
        .select(['complaint_id', 'note', 'written_at'])
        .where('complaint_id', 'in', ids)
        .orderBy('written_at')
        .orderBy('id')
        .execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const cases: AnonymisedCase[] = [];
  ids.forEach((complaintId) => {
    const index = drawn.indexOf(complaintId);
    const r = byId.get(complaintId);
    if (!r) return;
    const known: KnownDetails = {
      people: [r.complainant_name, ...r.people_names],
      emails: [r.complainant_email],
      provider: {
        name: r.provider_name,
        urn: r.provider_urn,
        addressLine1: r.provider_address_line1,
        addressLine2: r.provider_address_line2,
        town: r.provider_town,
        postcode: r.provider_postcode,
      },
      ownerGroup: r.owner_name,
    };
    const caseNotes = notes.filter((n) => n.complaint_id === complaintId);
    // All of a case's text at once, so that a child named as one in the summary is one in the notes.
    const [
      summary,
      outcomeReasons,
      reviewGrounds,
      reviewReasons,
      escalationGrounds,
      rulingReasons,
      ...noteTexts
    ] = withheldTexts(
      [
        r.summary,
        r.outcome_reasons,
        r.internal_review_grounds,
        r.internal_review_reasons,
        r.escalation_grounds,
        r.adjudicator_reasons,
        ...caseNotes.map((n) => n.note),
      ],
      known,
    );
    cases.push({
      case: index + 1,
      provider: {
        type: r.provider_type,
        typeLabel: PROVIDER_TYPES[r.provider_type as keyof typeof PROVIDER_TYPES] ?? r.provider_type,
        region: r.provider_region,
      },
      procedure: { id: r.procedure_id, name: procedureById(r.procedure_id).name },
      channel: r.channel,
      summary: summary!,
      receivedOn: r.received_on,
      acknowledgedOn: dayOf(r.acknowledged_at),
      acknowledgementDue: acknowledgementDue(r.received_on),
      respondedOn: dayOf(r.closed_at),
      responseDue: responseDue(r.received_on),
      outcome: r.outcome as ComplaintOutcome | null,
      outcomeReasons: outcomeReasons ?? null,
      remedies: r.remedies as Remedy[],
      notes: caseNotes.map((n, i) => ({ writtenOn: dayOf(n.written_at)!, note: noteTexts[i]! })),
      internalReview: r.internal_review_requested_at
        ? {
            requestedOn: dayOf(r.internal_review_requested_at)!,
            grounds: reviewGrounds ?? null,
            finding: r.internal_review_outcome as HandlingFinding | null,
            reasons: reviewReasons ?? null,
            decidedOn: dayOf(r.internal_review_at),
          }
        : null,
      escalation: r.escalated_at
        ? { escalatedOn: dayOf(r.escalated_at)!, grounds: escalationGrounds ?? null }
        : null,
      ruling:
        r.adjudicator_ruling && r.adjudicator_ruled_at
          ? {
              ruling: r.adjudicator_ruling as HandlingFinding,
              reasons: rulingReasons ?? '',
              ruledOn: dayOf(r.adjudicator_ruled_at)!,
            }
          : null,
      finding: findings[complaintId] ?? null,
    });
  });
  return {
    id: review.id,
    from: review.period_from,
    to: review.period_to,
    seed: review.seed,
    size: review.sample_size,
    cases: onlyCase === undefined ? cases.length : drawn.length,
    findings: Object.keys(findings).length,
    drawnOn: englishDate(new Date(review.created_at)),
    sample: cases,
  };
}

/** Records (or replaces) the reviewer's finding on one case of the sample. */
export async function recordReviewFinding(
  db: Db,
  reviewerId: string,
  reviewId: string,
  caseNumber: number,
  input: { procedureFollowed: boolean; finding: string },
  now: Date,
): Promise<void> {
  if (!isUuid(reviewId)) throw notFound();
  await db.transaction().execute(async (trx) => {
    const review = await trx
      .selectFrom('complaint_reviews')
      .selectAll()
      .where('id', '=', reviewId)
      .forUpdate()
      .executeTakeFirst();
    if (!review) throw notFound();
    const complaintId = review.complaint_ids[caseNumber - 1];
    if (!complaintId) {
      throw unprocessable([
        {
          field: 'case',
          message: `The sample has cases 1 to ${review.complaint_ids.length}; there is no case ${caseNumber}`,
        },
      ]);
    }
    const findings = findingsOf(review.findings);
    const before = findings[complaintId] ?? null;
    const finding: ReviewFinding = { ...input, recordedOn: englishDate(now) };
    findings[complaintId] = finding;
    await trx
      .updateTable('complaint_reviews')
      .set({ findings: JSON.stringify(findings) })
      .where('id', '=', reviewId)
      .execute();
    await recordAudit(trx, {
      actorId: reviewerId,
      action: 'complaint-review.finding-recorded',
      entityType: 'complaint-review',
      entityId: reviewId,
      before,
      after: { case: caseNumber, ...finding },
    });
  });
}
