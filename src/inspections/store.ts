import { sql, type Selectable, type Transaction } from 'kysely';
import { isUuid } from '../fields.js';
import { recordAudit } from '../audit/store.js';
import type { Cursor, Keyset } from '../db/keyset.js';
import { fetchKeysetPage, type KeysetPage } from '../db/paging.js';
import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { JudgementsTable, Schema } from '../db/schema.js';
import { englishDate, endOfEnglishDay } from '../clock.js';
import { scheduleDeadline, type DeadlineAction } from '../deadlines/store.js';
import { queueMessage } from '../messages/store.js';
import {
  frameworkById,
  gradeById,
  guideById,
  judgementAreasInForce,
  overallGrade,
  regulationById,
  RuleError,
  timeline,
} from '../frameworks/rules.js';
import type { Framework } from '../frameworks/types.js';
import type { ProviderScope } from '../people/policy.js';
import { conflict, invalid, notFound, unprocessable, type FieldError } from '../refusal.js';
import {
  canMoveInspection,
  conflictsInTeam,
  FLAW_CONDITIONS,
  isModeratable,
  isRecording,
  recommendationProblems,
  requirementProblems,
  substantiation,
  type DeclaredConflict,
  type EvidenceSource,
  type FlawCondition,
  type InspectionStatus,
  type InspectionType,
  type Notice,
  type Substantiation,
} from './rules.js';

type Trx = Transaction<Schema>;

export interface Inspection {
  id: string;
  provider: { id: string; name: string; urn: string; type: string };
  framework: { id: string; name: string };
  type: InspectionType;
  notice: Notice;
  startDate: string;
  endDate: string;
  status: InspectionStatus;
  leadInspector: { id: string; name: string };
  team: { id: string; name: string }[];
  additionalVisitOf: string | null;
  flaw: { condition: FlawCondition; reasons: string } | null;
  version: number;
}

// ---- Conflicts of interest ----

export async function listConflicts(db: Db, filter: { personId?: string; providerId?: string } = {}) {
  let query = db
    .selectFrom('conflicts_of_interest as c')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .innerJoin('providers as v', 'v.id', 'c.provider_id')
    .select([
      'c.id',
      'c.person_id',
      'p.name as person_name',
      'c.provider_id',
      'v.name as provider_name',
      'c.description',
      'c.declared_at',
    ])
    .orderBy('c.declared_at', 'desc');
  if (filter.personId) query = query.where('c.person_id', '=', filter.personId);
  if (filter.providerId) query = query.where('c.provider_id', '=', filter.providerId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    person: { id: r.person_id, name: r.person_name },
    provider: { id: r.provider_id, name: r.provider_name },
    description: r.description,
    declaredAt: new Date(r.declared_at).toISOString(),
  }));
}

export async function declareConflict(
  db: Db,
  actorId: string,
  input: { personId: string; providerId: string; description: string },
) {
  const person = await db
    .selectFrom('people')
    .select('id')
    .where('id', '=', input.personId)
    .executeTakeFirst();
  if (!person) throw invalid([{ field: 'personId', message: 'Select a person from the list' }]);
  const provider = isUuid(input.providerId)
    ? await db.selectFrom('providers').select('id').where('id', '=', input.providerId).executeTakeFirst()
    : undefined;
  if (!provider) throw invalid([{ field: 'providerId', message: 'Select a provider from the register' }]);
  const existing = await db
    .selectFrom('conflicts_of_interest')
    .select('id')
    .where('person_id', '=', input.personId)
    .where('provider_id', '=', input.providerId)
    .executeTakeFirst();
  if (existing)
    throw invalid([{ field: 'providerId', message: 'A conflict with this provider is already declared' }]);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('conflicts_of_interest')
      .values({
        person_id: input.personId,
        provider_id: input.providerId,
        description: input.description,
        declared_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'conflict-of-interest.declared',
      entityType: 'person',
      entityId: input.personId,
      before: null,
      after: input,
    });
    return row.id;
  });
}

async function declaredConflicts(db: Db, providerId: string): Promise<DeclaredConflict[]> {
  return (await listConflicts(db, { providerId })).map((c) => ({
    personId: c.person.id,
    personName: c.person.name,
    providerId: c.provider.id,
    description: c.description,
  }));
}

// ---- Inspections ----

export interface NewInspection {
  providerId: string;
  frameworkId: string;
  type: InspectionType;
  notice: Notice;
  startDate: string;
  endDate: string;
  leadInspectorId: string;
  team: string[];
}

/** Checks a proposed inspection against the register, the rules and declared conflicts. */
async function inspectionProblems(db: Db, input: NewInspection): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const provider = isUuid(input.providerId)
    ? await db
        .selectFrom('providers')
        .select(['id', 'type', 'name'])
        .where('id', '=', input.providerId)
        .executeTakeFirst()
    : undefined;
  if (!provider) errors.push({ field: 'providerId', message: 'Select a provider from the register' });
  try {
    const framework = frameworkById(input.frameworkId);
    if (provider && !(framework.providerTypes as readonly string[]).includes(provider.type)) {
      errors.push({
        field: 'frameworkId',
        message: `${framework.shortName} does not apply to ${provider.name}`,
      });
    } else if (
      input.startDate < framework.effectiveFrom ||
      (framework.effectiveTo && input.startDate > framework.effectiveTo)
    ) {
      errors.push({
        field: 'frameworkId',
        message: `${framework.shortName} is not in force on ${input.startDate}; it applies from ${framework.effectiveFrom}${framework.effectiveTo ? ` to ${framework.effectiveTo}` : ''}`,
      });
    }
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    errors.push({ field: 'frameworkId', message: error.message });
  }
  if (input.endDate < input.startDate) {
    errors.push({ field: 'endDate', message: 'The last day must be the same as or after the first day' });
  }
  const everyone = [input.leadInspectorId, ...input.team];
  const ids = everyone.filter((id) => isUuid(id));
  const people = ids.length
    ? await db
        .selectFrom('people')
        .select(['id', 'roles'])
        .where('id', 'in', ids)
        .where('active', '=', true)
        .execute()
    : [];
  const isInspector = (id: string) =>
    people.some((p) => p.id === id && p.roles.some((r) => r === 'inspector' || r === 'manager'));
  if (!isInspector(input.leadInspectorId)) {
    errors.push({ field: 'leadInspectorId', message: 'Select an inspector to lead the inspection' });
  }
  input.team.forEach((id, index) => {
    if (!isInspector(id))
      errors.push({ field: `team.${index}`, message: 'Each team member must be an inspector' });
    else if (id === input.leadInspectorId || input.team.indexOf(id) !== index) {
      errors.push({ field: `team.${index}`, message: 'Each inspector can be on the team once' });
    }
  });
  if (provider)
    errors.push(
      ...conflictsInTeam(
        provider.id,
        input.leadInspectorId,
        input.team,
        await declaredConflicts(db, provider.id),
      ),
    );
  return errors;
}

