import { sql, type Transaction } from 'kysely';
import { isUuid } from '../fields.js';
import { recordAudit } from '../audit/store.js';
import { formatLongDate, type IsoDate } from '../calendar/working-days.js';
import { englishDate, endOfEnglishDay, startOfEnglishDay, today, type Clock } from '../clock.js';
import { hasOpenComplaint, raiseComplaint } from '../complaints/store.js';
import { fetchSlice, type Cursor, type Keyset } from '../db/keyset.js';
import { fetchPage, type KeysetPage, type Page } from '../db/paging.js';
import type { Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { cancelDeadline, resolveFlag, scheduleDeadline, type DeadlineAction } from '../deadlines/store.js';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import type { PostInspectionProcedure, ResponseRoute } from '../frameworks/types.js';
import {
  DRAFT_REPORT_OVERDUE,
  FINAL_REPORT_OVERDUE,
  findInspection,
  inspectionRecord,
  type InspectionRecord,
} from '../inspections/store.js';
import { queueMessage } from '../messages/store.js';
import { findPerson } from '../people/store.js';
import type { ProviderScope } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { findProvider } from '../providers/store.js';
import { conflict, notFound, unprocessable } from '../refusal.js';
import {
  amendRefusal,
  carriesPoints,
  decideRefusal,
  finaliseRefusal,
  inspectionDates,
  PRESUME_ACCURATE,
  presumedAccurateOn,
  procedureById,
  publishRefusal,
  REMINDER_WORKING_DAYS,
  REPORT_STATUSES,
  reportTexts,
  respondRefusal,
  RESPONSE_REMINDER,
  RESPONSE_ROUTES,
  responseDueFor,
  responseProblems,
  workingDaysBefore,
  type DraftResponseInput,
  type PointDecision,
  type ReportContent,
  type ReportState,
  type ReportStatus,
} from './rules.js';

type Trx = Transaction<Schema>;

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
  presumedAccurate: boolean;
  /** The current version: every change to the report is a new one, the earlier ones kept. */
  version: number;
  narrative: string;
  content: ReportContent;
  response: DraftResponse | null;
  /** Oldest first. */
  versions: ReportVersion[];
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const parsed = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

function procedureOf(id: string): PostInspectionProcedure {
  const procedure = procedureById(id);
  if (!procedure) throw new Error(`Report under unknown post-inspection procedure '${id}'`);
  return procedure;
}

// ---- Reading ----

function reportQuery(db: Db | Trx) {
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
  const content = parsed<ReportContent>(row.content);
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

async function responseOf(db: Db | Trx, reportId: string): Promise<DraftResponse | null> {
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

export interface ReportSummary {
  id: string;
  inspectionId: string;
  status: ReportStatus;
  provider: ReportContent['provider'];
  inspection: ReportContent['inspection'];
  overallGrade: { grade: string; label: string } | null;
  draftIssuedOn: IsoDate;
  responseDue: IsoDate;
  finalisedOn: IsoDate | null;
  publishedOn: IsoDate | null;
  responded: boolean;
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['execute']>>[number];

function summaryQuery(db: Db) {
  return reportQuery(db).select((eb) =>
    eb
      .exists(eb.selectFrom('draft_responses as d').select('d.id').whereRef('d.report_id', '=', 'r.id'))
      .as('responded'),
  );
}

function toSummary(row: SummaryRow): ReportSummary {
  const content = parsed<ReportContent>(row.content);
  return {
    id: row.id,
    inspectionId: row.inspection_id,
    status: row.status,
    provider: content.provider,
    inspection: content.inspection,
    overallGrade: content.overallGrade
      ? { grade: content.overallGrade.grade, label: content.overallGrade.label }
      : null,
    draftIssuedOn: row.draft_issued_on!,
    responseDue: row.response_due!,
    finalisedOn: row.finalised_on,
    publishedOn: row.published_on,
    responded: Boolean(row.responded),
  };
}

export interface ReportSearch {
  q?: string | undefined;
  type?: string | undefined;
  localAuthority?: string | undefined;
  grade?: string | undefined;
  page: number;
  pageSize: number;
  /** Where to start instead of `page`. */
  cursor?: Cursor | undefined;
  /** Whether to count the matches (default yes, up to the limit). */
  count?: boolean | undefined;
}

/** Newest published first, served by reports_published_newest (published_on desc, id) or reports_status. */
export const REPORT_ORDER: Keyset = {
  name: 'reports',
  columns: [
    { expression: sql.ref('r.published_on'), type: 'date', direction: 'desc' },
    { expression: sql.ref('r.id'), type: 'uuid', direction: 'asc' },
  ],
};

const field = (path: string) => sql.raw(`v.content${path}`);

/**
 * A search counts its matches up to this many and then says "more than": counting every one of a
 * broad search's matches across the country (a million reports) took longer than the page itself.
 */
export const SEARCH_COUNT_LIMIT = 10_000;

/** A page of search results; when `totalExact` is false there are more matches than `total`. */
export interface ReportSearchPage extends KeysetPage<ReportSummary> {
  totalExact: boolean | null;
}

/**
 * Published reports, newest first, searched on the fields the report row keeps from its current version
 * (name or URN containing the text, type, local authority, overall grade), each filter led by an index.
 */
export async function searchPublishedReports(
  db: Db,
  search: ReportSearch,
  countUpTo = SEARCH_COUNT_LIMIT,
): Promise<ReportSearchPage> {
  let matches = db.selectFrom('reports as r').where('r.status', '=', 'published');
  if (search.q) {
    const pattern = `%${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    matches = matches.where((eb) =>
      eb.or([eb('r.provider_name', 'ilike', pattern), eb('r.provider_urn', 'ilike', pattern)]),
    );
  }
  if (search.type) matches = matches.where('r.provider_type', '=', search.type);
  if (search.localAuthority) {
    matches = matches.where(sql<string>`lower(r.local_authority)`, '=', search.localAuthority.toLowerCase());
  }
  if (search.grade) matches = matches.where('r.overall_grade', '=', search.grade);
  const { page, pageSize } = search;
  const count = search.count ?? true;
  const [slice, counted] = await Promise.all([
    fetchSlice(
      matches
        .innerJoin('report_versions as v', (join) =>
          join.onRef('v.report_id', '=', 'r.id').onRef('v.version', '=', 'r.version'),
        )
        .selectAll('r')
        .select(['v.narrative', 'v.content'])
        .select((eb) =>
          eb
            .exists(eb.selectFrom('draft_responses as d').select('d.id').whereRef('d.report_id', '=', 'r.id'))
            .as('responded'),
        ),
      REPORT_ORDER,
      search,
      toSummary,
    ),
    count ? countUpToLimit() : null,
  ]);
  if (counted === null) return { ...slice, page, pageSize, total: null, totalPages: null, totalExact: null };
  const total = Math.min(counted, countUpTo);
  return {
    ...slice,
    page,
    pageSize,
    total,
    totalPages: Math.ceil(total / pageSize),
    totalExact: counted <= countUpTo,
  };

  async function countUpToLimit() {
    const { n } = await db
      .selectFrom(
        matches
          .select(sql`1`.as('one'))
          .limit(countUpTo + 1)
          .as('m'),
      )
      .select(sql<number | string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}

/**
 * The local authorities with at least one published report, for the search filter: one distinct value
 * at a time from the index (a few hundred probes), not a pass over every report.
 */
export async function localAuthoritiesWithReports(db: Db): Promise<string[]> {
  const { rows } = await sql<{ local_authority: string | null }>`
    with recursive authority (local_authority) as (
      (select r.local_authority from reports r
       where r.status = 'published' and r.local_authority is not null
       order by r.local_authority limit 1)
      union all
      select (select r.local_authority from reports r
              where r.status = 'published' and r.local_authority > a.local_authority
              order by r.local_authority limit 1)
      from authority a where a.local_authority is not null
    )
    select local_authority from authority where local_authority is not null`.execute(db);
  return rows
    .map((row) => row.local_authority)
    .filter((name): name is string => Boolean(name))
    .sort((a, b) => a.localeCompare(b));
}

/**
 * Reports not yet published, as far as the person may see them (all for staff, their own for
 * providers), the latest draft first, a page at a time.
 */
export async function unpublishedReports(
  db: Db,
  scope: ProviderScope,
  paging: { page: number; pageSize: number },
): Promise<Page<ReportSummary>> {
  if (scope.kind === 'none' || (scope.kind === 'own' && scope.providerIds.length === 0)) {
    return { items: [], ...paging, total: 0, totalPages: 0 };
  }
  let query = summaryQuery(db).where('r.status', '<>', 'published');
  if (scope.kind === 'own') {
    query = query.where(sql<string>`${field(`->'provider'->>'id'`)}`, 'in', scope.providerIds);
  }
  return fetchPage(query, (q) => q.orderBy('r.draft_issued_on', 'desc').orderBy('r.id'), paging, toSummary);
}

// ---- Writing ----

/** The report's content, taken from the inspection's record as it stands. */
export function contentOf(record: InspectionRecord, localAuthority: string): ReportContent {
  const areaName = (areaId: string) => record.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
  const areaOrder = (areaId: string) => {
    const index = record.judgementAreas.findIndex((a) => a.id === areaId);
    return index < 0 ? record.judgementAreas.length : index;
  };
  return {
    provider: { ...record.provider, localAuthority },
    inspection: {
      id: record.id,
      type: record.type,
      startDate: record.startDate,
      endDate: record.endDate,
    },
    framework: record.framework,
    // In the framework's order of its areas, the headline area first.
    judgements: [...record.judgements]
      .sort((a, b) => areaOrder(a.areaId) - areaOrder(b.areaId))
      .map((j) => ({
        areaId: j.areaId,
        areaName: j.areaName,
        grade: j.grade,
        gradeLabel: j.gradeLabel,
      })),
    overallGrade: record.overallGrade
      ? {
          grade: record.overallGrade.grade,
          label: record.overallGrade.label,
          limitedBy: record.overallGrade.limitedBy.map(areaName),
        }
      : null,
    requirements: record.requirements.map((r) => ({
      regulationId: r.regulationId,
      regulation: r.regulationTitle,
      action: r.action,
      impact: r.impact,
      complyBy: r.complyBy,
    })),
    recommendations: record.recommendations.map((r) => ({
      guideId: r.guideId,
      guide: r.guideTitle,
      page: r.page,
      paragraph: r.paragraph,
      text: r.text,
    })),
  };
}

/** Locks the report for a change: one change at a time, each seeing the one before. */
async function lockReport(trx: Trx, id: string) {
  if (!isUuid(id)) throw notFound();
  const row = await trx.selectFrom('reports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

type ReportRow = Awaited<ReturnType<typeof lockReport>>;

async function currentVersion(trx: Trx, row: ReportRow) {
  const version = await trx
    .selectFrom('report_versions')
    .select(['narrative', 'content'])
    .where('report_id', '=', row.id)
    .where('version', '=', row.version)
    .executeTakeFirstOrThrow();
  return { narrative: version.narrative, content: parsed<ReportContent>(version.content) };
}

/**
 * The fields the public search reads, kept on the report row with each version it moves to (in the
 * same statement), so that the search reads one table through its indexes, not every version's content.
 */
function searchFields(content: ReportContent) {
  return {
    provider_name: content.provider.name,
    provider_urn: content.provider.urn,
    provider_type: content.provider.type,
    local_authority: content.provider.localAuthority,
    overall_grade: content.overallGrade?.grade ?? null,
  };
}

/** Every change is a new version: the report row moves on, the earlier versions stay. */
async function writeVersion(
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
      finalised_on: IsoDate;
      published_on: IsoDate;
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

async function tellProvider(
  trx: Trx,
  content: ReportContent,
  message: { template: string; subject: string; body: string },
) {
  for (const recipient of await providerRecipients(trx, content.provider.id)) {
    await queueMessage(trx, { recipient, ...message });
  }
}

const about = (content: ReportContent) =>
  `the inspection of ${content.provider.name} (URN ${content.provider.urn}) on ${inspectionDates(content)}`;

const routesInWords = (routes: readonly ResponseRoute[]) =>
  routes.map((route) => RESPONSE_ROUTES[route].toLowerCase()).join('; or ');

/**
 * Issues the draft report of an inspection that has had its feedback: version 1, the response window
 * counted from today under the inspection's procedure, the reminder and the presumption of accuracy
 * scheduled, and the provider told, all at once.
 */
export async function issueDraft(
  db: Db,
  clock: Clock,
  actorId: string,
  record: InspectionRecord,
  narrative: string,
): Promise<string> {
  if (record.status !== 'feedback-given' && record.status !== 'completed') {
    throw conflict(
      `A draft report is issued after the feedback; this inspection is ${record.status.replace('-', ' ')}.`,
    );
  }
  if (await reportOfInspection(db, record.id)) {
    throw conflict('The draft report of this inspection has already been issued.');
  }
  if (!record.overallGrade) {
    throw unprocessable([
      {
        field: 'judgements',
        message: 'Grade every area needed for the overall grade before issuing the report',
      },
    ]);
  }
  let procedure: PostInspectionProcedure;
  try {
    procedure = procedureFor(record.endDate);
  } catch (error) {
    if (error instanceof RuleError) throw unprocessable([{ field: 'endDate', message: error.message }]);
    throw error;
  }
  const provider = await findProvider(db, record.provider.id);
  if (!provider) throw notFound();
  const content = contentOf(record, provider.localAuthority);
  const now = clock.now();
  const issuedOn = today(clock);
  const responseDue = responseDueFor(procedure, record.endDate, issuedOn);

  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('reports')
      .values({
        inspection_id: record.id,
        procedure_id: procedure.id,
        draft_issued_on: issuedOn,
        response_due: responseDue,
        finalised_on: null,
        published_on: null,
        created_at: now,
        updated_at: now,
        ...searchFields(content),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('report_versions')
      .values({
        report_id: id,
        version: 1,
        narrative,
        content: JSON.stringify(content),
        change_note: 'Draft report issued',
        changed_by: actorId,
        changed_at: now,
      })
      .execute();

    const reminderAt = startOfEnglishDay(workingDaysBefore(responseDue, REMINDER_WORKING_DAYS));
    if (reminderAt > now) await scheduleDeadline(trx, RESPONSE_REMINDER, id, reminderAt);
    await scheduleDeadline(trx, PRESUME_ACCURATE, id, endOfEnglishDay(responseDue));
    await resolveFlag(trx, DRAFT_REPORT_OVERDUE, record.id);

    await tellProvider(trx, content, {
      template: 'draft-report-issued',
      subject: `Draft inspection report: ${content.provider.name}`,
      body:
        `The draft report of ${about(content)} is ready. You have until ${formatLongDate(responseDue)} to respond. ` +
        `You may ${routesInWords(procedure.responseRoutes)}. ` +
        `Read the draft and respond at /reports/${id}/respond. ` +
        'If you do not respond by then, the report is presumed accurate and will be finalised and published.',
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.draft-issued',
      entityType: 'report',
      entityId: id,
      before: null,
      after: { inspectionId: record.id, procedure: procedure.id, draftIssuedOn: issuedOn, responseDue },
    });
    return id;
  });
}

/** A new version of the draft with an amended narrative; `version` guards against a lost update. */
export async function amendNarrative(
  db: Db,
  clock: Clock,
  actorId: string,
  reportId: string,
  input: { narrative: string; note: string; version?: number | undefined },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = amendRefusal(row.status);
    if (refusal) throw refusal;
    if (input.version !== undefined && input.version !== row.version) {
      throw conflict('Someone else changed this report after you opened it. Reload it and try again.');
    }
    const current = await currentVersion(trx, row);
    const version = await writeVersion(trx, row, {
      narrative: input.narrative,
      content: current.content,
      note: input.note,
      actorId,
      at: clock.now(),
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.amended',
      entityType: 'report',
      entityId: reportId,
      before: { version: row.version },
      after: { version, note: input.note },
    });
    return version;
  });
}

/**
 * A complaint's remedy acting on the report, in the complaint's transaction: a new version at any
 * stage (a published report stays published, showing the amendment), with the narrative the complaints
 * team gave (if any), the judgements and overall grade as the inspection now has them (when a grade was
 * changed), and a note of the amendment that the report shows. The provider is told. Null when the
 * inspection has no report yet: its report will be built from the changed judgements when issued.
 */
export async function amendReportAfterComplaint(
  trx: Trx,
  actorId: string,
  inspectionId: string,
  input: { complaint: string; note: string; narrative?: string | undefined; judgementsChanged: boolean },
  now: Date,
): Promise<{ reportId: string; version: number } | null> {
  const found = await trx
    .selectFrom('reports')
    .select('id')
    .where('inspection_id', '=', inspectionId)
    .executeTakeFirst();
  if (!found) return null;
  const row = await lockReport(trx, found.id);
  const current = await currentVersion(trx, row);
  let content: ReportContent = current.content;
  if (input.judgementsChanged) {
    const record = await inspectionRecord(trx, inspectionId);
    if (!record) throw notFound();
    const graded = contentOf(record, content.provider.localAuthority);
    content = { ...content, judgements: graded.judgements, overallGrade: graded.overallGrade };
  }
  const on = englishDate(now);
  content = {
    ...content,
    amendments: [...(content.amendments ?? []), { on, complaint: input.complaint, note: input.note }],
  };
  const version = await writeVersion(trx, row, {
    narrative: input.narrative ?? current.narrative,
    content,
    note: `Amended following complaint ${input.complaint}: ${input.note}`,
    actorId,
    at: now,
  });
  await recordAudit(trx, {
    actorId,
    action: 'report.amended-after-complaint',
    entityType: 'report',
    entityId: row.id,
    before: { version: row.version, overallGrade: current.content.overallGrade?.grade ?? null },
    after: {
      version,
      complaint: input.complaint,
      note: input.note,
      narrativeChanged: input.narrative !== undefined && input.narrative !== current.narrative,
      overallGrade: content.overallGrade?.grade ?? null,
    },
  });
  const grade =
    input.judgementsChanged && content.overallGrade
      ? ` The overall grade is now ${content.overallGrade.label.toLowerCase()}.`
      : '';
  await tellProvider(trx, content, {
    template: 'report-amended-after-complaint',
    subject: `Inspection report amended: ${content.provider.name}`,
    body:
      `Following complaint ${input.complaint}, the ${REPORT_STATUSES[row.status].toLowerCase()} report of ${about(content)} ` +
      `has been amended: ${input.note}${grade} Read it at /reports/${row.id}.`,
  });
  return { reportId: row.id, version };
}

async function stateOf(trx: Trx, row: ReportRow): Promise<ReportState> {
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
 * The provider's answer to the draft, by a route its procedure allows and inside the window. Minor
 * points (or factual accuracy comments) quote the report; a formal complaint is taken in by the
 * complaints procedure in the same transaction. Either way the reminder and the presumption are off.
 */
export async function respondToDraft(
  db: Db,
  clock: Clock,
  person: Person,
  reportId: string,
  input: DraftResponseInput,
): Promise<{ response: DraftResponse; complaint: { id: string; reference: string } | null }> {
  const now = clock.now();
  const on = today(clock);
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = respondRefusal(await stateOf(trx, row), on);
    if (refusal) throw refusal;
    const procedure = procedureOf(row.procedure_id);
    const current = await currentVersion(trx, row);
    const errors = responseProblems(input, {
      allowed: procedure.responseRoutes,
      today: on,
      responseDue: row.response_due!,
      texts: reportTexts(current.narrative, current.content),
    });
    if (errors.length > 0) throw unprocessable(errors);
    const route = input.route as ResponseRoute;

    const { id: responseId } = await trx
      .insertInto('draft_responses')
      .values({ report_id: reportId, route, submitted_by: person.id, submitted_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const points = carriesPoints(route) ? (input.points ?? []) : [];
    if (points.length > 0) {
      await trx
        .insertInto('accuracy_points')
        .values(
          points.map((point, index) => ({
            response_id: responseId,
            position: index + 1,
            passage: point.passage.trim(),
            comment: point.comment.trim(),
            decision: null,
            reason: null,
            decided_by: null,
            decided_at: null,
          })),
        )
        .execute();
    }
    const complaint =
      route === 'formal-complaint'
        ? await raiseComplaint(trx, person.id, {
            inspectionId: row.inspection_id,
            channel: 'draft-response',
            complainantName: person.name,
            complainantEmail: person.email,
            summary: input.summary!.trim(),
            receivedOn: on,
          })
        : null;
    await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
    await cancelDeadline(trx, PRESUME_ACCURATE, reportId);

    const lead = await leadInspectorOf(trx, row.inspection_id);
    if (lead) {
      await queueMessage(trx, {
        recipient: lead.email,
        template: 'draft-response-received',
        subject: `Response to the draft report: ${current.content.provider.name}`,
        body:
          `${person.name} responded to the draft report of ${about(current.content)}: ` +
          `${RESPONSE_ROUTES[route].toLowerCase()}` +
          (points.length ? ` (${points.length} ${points.length === 1 ? 'point' : 'points'} to decide)` : '') +
          (complaint ? ` (complaint ${complaint.reference})` : '') +
          `. See /inspections/${row.inspection_id}/report.`,
      });
    }
    await recordAudit(trx, {
      actorId: person.id,
      action: 'report.response-received',
      entityType: 'report',
      entityId: reportId,
      before: null,
      after: { responseId, route, points: points.length, complaint: complaint?.reference ?? null },
    });
    return { responseId, complaint };
  });
  const response = await responseOf(db, reportId);
  if (!response || response.id !== outcome.responseId) throw new Error('The response was not recorded');
  return { response, complaint: outcome.complaint };
}

async function leadInspectorOf(trx: Trx, inspectionId: string) {
  const inspection = await findInspection(trx, inspectionId);
  return inspection ? findPerson(trx, inspection.leadInspector.id) : null;
}

/**
 * The inspector's decision on one point, with its reason; an accepted point may bring an amended
 * narrative, which becomes a new version.
 */
export async function decidePoint(
  db: Db,
  clock: Clock,
  actorId: string,
  reportId: string,
  pointId: string,
  input: { decision: PointDecision; reason: string; narrative?: string | null | undefined },
): Promise<AccuracyPoint> {
  if (!isUuid(pointId)) throw notFound();
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = decideRefusal(row.status);
    if (refusal) throw refusal;
    const point = await trx
      .selectFrom('accuracy_points as a')
      .innerJoin('draft_responses as d', 'd.id', 'a.response_id')
      .select(['a.id', 'a.position', 'a.decision', 'a.reason'])
      .where('a.id', '=', pointId)
      .where('d.report_id', '=', reportId)
      .executeTakeFirst();
    if (!point) throw notFound();
    if (input.narrative && input.decision !== 'accepted') {
      throw unprocessable([
        { field: 'narrative', message: 'Amend the narrative only when accepting a point' },
      ]);
    }
    await trx
      .updateTable('accuracy_points')
      .set({ decision: input.decision, reason: input.reason, decided_by: actorId, decided_at: now })
      .where('id', '=', pointId)
      .execute();
    if (input.narrative) {
      const current = await currentVersion(trx, row);
      await writeVersion(trx, row, {
        narrative: input.narrative,
        content: current.content,
        note: `Point ${point.position} accepted: ${input.reason}`,
        actorId,
        at: now,
      });
    } else {
      await trx.updateTable('reports').set({ updated_at: now }).where('id', '=', reportId).execute();
    }
    await recordAudit(trx, {
      actorId,
      action: 'report.point-decided',
      entityType: 'report',
      entityId: reportId,
      before: { pointId, decision: point.decision, reason: point.reason },
      after: {
        pointId,
        decision: input.decision,
        reason: input.reason,
        narrativeAmended: Boolean(input.narrative),
      },
    });
  });
  const response = await responseOf(db, reportId);
  return response!.points.find((p) => p.id === pointId)!;
}

/**
 * Finalises the draft once its points are decided, or once the time to answer it has passed without
 * an answer (the report is then presumed accurate).
 */
export async function finaliseReport(db: Db, clock: Clock, actorId: string, reportId: string) {
  const now = clock.now();
  const on = today(clock);
  await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const state = await stateOf(trx, row);
    const refusal = finaliseRefusal(state, on);
    if (refusal) throw refusal;
    const presumed = presumedAccurateOn(state, on);
    const current = await currentVersion(trx, row);
    const points = state.response ? ((await responseOf(trx, reportId))?.points ?? []) : [];
    const accepted = points.filter((p) => p.decision === 'accepted').length;
    const note = presumed
      ? `Finalised: no response by ${formatLongDate(row.response_due!)}, so the report is presumed accurate`
      : state.response && carriesPoints(state.response.route)
        ? `Finalised: ${accepted} of ${points.length} ${points.length === 1 ? 'point' : 'points'} accepted`
        : 'Finalised';
    await writeVersion(trx, row, {
      narrative: current.narrative,
      content: current.content,
      note,
      actorId,
      at: now,
      set: { status: 'final', finalised_on: on, presumed_accurate: presumed },
    });
    await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
    await cancelDeadline(trx, PRESUME_ACCURATE, reportId);
    await resolveFlag(trx, FINAL_REPORT_OVERDUE, row.inspection_id);
    await tellProvider(trx, current.content, {
      template: 'report-finalised',
      subject: `Final inspection report: ${current.content.provider.name}`,
      body:
        `The report of ${about(current.content)} is final` +
        (points.length
          ? `: ${accepted} of your ${points.length} ${points.length === 1 ? 'point was' : 'points were'} accepted. `
          : '. ') +
        `Read it at /reports/${reportId}.`,
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.finalised',
      entityType: 'report',
      entityId: reportId,
      before: { status: row.status },
      after: { status: 'final', finalisedOn: on, presumedAccurate: presumed },
    });
  });
}

/** Publishes a final report, unless a complaint about the inspection is still open. */
export async function publishReport(db: Db, clock: Clock, actorId: string, reportId: string) {
  const now = clock.now();
  const on = today(clock);
  await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = publishRefusal(row.status, await hasOpenComplaint(trx, row.inspection_id));
    if (refusal) throw refusal;
    const current = await currentVersion(trx, row);
    await writeVersion(trx, row, {
      narrative: current.narrative,
      content: current.content,
      note: 'Published',
      actorId,
      at: now,
      set: { status: 'published', published_on: on },
    });
    await tellProvider(trx, current.content, {
      template: 'report-published',
      subject: `Inspection report published: ${current.content.provider.name}`,
      body: `The report of ${about(current.content)} is published at /reports/${reportId}.`,
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.published',
      entityType: 'report',
      entityId: reportId,
      before: { status: row.status },
      after: { status: 'published', publishedOn: on },
    });
  });
}

// ---- Deadlines ----

/**
 * The report locked, if it is still a draft nobody has answered: a deadline on it acts only then (the
 * report may have moved on since the deadline was set, and a missing one is nothing to act on).
 */
async function unansweredDraft(trx: Trx, reportId: string): Promise<ReportRow | null> {
  const row = await trx
    .selectFrom('reports')
    .selectAll()
    .where('id', '=', reportId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.status !== 'draft') return null;
  return (await stateOf(trx, row)).response ? null : row;
}

/** Two working days before the window closes, a draft still unanswered brings a reminder. */
export const remindToRespond: DeadlineAction = async (trx, reportId) => {
  const row = await unansweredDraft(trx, reportId);
  if (!row) return;
  const current = await currentVersion(trx, row);
  await tellProvider(trx, current.content, {
    template: 'draft-report-reminder',
    subject: `Reminder: respond to the draft inspection report by ${formatLongDate(row.response_due!)}`,
    body:
      `You have until ${formatLongDate(row.response_due!)} to respond to the draft report of ${about(current.content)}, ` +
      `at /reports/${reportId}/respond. If you do not respond, the report is presumed accurate.`,
  });
};

/**
 * When the window closes without an answer, the report is presumed accurate and becomes final, dated
 * the day after the last day to respond. Runs once (the deadline machinery sees to that) and does
 * nothing if the report has moved on meanwhile.
 */
export const presumeAccurate: DeadlineAction = async (trx, reportId, dueAt) => {
  const row = await unansweredDraft(trx, reportId);
  if (!row) return;
  const finalisedOn = englishDate(dueAt);
  const current = await currentVersion(trx, row);
  await writeVersion(trx, row, {
    narrative: current.narrative,
    content: current.content,
    note: `No response by ${formatLongDate(row.response_due!)}: the report is presumed accurate and final`,
    actorId: null,
    at: dueAt,
    set: { status: 'final', finalised_on: finalisedOn, presumed_accurate: true },
  });
  await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
  await resolveFlag(trx, FINAL_REPORT_OVERDUE, row.inspection_id);
  await tellProvider(trx, current.content, {
    template: 'report-presumed-accurate',
    subject: `Inspection report presumed accurate: ${current.content.provider.name}`,
    body:
      `No response to the draft report of ${about(current.content)} was received by ${formatLongDate(row.response_due!)}. ` +
      `The report is presumed accurate and is now final. It will be published. Read it at /reports/${reportId}.`,
  });
  await recordAudit(trx, {
    actorId: null,
    action: 'report.presumed-accurate',
    entityType: 'report',
    entityId: reportId,
    before: { status: 'draft' },
    after: { status: 'final', finalisedOn, presumedAccurate: true },
  });
};
