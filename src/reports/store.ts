import { isUuid } from '../fields.js';
import type { IsoDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import type { Db, Trx } from '../db/database.js';
import type { PostInspectionProcedure, ResponseRoute } from '../frameworks/types.js';
import { queueMessage } from '../messages/store.js';
import { notFound } from '../refusal.js';
import {
  inspectionDates,
  withInstruments,
  procedureById,
  type PointDecision,
  type ReportContent,
  type ReportState,
  type ReportStatus,
} from './rules.js';

/**
 * The report as stored: a row that moves from version to version, each version kept, and the provider's
 * answer with its points. Reading it here, and the steps every change shares (lock, current version,
 * new version, telling the provider); the changes themselves are in drafts, answers and publication.
 */

export interface AccuracyPoint {
  id: string;
  position: number;
  passage: string;
  comment: string;
  decision: PointDecision | null;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface DraftResponse {
  id: string;
  route: ResponseRoute;
  submittedBy: { id: string; name: string };
  submittedAt: string;
  /** The day in England it was sent. */
  submittedOn: IsoDate;
  points: AccuracyPoint[];
}

export interface ReportVersion {
  version: number;
  narrative: string;
  changeNote: string | null;
  changedBy: { id: string; name: string } | null;
  changedAt: string;
}

export interface Report {
  id: string;
  inspectionId: string;
  providerId: string;
  procedure: { id: string; name: string; responseRoutes: ResponseRoute[] };
  status: ReportStatus;
  draftIssuedOn: IsoDate;
  responseDue: IsoDate;
  finalisedOn: IsoDate | null;
  publishedOn: IsoDate | null;
  withdrawnOn: IsoDate | null;
  presumedAccurate: boolean;
  /** The current version: every change to the report is a new one, the earlier ones kept. */
  version: number;
  narrative: string;
  content: ReportContent;
  response: DraftResponse | null;
  /** Oldest first. */
  versions: ReportVersion[];
}

export const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
export const parsed = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export function procedureOf(id: string): PostInspectionProcedure {
  const procedure = procedureById(id);
  if (!procedure) throw new Error(`Report under unknown post-inspection procedure '${id}'`);
  return procedure;
}

// ---- Reading ----

export function reportQuery(db: Db | Trx) {
  return db
    .selectFrom('reports as r')
    .innerJoin('report_versions as v', (join) =>
      join.onRef('v.report_id', '=', 'r.id').onRef('v.version', '=', 'r.version'),
    )
    .selectAll('r')
    .select(['v.narrative', 'v.content']);
}

async function loadReport(db: Db | Trx, where: { id: string } | { inspectionId: string }) {
  const key = 'id' in where ? where.id : where.inspectionId;
  if (!isUuid(key)) return null;
  let query = reportQuery(db);
  query = 'id' in where ? query.where('r.id', '=', where.id) : query.where('r.inspection_id', '=', key);
  const row = await query.executeTakeFirst();
  if (!row) return null;
  const [versions, response] = await Promise.all([
    db
      .selectFrom('report_versions as v')
      .leftJoin('people as p', 'p.id', 'v.changed_by')
      .select(['v.version', 'v.narrative', 'v.change_note', 'v.changed_by', 'p.name', 'v.changed_at'])
      .where('v.report_id', '=', row.id)
      .orderBy('v.version')
      .execute(),
    responseOf(db, row.id),
  ]);
  const content = withInstruments(parsed<ReportContent>(row.content));
  const procedure = procedureOf(row.procedure_id);
  const report: Report = {
    id: row.id,
    inspectionId: row.inspection_id,
    providerId: content.provider.id,
    procedure: { id: procedure.id, name: procedure.name, responseRoutes: [...procedure.responseRoutes] },
    status: row.status,
    draftIssuedOn: row.draft_issued_on!,
    responseDue: row.response_due!,
    finalisedOn: row.finalised_on,
    publishedOn: row.published_on,
    withdrawnOn: row.withdrawn_on,
    presumedAccurate: row.presumed_accurate,
    version: row.version,
    narrative: row.narrative,
    content,
    response,
    versions: versions.map((v) => ({
      version: v.version,
      narrative: v.narrative,
      changeNote: v.change_note,
      changedBy: v.changed_by ? { id: v.changed_by, name: v.name ?? 'Unknown' } : null,
      changedAt: iso(v.changed_at)!,
    })),
  };
  return report;
}

export function findReport(db: Db, id: string): Promise<Report | null> {
  return loadReport(db, { id });
}

export function reportOfInspection(db: Db, inspectionId: string): Promise<Report | null> {
  return loadReport(db, { inspectionId });
}

export async function responseOf(db: Db | Trx, reportId: string): Promise<DraftResponse | null> {
  const row = await db
    .selectFrom('draft_responses as d')
    .innerJoin('people as p', 'p.id', 'd.submitted_by')
    .selectAll('d')
    .select('p.name')
    .where('d.report_id', '=', reportId)
    .executeTakeFirst();
  if (!row) return null;
  const points = await db
    .selectFrom('accuracy_points as a')
    .leftJoin('people as p', 'p.id', 'a.decided_by')
    .selectAll('a')
    .select('p.name')
    .where('a.response_id', '=', row.id)
    .orderBy('a.position')
    .execute();
  return {
    id: row.id,
    route: row.route as ResponseRoute,
    submittedBy: { id: row.submitted_by, name: row.name },
    submittedAt: iso(row.submitted_at)!,
    submittedOn: englishDate(new Date(row.submitted_at)),
    points: points.map((p) => ({
      id: p.id,
      position: p.position,
      passage: p.passage,
      comment: p.comment,
      decision: p.decision,
      reason: p.reason,
      decidedBy: p.name,
      decidedAt: iso(p.decided_at),
    })),
  };
}

// ---- Changing: one version at a time ----

/** Locks the report for a change: one change at a time, each seeing the one before. */
export async function lockReport(trx: Trx, id: string) {
  if (!isUuid(id)) throw notFound();
  const row = await trx.selectFrom('reports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export type ReportRow = Awaited<ReturnType<typeof lockReport>>;

export async function currentVersion(trx: Trx, row: ReportRow) {
  const version = await trx
    .selectFrom('report_versions')
    .select(['narrative', 'content'])
    .where('report_id', '=', row.id)
    .where('version', '=', row.version)
    .executeTakeFirstOrThrow();
  return { narrative: version.narrative, content: withInstruments(parsed<ReportContent>(version.content)) };
}

/**
 * The fields the public search reads, kept on the report row with each version it moves to (in the
 * same statement), so that the search reads one table through its indexes, not every version's content.
 */
export function searchFields(content: ReportContent) {
  return {
    provider_name: content.provider.name,
    provider_urn: content.provider.urn,
    provider_type: content.provider.type,
    local_authority: content.provider.localAuthority,
    overall_grade: content.overallGrade?.grade ?? null,
  };
}

/** Every change is a new version: the report row moves on, the earlier versions stay. */
export async function writeVersion(
  trx: Trx,
  row: ReportRow,
  change: {
    narrative: string;
    content: ReportContent;
    note: string;
    actorId: string | null;
    at: Date;
    set?: Partial<{
      status: ReportStatus;
      draft_issued_on: IsoDate;
      response_due: IsoDate;
      finalised_on: IsoDate;
      published_on: IsoDate;
      withdrawn_on: IsoDate;
      presumed_accurate: boolean;
    }>;
  },
): Promise<number> {
  const version = row.version + 1;
  await trx
    .updateTable('reports')
    .set({ ...change.set, ...searchFields(change.content), version, updated_at: change.at })
    .where('id', '=', row.id)
    .execute();
  await trx
    .insertInto('report_versions')
    .values({
      report_id: row.id,
      version,
      narrative: change.narrative,
      content: JSON.stringify(change.content),
      change_note: change.note,
      changed_by: change.actorId,
      changed_at: change.at,
    })
    .execute();
  return version;
}

/** The emails of everyone who acts for the provider. */
async function providerRecipients(trx: Trx, providerId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('person_providers as pp')
    .innerJoin('people as p', 'p.id', 'pp.person_id')
    .select('p.email')
    .where('pp.provider_id', '=', providerId)
    .where('p.active', '=', true)
    .orderBy('p.email')
    .execute();
  return rows.map((row) => row.email);
}

export async function tellProvider(
  trx: Trx,
  content: ReportContent,
  message: { template: string; subject: string; body: string },
) {
  for (const recipient of await providerRecipients(trx, content.provider.id)) {
    await queueMessage(trx, { recipient, ...message });
  }
}

export const about = (content: ReportContent) =>
  `the inspection of ${content.provider.name} (URN ${content.provider.urn}) on ${inspectionDates(content)}`;

export async function stateOf(trx: Trx, row: ReportRow): Promise<ReportState> {
  const response = await trx
    .selectFrom('draft_responses as d')
    .select([
      'd.route',
      (eb) =>
        eb
          .selectFrom('accuracy_points as a')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .whereRef('a.response_id', '=', 'd.id')
          .where('a.decision', 'is', null)
          .as('undecided'),
    ])
    .where('d.report_id', '=', row.id)
    .executeTakeFirst();
  return {
    status: row.status,
    responseDue: row.response_due!,
    response: response
      ? { route: response.route as ResponseRoute, undecided: Number(response.undecided ?? 0) }
      : null,
  };
}

/**
 * The report locked, if it is still a draft nobody has answered: a deadline on it acts only then (the
 * report may have moved on since the deadline was set, and a missing one is nothing to act on).
 */
export async function unansweredDraft(trx: Trx, reportId: string): Promise<ReportRow | null> {
  const row = await trx
    .selectFrom('reports')
    .selectAll()
    .where('id', '=', reportId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.status !== 'draft') return null;
  return (await stateOf(trx, row)).response ? null : row;
}