export async function createInspection(db: Db, actorId: string, input: NewInspection): Promise<string> {
  const errors = await inspectionProblems(db, input);
  if (errors.length > 0) throw invalid(errors);
  return db.transaction().execute((trx) => insertInspection(trx, actorId, input, null));
}

/**
 * Checks and writes an inspection in the caller's transaction, for a change that plans one as part of
 * itself (a re-inspection as a complaint's remedy): if the change fails, no inspection is left behind.
 */
export async function createInspectionIn(trx: Trx, actorId: string, input: NewInspection): Promise<string> {
  const errors = await inspectionProblems(trx, input);
  if (errors.length > 0) throw invalid(errors);
  return insertInspection(trx, actorId, input, null);
}

/** Writes an already checked inspection in the caller's transaction. */
async function insertInspection(
  trx: Trx,
  actorId: string,
  input: NewInspection,
  additionalVisitOf: string | null,
) {
  const { id } = await trx
    .insertInto('inspections')
    .values({
      provider_id: input.providerId,
      framework_id: input.frameworkId,
      type: input.type,
      notice: input.notice,
      start_date: input.startDate,
      end_date: input.endDate,
      lead_inspector_id: input.leadInspectorId,
      additional_visit_of: additionalVisitOf,
      flaw_condition: null,
      flaw_reasons: null,
      created_by: actorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.team.length > 0) {
    await trx
      .insertInto('inspection_team')
      .values(input.team.map((personId) => ({ inspection_id: id, person_id: personId })))
      .execute();
  }
  await recordAudit(trx, {
    actorId,
    action: 'inspection.created',
    entityType: 'inspection',
    entityId: id,
    before: null,
    after: { ...input, additionalVisitOf },
  });
  return id;
}

function inspectionQuery(db: Db) {
  return db
    .selectFrom('inspections as i')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .innerJoin('people as l', 'l.id', 'i.lead_inspector_id')
    .selectAll('i')
    .select([
      'p.name as provider_name',
      'p.urn as provider_urn',
      'p.type as provider_type',
      'l.name as lead_name',
      sql<
        { id: string; name: string }[]
      >`coalesce((select json_agg(json_build_object('id', t.person_id, 'name', m.name) order by m.name)
        from inspection_team t join people m on m.id = t.person_id where t.inspection_id = i.id), '[]'::json)`.as(
        'team',
      ),
    ]);
}

type InspectionRow = Awaited<ReturnType<ReturnType<typeof inspectionQuery>['executeTakeFirstOrThrow']>>;

function toInspection(row: InspectionRow): Inspection {
  let frameworkName = row.framework_id;
  try {
    frameworkName = frameworkById(row.framework_id).name;
  } catch {
    // A framework withdrawn from the data keeps its id on old inspections.
  }
  const team = typeof row.team === 'string' ? JSON.parse(row.team) : row.team;
  return {
    id: row.id,
    provider: {
      id: row.provider_id,
      name: row.provider_name,
      urn: row.provider_urn,
      type: row.provider_type,
    },
    framework: { id: row.framework_id, name: frameworkName },
    type: row.type as InspectionType,
    notice: row.notice as Notice,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status as InspectionStatus,
    leadInspector: { id: row.lead_inspector_id, name: row.lead_name },
    team,
    additionalVisitOf: row.additional_visit_of,
    flaw: row.flaw_condition
      ? { condition: row.flaw_condition as FlawCondition, reasons: row.flaw_reasons ?? '' }
      : null,
    version: row.version,
  };
}

const inspectionById = prepared((db, id: string) => inspectionQuery(db).where('i.id', '=', id));

export async function findInspection(db: Db, id: string): Promise<Inspection | null> {
  if (!isUuid(id)) return null;
  const [row] = await inspectionById(db, id);
  return row ? toInspection(row) : null;
}

/** The reads of `inspectionRecord`, one per table, each compiled once (they run on every read of a record). */
const recordReads = {
  evidence: prepared((db, id: string) =>
    db
      .selectFrom('evidence as e')
      .innerJoin('people as p', 'p.id', 'e.recorded_by')
      .selectAll('e')
      .select('p.name as recorder')
      .where('e.inspection_id', '=', id)
      .orderBy('e.recorded_at')
      .orderBy('e.version'),
  ),
  linesOfEnquiry: prepared((db, id: string) =>
    db.selectFrom('lines_of_enquiry').selectAll().where('inspection_id', '=', id).orderBy('opened_at'),
  ),
  dialogue: prepared((db, id: string) =>
    db
      .selectFrom('dialogue_entries as d')
      .innerJoin('people as p', 'p.id', 'd.recorded_by')
      .selectAll('d')
      .select('p.name as recorder')
      .where('d.inspection_id', '=', id)
      .orderBy('d.recorded_at'),
  ),
  judgements: prepared((db, id: string) =>
    db
      .selectFrom('judgements as j')
      .innerJoin('people as p', 'p.id', 'j.given_by')
      .selectAll('j')
      .select('p.name as giver')
      .where('j.inspection_id', '=', id)
      .orderBy('j.area_id')
      .orderBy('j.version'),
  ),
  requirements: prepared((db, id: string) =>
    db.selectFrom('requirements').selectAll().where('inspection_id', '=', id).orderBy('recorded_at'),
  ),
  recommendations: prepared((db, id: string) =>
    db.selectFrom('recommendations').selectAll().where('inspection_id', '=', id).orderBy('recorded_at'),
  ),
  errorsPutRight: prepared((db, id: string) =>
    db.selectFrom('errors_put_right').selectAll().where('inspection_id', '=', id).orderBy('recorded_at'),
  ),
  additionalVisit: prepared((db, id: string) =>
    db.selectFrom('inspections').select('id').where('additional_visit_of', '=', id),
  ),
};

export interface InspectionSearch {
  providerId?: string | undefined;
  status?: InspectionStatus | undefined;
  frameworkId?: string | undefined;
  type?: InspectionType | undefined;
  leadInspectorId?: string | undefined;
  teamMemberId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page: number;
  pageSize: number;
  /** Where to start instead of `page`. */
  cursor?: Cursor | undefined;
  /** Whether to count the matches (default yes). */
  count?: boolean | undefined;
}

/** Newest first, served by the index inspections_start (start_date desc, id). */
export const INSPECTION_ORDER: Keyset = {
  name: 'inspections',
  columns: [
    { expression: sql.ref('i.start_date'), type: 'date', direction: 'desc' },
    { expression: sql.ref('i.id'), type: 'uuid', direction: 'asc' },
  ],
};

/** Inspections newest first, within what the person may see; providers never see planned no-notice visits. */
export async function searchInspections(
  db: Db,
  scope: ProviderScope,
  search: InspectionSearch,
): Promise<KeysetPage<Inspection>> {
  const empty = {
    items: [],
    page: search.page,
    pageSize: search.pageSize,
    total: 0,
    totalPages: 0,
    nextCursor: null,
    previousCursor: null,
  };
  if (scope.kind === 'none' || (scope.kind === 'own' && scope.providerIds.length === 0)) return empty;
  let query = inspectionQuery(db);
  if (scope.kind === 'own') {
    query = query
      .where('i.provider_id', 'in', scope.providerIds)
      .where((eb) => eb.or([eb('i.notice', '<>', 'none'), eb('i.status', '<>', 'planned')]));
  }
  if (search.providerId) query = query.where('i.provider_id', '=', search.providerId);
  if (search.status) query = query.where('i.status', '=', search.status);
  if (search.frameworkId) query = query.where('i.framework_id', '=', search.frameworkId);
  if (search.type) query = query.where('i.type', '=', search.type);
  if (search.leadInspectorId) query = query.where('i.lead_inspector_id', '=', search.leadInspectorId);
  if (search.teamMemberId) {
    const member = search.teamMemberId;
    query = query.where((eb) =>
      eb.or([
        eb('i.lead_inspector_id', '=', member),
        eb.exists(
          eb
            .selectFrom('inspection_team as t')
            .select('t.person_id')
            .whereRef('t.inspection_id', '=', 'i.id')
            .where('t.person_id', '=', member),
        ),
      ]),
    );
  }
  if (search.from) query = query.where('i.end_date', '>=', search.from);
  if (search.to) query = query.where('i.start_date', '<=', search.to);
  return fetchKeysetPage(query, INSPECTION_ORDER, { ...search, count: search.count ?? true }, toInspection);
}

/** Locks the inspection for a change and checks it is in a state that allows it. */
async function lockInspection(trx: Trx, id: string) {
  const row = await trx
    .selectFrom('inspections')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/**
 * For writes that add records under an inspection without changing its row (evidence): a share lock, so
 * a team recording at once does not queue behind each other, while a change of status (which updates the
 * row) still waits for them, and they for it, then see the status it left.
 */
async function holdInspection(trx: Trx, id: string) {
  const row = await trx
    .selectFrom('inspections')
    .select(['id', 'status'])
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

function mustBeRecording(status: string) {
  if (!isRecording(status as InspectionStatus)) {
    throw conflict(
      `Records can be added only while inspectors are on site; this inspection is ${status.replace('-', ' ')}.`,
    );
  }
}

export async function moveInspection(
  db: Db,
  actorId: string,
  id: string,
  to: InspectionStatus,
  version?: number,
) {
  await db.transaction().execute(async (trx) => {
    const row = await lockInspection(trx, id);
    if (version !== undefined && version !== row.version) {
      throw conflict('Someone else changed this inspection after you opened it. Reload it and try again.');
    }
    const from = row.status as InspectionStatus;
    if (!canMoveInspection(from, to) || to === 'incomplete' || to === 'feedback-given') {
      throw invalid([
        {
          field: 'status',
          message: `An inspection that is ${from.replace('-', ' ')} cannot become ${to.replace('-', ' ')} this way`,
        },
      ]);
    }
    await setStatus(trx, actorId, row, to);
  });
}

async function setStatus(
  trx: Trx,
  actorId: string,
  row: { id: string; status: string; version: number },
  to: InspectionStatus,
  extra: object = {},
) {
  await trx
    .updateTable('inspections')
    .set({ status: to, updated_at: new Date(), version: row.version + 1, ...extra })
    .where('id', '=', row.id)
    .execute();
  await recordAudit(trx, {
    actorId,
    action: `inspection.${to}`,
    entityType: 'inspection',
    entityId: row.id,
    before: { status: row.status },
    after: { status: to, ...extra },
  });
}

// ---- Evidence ----

export interface EvidenceInput {
  source: EvidenceSource;
  summary: string;
  childReference?: string | null | undefined;
  lineOfEnquiryId?: string | null | undefined;
}

async function assertLineOnInspection(trx: Trx, inspectionId: string, lineId: string | null | undefined) {
  if (!lineId) return;
  const line = isUuid(lineId)
    ? await trx
        .selectFrom('lines_of_enquiry')
        .select('id')
        .where('id', '=', lineId)
        .where('inspection_id', '=', inspectionId)
        .executeTakeFirst()
    : undefined;
  if (!line)
    throw invalid([{ field: 'lineOfEnquiryId', message: 'Select a line of enquiry of this inspection' }]);
}

export async function recordEvidence(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: EvidenceInput,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const inspection = await holdInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    await assertLineOnInspection(trx, inspectionId, input.lineOfEnquiryId);
    const id = crypto.randomUUID();
    await trx
      .insertInto('evidence')
      .values({
        id,
        version: 1,
        inspection_id: inspectionId,
        source: input.source,
        summary: input.summary,
        child_reference: input.childReference ?? null,
        line_of_enquiry_id: input.lineOfEnquiryId ?? null,
        correction_reason: null,
        recorded_by: actorId,
      })
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'evidence.recorded',
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { evidenceId: id, ...input },
    });
    return id;
  });
}

