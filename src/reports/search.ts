import { sql } from 'kysely';
import type { IsoDate } from '../calendar/working-days.js';
import { fetchSlice, type Cursor, type Keyset } from '../db/keyset.js';
import { fetchPage, type KeysetPage, type Page } from '../db/paging.js';
import type { Db } from '../db/database.js';
import type { ProviderScope } from '../people/policy.js';
import type { ReportContent, ReportStatus } from './rules.js';
import { parsed, reportQuery } from './store.js';

/** Finding reports: the public search of published reports, and the lists of reports in progress. */

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
 * Reports in progress (draft or final: neither published nor withdrawn), as far as the person may see
 * them (all for staff, their own for providers), the latest draft first, a page at a time.
 */
export async function unpublishedReports(
  db: Db,
  scope: ProviderScope,
  paging: { page: number; pageSize: number },
): Promise<Page<ReportSummary>> {
  if (scope.kind === 'none' || (scope.kind === 'own' && scope.providerIds.length === 0)) {
    return { items: [], ...paging, total: 0, totalPages: 0 };
  }
  let query = summaryQuery(db).where('r.status', 'in', ['draft', 'final']);
  if (scope.kind === 'own') {
    query = query.where(sql<string>`${field(`->'provider'->>'id'`)}`, 'in', scope.providerIds);
  }
  return fetchPage(query, (q) => q.orderBy('r.draft_issued_on', 'desc').orderBy('r.id'), paging, toSummary);
}