/** A correction is a new version; the earlier versions stay as they were. */
export async function correctEvidence(
  db: Db,
  actorId: string,
  inspectionId: string,
  evidenceId: string,
  input: EvidenceInput & { reason: string },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const latest = isUuid(evidenceId)
      ? await trx
          .selectFrom('evidence')
          .selectAll()
          .where('id', '=', evidenceId)
          .where('inspection_id', '=', inspectionId)
          .orderBy('version', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    if (!latest) throw notFound();
    await assertLineOnInspection(trx, inspectionId, input.lineOfEnquiryId);
    const version = latest.version + 1;
    await trx
      .insertInto('evidence')
      .values({
        id: evidenceId,
        version,
        inspection_id: inspectionId,
        source: input.source,
        summary: input.summary,
        child_reference: input.childReference ?? null,
        line_of_enquiry_id: input.lineOfEnquiryId ?? null,
        correction_reason: input.reason,
        recorded_by: actorId,
      })
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'evidence.corrected',
      entityType: 'inspection',
      entityId: inspectionId,
      before: { evidenceId, version: latest.version, source: latest.source, summary: latest.summary },
      after: { evidenceId, version, source: input.source, summary: input.summary, reason: input.reason },
    });
    return version;
  });
}

// ---- Lines of enquiry ----

export async function openLineOfEnquiry(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { title: string; areaId?: string | null | undefined },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    if (input.areaId) {
      const areas = judgementAreasInForce(frameworkById(inspection.framework_id), inspection.start_date);
      if (!areas.some((a) => a.id === input.areaId)) {
        throw invalid([
          { field: 'areaId', message: 'Select a judgement area of this inspection’s framework' },
        ]);
      }
    }
    const { id } = await trx
      .insertInto('lines_of_enquiry')
      .values({
        inspection_id: inspectionId,
        title: input.title,
        area_id: input.areaId ?? null,
        opened_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'line-of-enquiry.opened',
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { lineOfEnquiryId: id, ...input },
    });
    return id;
  });
}

async function currentEvidence(db: Db, inspectionId: string) {
  return db
    .selectFrom('evidence as e')
    .selectAll('e')
    .where('e.inspection_id', '=', inspectionId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('evidence as later')
            .select('later.row_id')
            .whereRef('later.id', '=', 'e.id')
            .whereRef('later.version', '>', 'e.version'),
        ),
      ),
    )
    .orderBy('e.recorded_at')
    .execute();
}

function unknownEvidence(
  ids: readonly string[],
  known: readonly { id: string }[],
  field: string,
): FieldError[] {
  const missing = ids.filter((id) => !known.some((e) => e.id === id));
  return missing.length
    ? [{ field, message: `Evidence ${missing.join(', ')} is not recorded on this inspection` }]
    : [];
}

export async function closeLineOfEnquiry(
  db: Db,
  actorId: string,
  inspectionId: string,
  lineId: string,
  input: { conclusion: string; evidenceIds: string[] },
) {
  await db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const line = isUuid(lineId)
      ? await trx
          .selectFrom('lines_of_enquiry')
          .selectAll()
          .where('id', '=', lineId)
          .where('inspection_id', '=', inspectionId)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!line) throw notFound();
    if (line.closed_at) throw conflict('This line of enquiry is already closed.');
    const evidence = await currentEvidence(trx, inspectionId);
    const errors =
      input.evidenceIds.length === 0
        ? [{ field: 'evidenceIds', message: 'Select the evidence that answers this line of enquiry' }]
        : unknownEvidence(input.evidenceIds, evidence, 'evidenceIds');
    if (errors.length) throw unprocessable(errors);
    await trx
      .updateTable('lines_of_enquiry')
      .set({
        closed_at: new Date(),
        closed_by: actorId,
        conclusion: input.conclusion,
        closing_evidence_ids: input.evidenceIds,
      })
      .where('id', '=', lineId)
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'line-of-enquiry.closed',
      entityType: 'inspection',
      entityId: inspectionId,
      before: { lineOfEnquiryId: lineId, open: true },
      after: { lineOfEnquiryId: lineId, ...input },
    });
  });
}

// ---- Professional dialogue ----

export async function recordDialogue(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: {
    kind: 'end-of-day' | 'check-in' | 'provider-concern' | 'conduct-comment';
    summary: string;
    resolution?: string | null | undefined;
  },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const resolution = input.kind === 'provider-concern' ? (input.resolution ?? null) : null;
    const { id } = await trx
      .insertInto('dialogue_entries')
      .values({
        inspection_id: inspectionId,
        kind: input.kind,
        summary: input.summary,
        resolution,
        resolved_at: resolution ? new Date() : null,
        snapshot: null,
        recorded_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: `dialogue.${input.kind}`,
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { entryId: id, ...input },
    });
    return id;
  });
}

export async function resolveConcern(
  db: Db,
  actorId: string,
  inspectionId: string,
  entryId: string,
  resolution: string,
) {
  await db.transaction().execute(async (trx) => {
    await lockInspection(trx, inspectionId);
    const entry = isUuid(entryId)
      ? await trx
          .selectFrom('dialogue_entries')
          .selectAll()
          .where('id', '=', entryId)
          .where('inspection_id', '=', inspectionId)
          .executeTakeFirst()
      : undefined;
    if (!entry || entry.kind !== 'provider-concern') throw notFound();
    if (entry.resolution) throw conflict('This concern has already been resolved.');
    await trx
      .updateTable('dialogue_entries')
      .set({ resolution, resolved_at: new Date() })
      .where('id', '=', entryId)
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'dialogue.concern-resolved',
      entityType: 'inspection',
      entityId: inspectionId,
      before: { entryId, resolution: null },
      after: { entryId, resolution },
    });
  });
}

// ---- Judgements ----

export async function giveJudgement(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { areaId: string; grade: string; evidenceIds: string[]; rationale: string },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const framework = frameworkById(inspection.framework_id);
    const errors: FieldError[] = [];
    if (!judgementAreasInForce(framework, inspection.start_date).some((a) => a.id === input.areaId)) {
      errors.push({
        field: 'areaId',
        message: `${framework.shortName} has no judgement area '${input.areaId}' for this inspection`,
      });
    }
    if (!framework.gradeScale.some((g) => g.id === input.grade)) {
      errors.push({
        field: 'grade',
        message: `'${input.grade}' is not on the ${framework.shortName} scale: ${framework.gradeScale.map((g) => g.id).join(', ')}`,
      });
    }
    const evidence = await currentEvidence(trx, inspectionId);
    if (input.evidenceIds.length === 0) {
      errors.push({
        field: 'evidenceIds',
        message: 'A judgement must rest on recorded evidence: select the evidence behind it',
      });
    } else errors.push(...unknownEvidence(input.evidenceIds, evidence, 'evidenceIds'));
    if (errors.length) throw unprocessable(errors);
    const previous = await trx
      .selectFrom('judgements')
      .select(['version', 'grade_id'])
      .where('inspection_id', '=', inspectionId)
      .where('area_id', '=', input.areaId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const version = (previous?.version ?? 0) + 1;
    await trx
      .insertInto('judgements')
      .values({
        inspection_id: inspectionId,
        area_id: input.areaId,
        version,
        grade_id: input.grade,
        rationale: input.rationale,
        evidence_ids: input.evidenceIds,
        kind: 'inspector',
        reason: null,
        given_by: actorId,
      })
      .execute();
    await keepOverallGrade(trx, inspectionId, framework);
    await recordAudit(trx, {
      actorId,
      action: 'judgement.given',
      entityType: 'inspection',
      entityId: inspectionId,
      before: previous ? { areaId: input.areaId, grade: previous.grade_id } : null,
      after: { areaId: input.areaId, grade: input.grade, evidenceIds: input.evidenceIds },
    });
    return version;
  });
}

/**
 * Keeps the inspection's overall grade (the latest version of each judgement, through the framework's
 * overall-grade rule) on the inspection itself, where the plan reads it; null until one can be reached.
 * Beside it, the overall grade as the inspector gave it (their latest versions, before moderation),
 * which the consistency statistics count.
 */
async function keepOverallGrade(trx: Trx, inspectionId: string, framework: Framework) {
  const reach = async (inspectorOnly: boolean) => {
    const latest = await trx
      .selectFrom('judgements')
      .distinctOn('area_id')
      .select(['area_id', 'grade_id'])
      .where('inspection_id', '=', inspectionId)
      .$if(inspectorOnly, (q) => q.where('kind', '=', 'inspector'))
      .orderBy('area_id')
      .orderBy('version', 'desc')
      .execute();
    try {
      return overallGrade(
        framework,
        latest.map((j) => ({ areaId: j.area_id, gradeId: j.grade_id })),
      ).grade.id;
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return null;
    }
  };
  await trx
    .updateTable('inspections')
    .set({ overall_grade: await reach(false), inspector_overall_grade: await reach(true) })
    .where('id', '=', inspectionId)
    .execute();
}

/** A manager's change of grade: a new version with its reason; the inspector's grade stays on record. */
export async function moderateJudgement(
  db: Db,
  actorId: string,
  inspectionId: string,
  areaId: string,
  input: { grade: string; reason: string; version?: number | undefined },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    if (!isModeratable(inspection.status as InspectionStatus)) {
      throw conflict('Judgements are moderated after feedback and before the inspection is completed.');
    }
    const current = await trx
      .selectFrom('judgements')
      .selectAll()
      .where('inspection_id', '=', inspectionId)
      .where('area_id', '=', areaId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!current) throw notFound();
    if (input.version !== undefined && input.version !== current.version) {
      throw conflict(
        'This judgement changed after you opened it. Reload it, check the change and try again.',
      );
    }
    const framework = frameworkById(inspection.framework_id);
    if (!framework.gradeScale.some((g) => g.id === input.grade)) {
      throw unprocessable([
        { field: 'grade', message: `'${input.grade}' is not on the ${framework.shortName} scale` },
      ]);
    }
    if (input.grade === current.grade_id) {
      throw unprocessable([
        { field: 'grade', message: 'Choose a different grade, or leave the judgement as it is' },
      ]);
    }
    return changeGrade(trx, actorId, 'judgement.moderated', framework, current, input);
  });
}

/**
 * A new version of one area's judgement with a changed grade, on the same rationale and evidence, of kind
 * 'moderation' with its reason; the overall grade follows, and the change is audited. Returns the version.
 */
async function changeGrade(
  trx: Trx,
  actorId: string,
  action: string,
  framework: Framework,
  current: Selectable<JudgementsTable>,
  input: { grade: string; reason: string },
): Promise<number> {
  const { inspection_id: inspectionId, area_id: areaId } = current;
  await trx
    .insertInto('judgements')
    .values({
      inspection_id: inspectionId,
      area_id: areaId,
      version: current.version + 1,
      grade_id: input.grade,
      rationale: current.rationale,
      evidence_ids: current.evidence_ids,
      kind: 'moderation',
      reason: input.reason,
      given_by: actorId,
    })
    .execute();
  await keepOverallGrade(trx, inspectionId, framework);
  await recordAudit(trx, {
    actorId,
    action,
    entityType: 'inspection',
    entityId: inspectionId,
    before: { areaId, grade: current.grade_id },
    after: { areaId, grade: input.grade, reason: input.reason },
  });
  return current.version + 1;
}

/**
 * A grade changed as the remedy for an upheld complaint, in the complaint's transaction: a new version
 * of kind 'moderation' whose reason cites the complaint, at any stage after the inspection, the earlier
 * grades kept. Returns the grade it replaced.
 */
export async function reviseJudgementIn(
  trx: Trx,
  actorId: string,
  inspectionId: string,
  areaId: string,
  input: { grade: string; reason: string },
): Promise<{ version: number; previousGrade: string }> {
  const inspection = await lockInspection(trx, inspectionId);
  const current = await trx
    .selectFrom('judgements')
    .selectAll()
    .where('inspection_id', '=', inspectionId)
    .where('area_id', '=', areaId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const framework = frameworkById(inspection.framework_id);
  if (!current) {
    throw unprocessable([
      { field: 'judgement.areaId', message: 'This area was not graded at the inspection' },
    ]);
  }
  if (!framework.gradeScale.some((g) => g.id === input.grade)) {
    throw unprocessable([
      { field: 'judgement.grade', message: `'${input.grade}' is not on the ${framework.shortName} scale` },
    ]);
  }
  const version = await changeGrade(
    trx,
    actorId,
    'judgement.changed-by-complaint',
    framework,
    current,
    input,
  );
  return { version, previousGrade: current.grade_id };
}

// ---- Requirements, recommendations, errors put right ----

export async function addRequirement(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: {
    regulationId?: string;
    action?: string;
    impact?: string;
    evidenceIds?: string[];
    complyBy?: string;
  },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const evidence = await currentEvidence(trx, inspectionId);
    const errors = requirementProblems(input, {
      regulationKnown: (id) => {
        try {
          regulationById(id);
          return true;
        } catch {
          return false;
        }
      },
      evidence: evidence.map((e) => ({ id: e.id, source: e.source as EvidenceSource })),
      inspectionEndDate: inspection.end_date,
    });
    if (errors.length) throw unprocessable(errors);
    const { id } = await trx
      .insertInto('requirements')
      .values({
        inspection_id: inspectionId,
        regulation_id: input.regulationId!,
        action: input.action!,
        impact: input.impact!,
        evidence_ids: input.evidenceIds!,
        comply_by: input.complyBy!,
        recorded_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'requirement.added',
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { requirementId: id, ...input },
    });
    return id;
  });
}

export async function addRecommendation(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { guideId?: string; page?: number; paragraph?: string; text?: string },
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const errors = recommendationProblems(input, {
      guideKnown: (id) => {
        try {
          guideById(id);
          return true;
        } catch {
          return false;
        }
      },
    });
    if (errors.length) throw unprocessable(errors);
    const { id } = await trx
      .insertInto('recommendations')
      .values({
        inspection_id: inspectionId,
        guide_id: input.guideId!,
        page: input.page!,
        paragraph: input.paragraph!,
        text: input.text!,
        recorded_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'recommendation.added',
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { recommendationId: id, ...input },
    });
    return id;
  });
}

/** A minor administrative error put right during the inspection: recorded, with neither requirement nor recommendation. */
export async function recordErrorPutRight(
  db: Db,
  actorId: string,
  inspectionId: string,
  description: string,
) {
  return db.transaction().execute(async (trx) => {
    const inspection = await lockInspection(trx, inspectionId);
    mustBeRecording(inspection.status);
    const { id } = await trx
      .insertInto('errors_put_right')
      .values({ inspection_id: inspectionId, description, recorded_by: actorId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'error-put-right.recorded',
      entityType: 'inspection',
      entityId: inspectionId,
      before: null,
      after: { id, description },
    });
    return id;
  });
}

// ---- The whole picture ----

export interface InspectionRecord extends Inspection {
  evidence: {
    id: string;
    version: number;
    source: EvidenceSource;
    summary: string;
    childReference: string | null;
    lineOfEnquiryId: string | null;
    correctionReason: string | null;
    recordedBy: string;
    recordedAt: string;
    versions: {
      version: number;
      summary: string;
      source: string;
      correctionReason: string | null;
      recordedAt: string;
    }[];
  }[];
  linesOfEnquiry: {
    id: string;
    title: string;
    areaId: string | null;
    open: boolean;
    openedAt: string;
    closedAt: string | null;
    conclusion: string | null;
    evidenceIds: string[];
  }[];
  dialogue: {
    id: string;
    kind: string;
    summary: string;
    resolution: string | null;
    recordedBy: string;
    recordedAt: string;
    snapshot: unknown;
  }[];
  judgements: {
    areaId: string;
    areaName: string;
    grade: string;
    gradeLabel: string;
    rationale: string;
    evidenceIds: string[];
    version: number;
    moderated: boolean;
    history: {
      version: number;
      grade: string;
      kind: string;
      reason: string | null;
      givenBy: string;
      givenAt: string;
    }[];
  }[];
  overallGrade: { grade: string; label: string; limitedBy: string[] } | null;
  requirements: {
    id: string;
    regulationId: string;
    regulationTitle: string;
    action: string;
    impact: string;
    evidenceIds: string[];
    complyBy: string;
  }[];
  recommendations: {
    id: string;
    guideId: string;
    guideTitle: string;
    page: number;
    paragraph: string;
    text: string;
  }[];
  errorsPutRight: { id: string; description: string; recordedAt: string }[];
  substantiation: Substantiation;
  judgementAreas: { id: string; name: string; limiting: boolean }[];
  gradeScale: { id: string; label: string }[];
  additionalVisit: { id: string } | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * Everything recorded on an inspection, with the overall grade and the substantiation worked out. A caller
 * that has just read the inspection (to check who may see it) passes it in rather than reading it again.
 */
export async function inspectionRecord(
  db: Db,
  id: string,
  known?: Inspection,
): Promise<InspectionRecord | null> {
  const inspection = known?.id === id ? known : await findInspection(db, id);
  if (!inspection) return null;
  const [
    evidenceRows,
    lines,
    dialogue,
    judgementRows,
    requirementRows,
    recommendationRows,
    errorsPutRight,
    additional,
  ] = await Promise.all([
    recordReads.evidence(db, id),
    recordReads.linesOfEnquiry(db, id),
    recordReads.dialogue(db, id),
    recordReads.judgements(db, id),
    recordReads.requirements(db, id),
    recordReads.recommendations(db, id),
    recordReads.errorsPutRight(db, id),
    recordReads.additionalVisit(db, id).then((rows) => rows[0]),
  ]);

  const framework = frameworkById(inspection.framework.id);
  const areas = judgementAreasInForce(framework, inspection.startDate);
  const areaName = (areaId: string) => framework.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;

  const evidenceById = new Map<string, typeof evidenceRows>();
  for (const row of evidenceRows) evidenceById.set(row.id, [...(evidenceById.get(row.id) ?? []), row]);
  const evidence = [...evidenceById.values()].map((versions) => {
    const latest = versions[versions.length - 1]!;
    return {
      id: latest.id,
      version: latest.version,
      source: latest.source as EvidenceSource,
      summary: latest.summary,
      childReference: latest.child_reference,
      lineOfEnquiryId: latest.line_of_enquiry_id,
      correctionReason: latest.correction_reason,
      recordedBy: latest.recorder,
      recordedAt: iso(versions[0]!.recorded_at)!,
      versions: versions.map((v) => ({
        version: v.version,
        summary: v.summary,
        source: v.source,
        correctionReason: v.correction_reason,
        recordedAt: iso(v.recorded_at)!,
      })),
    };
  });

  const byArea = new Map<string, typeof judgementRows>();
  for (const row of judgementRows) byArea.set(row.area_id, [...(byArea.get(row.area_id) ?? []), row]);
  const judgements = [...byArea.values()].map((versions) => {
    const latest = versions[versions.length - 1]!;
    return {
      areaId: latest.area_id,
      areaName: areaName(latest.area_id),
      grade: latest.grade_id,
      gradeLabel: gradeById(framework, latest.grade_id).label,
      rationale: latest.rationale,
      evidenceIds: latest.evidence_ids,
      version: latest.version,
      moderated: versions.some((v) => v.kind === 'moderation'),
      history: versions.map((v) => ({
        version: v.version,
        grade: v.grade_id,
        kind: v.kind,
        reason: v.reason,
        givenBy: v.giver,
        givenAt: iso(v.given_at)!,
      })),
    };
  });

  let overall: InspectionRecord['overallGrade'] = null;
  try {
    const result = overallGrade(
      framework,
      judgements.map((j) => ({ areaId: j.areaId, gradeId: j.grade })),
    );
    overall = {
      grade: result.grade.id,
      label: result.grade.label,
      limitedBy: result.limitedBy.map((a) => a.id),
    };
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
  }

  const linesOfEnquiry = lines.map((l) => ({
    id: l.id,
    title: l.title,
    areaId: l.area_id,
    open: l.closed_at === null,
    openedAt: iso(l.opened_at)!,
    closedAt: iso(l.closed_at),
    conclusion: l.conclusion,
    evidenceIds: l.closing_evidence_ids,
  }));
  const requirements = requirementRows.map((r) => ({
    id: r.id,
    regulationId: r.regulation_id,
    regulationTitle: safeTitle(() => {
      const regulation = regulationById(r.regulation_id);
      return `Regulation ${regulation.number}: ${regulation.title}`;
    }, r.regulation_id),
    action: r.action,
    impact: r.impact,
    evidenceIds: r.evidence_ids,
    complyBy: r.comply_by,
  }));

  return {
    ...inspection,
    evidence,
    linesOfEnquiry,
    dialogue: dialogue.map((d) => ({
      id: d.id,
      kind: d.kind,
      summary: d.summary,
      resolution: d.resolution,
      recordedBy: d.recorder,
      recordedAt: iso(d.recorded_at)!,
      snapshot: d.snapshot,
    })),
    judgements,
    overallGrade: overall,
    requirements,
    recommendations: recommendationRows.map((r) => ({
      id: r.id,
      guideId: r.guide_id,
      guideTitle: safeTitle(() => guideById(r.guide_id).title, r.guide_id),
      page: r.page,
      paragraph: r.paragraph,
      text: r.text,
    })),
    errorsPutRight: errorsPutRight.map((e) => ({
      id: e.id,
      description: e.description,
      recordedAt: iso(e.recorded_at)!,
    })),
    substantiation: substantiation({
      areasInForce: areas,
      judgements: judgements.map((j) => ({
        areaId: j.areaId,
        areaName: j.areaName,
        evidenceIds: j.evidenceIds,
      })),
      requirements: requirements.map((r) => ({ id: r.id, evidenceIds: r.evidenceIds })),
      evidence: evidence.map((e) => ({ id: e.id, source: e.source })),
      linesOfEnquiry,
    }),
    judgementAreas: areas.map((a) => ({ id: a.id, name: a.name, limiting: a.limiting })),
    gradeScale: framework.gradeScale.map((g) => ({ id: g.id, label: g.label })),
    additionalVisit: additional ? { id: additional.id } : null,
  };
}

function safeTitle(title: () => string, fallback: string): string {
  try {
    return title();
  } catch {
    return fallback;
  }
}

// ---- Feedback and the flawed-inspection protocol ----

/**
 * The informal feedback at the end of the visit: the initial judgements and draft findings are kept as
 * they were said. The provider's comments on the conduct of the inspection come first; where the
 * substantiation check warns of a flaw, the inspector must say they have seen the warnings.
 */
export async function giveFeedback(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { summary: string; acknowledgeWarnings?: boolean | undefined },
) {
  const record = await inspectionRecord(db, inspectionId);
  if (!record) throw notFound();
  mustBeRecording(record.status);
  const errors: FieldError[] = [];
  if (!record.dialogue.some((d) => d.kind === 'conduct-comment')) {
    errors.push({
      field: 'conductComments',
      message:
        'Record the provider’s comments on the conduct of the inspection (or that they had none) before the feedback',
    });
  }
  if (record.judgements.length === 0)
    errors.push({ field: 'judgements', message: 'Give the initial judgements before the feedback' });
  const warnings = record.substantiation.flawWarnings;
  if (warnings.length > 0 && !input.acknowledgeWarnings) {
    for (const warning of warnings) {
      errors.push({
        field: 'acknowledgeWarnings',
        message: `Warning: ${FLAW_CONDITIONS[warning]}. Confirm you have seen this to give feedback anyway`,
      });
    }
  }
  if (errors.length) throw unprocessable(errors);
  await db.transaction().execute(async (trx) => {
    const row = await lockInspection(trx, inspectionId);
    if (row.version !== record.version)
      throw conflict('The inspection changed while feedback was being given. Check it and try again.');
    const snapshot = {
      judgements: record.judgements.map((j) => ({ areaId: j.areaId, grade: j.grade })),
      overallGrade: record.overallGrade?.grade ?? null,
      requirements: record.requirements.map((r) => ({ regulationId: r.regulationId, action: r.action })),
      recommendations: record.recommendations.map((r) => ({ guideId: r.guideId, text: r.text })),
      warningsAcknowledged: warnings,
    };
    await trx
      .insertInto('dialogue_entries')
      .values({
        inspection_id: inspectionId,
        kind: 'informal-feedback',
        summary: input.summary,
        resolution: null,
        resolved_at: null,
        snapshot: JSON.stringify(snapshot),
        recorded_by: actorId,
      })
      .execute();
    await setStatus(trx, actorId, row, 'feedback-given');
    await scheduleReportDeadlines(trx, row.framework_id, row.end_date, inspectionId);
  });
}

/** The regulator's own dates for the report, flagged to staff when missed. */
export const DRAFT_REPORT_OVERDUE = 'inspection.draft-report-overdue';
export const FINAL_REPORT_OVERDUE = 'inspection.final-report-overdue';

async function scheduleReportDeadlines(trx: Trx, frameworkId: string, endDate: string, inspectionId: string) {
  let dates;
  try {
    dates = timeline(frameworkId, endDate);
  } catch (error) {
    // Inspections before the first post-inspection procedure have no such dates.
    if (error instanceof RuleError) return;
    throw error;
  }
  await scheduleDeadline(trx, DRAFT_REPORT_OVERDUE, inspectionId, endOfEnglishDay(dates.draftReportDue));
  await scheduleDeadline(trx, FINAL_REPORT_OVERDUE, inspectionId, endOfEnglishDay(dates.finalReportDue));
}

/**
 * When the draft (or final) report is late, the lead inspector and the managers are told. The flag is
 * resolved when the report is issued (or finalised); if it already was, there is nothing to say.
 */
export function reportOverdueAction(which: 'draft' | 'final'): DeadlineAction {
  return async (trx, inspectionId, dueAt) => {
    const report = await trx
      .selectFrom('reports')
      .select('status')
      .where('inspection_id', '=', inspectionId)
      .executeTakeFirst();
    if (which === 'draft' ? report !== undefined : report !== undefined && report.status !== 'draft') return;
    const inspection = await trx
      .selectFrom('inspections as i')
      .innerJoin('providers as p', 'p.id', 'i.provider_id')
      .innerJoin('people as l', 'l.id', 'i.lead_inspector_id')
      .select(['p.name as provider', 'l.email as lead', 'i.end_date'])
      .where('i.id', '=', inspectionId)
      .executeTakeFirst();
    if (!inspection) return;
    const managers = await trx
      .selectFrom('people')
      .select('email')
      .where('active', '=', true)
      .where(sql<boolean>`'manager' = any(roles)`)
      .execute();
    const due = englishDate(new Date(dueAt.getTime() - 1));
    for (const recipient of new Set([inspection.lead, ...managers.map((m) => m.email)])) {
      await queueMessage(trx, {
        recipient,
        template: `${which}-report-overdue`,
        subject: `The ${which} report on ${inspection.provider} is overdue`,
        body: `The ${which} report of the inspection of ${inspection.provider} that ended on ${inspection.end_date} was due by ${due}. See /inspections/${inspectionId}`,
      });
    }
  };
}

export async function declareIncomplete(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: {
    condition: FlawCondition;
    reasons: string;
    additionalVisit: { startDate: string; endDate: string; leadInspectorId: string; team: string[] };
  },
) {
  const inspection = await findInspection(db, inspectionId);
  if (!inspection) throw notFound();
  if (!canMoveInspection(inspection.status, 'incomplete')) {
    throw conflict(
      `An inspection that is ${inspection.status.replace('-', ' ')} cannot be declared incomplete.`,
    );
  }
  const visit: NewInspection = {
    providerId: inspection.provider.id,
    frameworkId: inspection.framework.id,
    type: 'additional-visit',
    notice: 'none',
    ...input.additionalVisit,
  };
  const errors = (await inspectionProblems(db, visit)).map((e) => ({
    ...e,
    field: `additionalVisit.${e.field}`,
  }));
  if (input.additionalVisit.startDate < inspection.endDate) {
    errors.push({
      field: 'additionalVisit.startDate',
      message: 'The additional visit must start on or after the last day of the inspection',
    });
  }
  if (errors.length) throw invalid(errors);
  return db.transaction().execute(async (trx) => {
    const row = await lockInspection(trx, inspectionId);
    if (row.version !== inspection.version)
      throw conflict('The inspection changed meanwhile. Check it and try again.');
    await setStatus(trx, actorId, row, 'incomplete', {
      flaw_condition: input.condition,
      flaw_reasons: input.reasons,
    });
    return insertInspection(trx, actorId, visit, inspectionId);
  });
}

/** Inspectors (and managers) who could lead or join a team, for choosing on a form. */
export async function listInspectors(db: Db) {
  return db
    .selectFrom('people')
    .select(['id', 'name'])
    .where('active', '=', true)
    .where(sql<boolean>`roles && array['inspector', 'manager']::text[]`)
    .orderBy('name')
    .execute();
}
