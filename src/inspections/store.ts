import { sql, type Selectable } from 'kysely';
import { isUuid } from '../fields.js';
import { recordAudit } from '../audit/store.js';
import { teamConflicts } from '../conflicts/store.js';
import type { Cursor, Keyset } from '../db/keyset.js';
import { fetchKeysetPage, type KeysetPage } from '../db/paging.js';
import type { Db, Trx } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { InspectionsTable } from '../db/schema.js';
import { frameworkById, RuleError } from '../frameworks/rules.js';
import type { ProviderScope } from '../people/policy.js';
import { conflict, invalid, notFound, type FieldError } from '../refusal.js';
import type { InspectionFollowers } from './followers.js';
import {
  FLAW_CONDITIONS,
  refusalFor,
  type FlawCondition,
  type InspectionStatus,
  type InspectionStep,
  plannedStartProblems,
  type InspectionType,
  type Notice,
} from './rules.js';

/**
 * The inspection itself: planning it, finding and searching, and every change to it taken as a step of
 * its lifecycle (`takeStep`). What is recorded on it lives beside: evidence.ts, judgements.ts,
 * findings.ts, feedback.ts; record.ts reads it all back.
 */

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
  /** The manager's sign-off of moderation (a waiver carries its reason); null until then. */
  moderation: { signedOffAt: string; signedOffBy: string; waiver: string | null } | null;
  version: number;
}

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

/**
 * Checks a proposed inspection against the register, the rules and declared conflicts, and, when a person
 * plans it on `today`, its first day against the planning window.
 */
export async function inspectionProblems(
  db: Db,
  input: NewInspection,
  today?: string,
): Promise<FieldError[]> {
  const errors: FieldError[] = today === undefined ? [] : plannedStartProblems(input.startDate, today);
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
  if (provider) errors.push(...(await teamConflicts(db, provider.id, input.leadInspectorId, input.team)));
  return errors;
}

/** Plans an inspection; `today`, when a person plans it, limits its first day to the planning window. */
export async function createInspection(
  db: Db,
  actorId: string,
  input: NewInspection,
  today?: string,
): Promise<string> {
  const errors = await inspectionProblems(db, input, today);
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

/** Writes an already checked inspection in the caller's transaction (an additional visit, too). */
export async function insertInspection(
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

type InspectionReadRow = Awaited<ReturnType<ReturnType<typeof inspectionQuery>['executeTakeFirstOrThrow']>>;

function toInspection(row: InspectionReadRow): Inspection {
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
    moderation: row.moderation_signed_off_at
      ? {
          signedOffAt: new Date(row.moderation_signed_off_at).toISOString(),
          signedOffBy: row.moderation_signed_off_by!,
          waiver: row.moderation_waiver,
        }
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

// ---- Changing an inspection ----

export type InspectionRow = Selectable<InspectionsTable>;

/** What a change did, for the audit trail; `takeStep` adds who did it and to which inspection. */
export interface AuditNote {
  action: string;
  before: unknown;
  after: unknown;
}

export type Audit = (note: AuditNote) => Promise<void>;

export interface StepOptions {
  /**
   * How the change holds the inspection's row. 'update' (the default) locks it for update. 'share' is
   * for writes that add records under an inspection without changing its row (evidence): a team
   * recording at once does not queue one behind another, while a change of status (which updates the
   * row) still waits for them, and they for it, then see the status it left.
   */
  hold?: 'update' | 'share';
  /** The version the person saw, and what to tell them if the inspection has moved on since. */
  version?: { seen: number | undefined; changed: string };
}

/**
 * Every change to an inspection has one shape: hold its row, check it is the version the person saw and
 * that `step` is open at its stage, make the change, and audit what the change says it did.
 */
export async function takeStep<T>(
  db: Db,
  actorId: string,
  inspectionId: string,
  step: InspectionStep,
  change: (trx: Trx, inspection: InspectionRow, audit: Audit) => Promise<T>,
  options: StepOptions = {},
): Promise<T> {
  return db.transaction().execute((trx) => takeStepIn(trx, actorId, inspectionId, step, change, options));
}

/** `takeStep` in the caller's transaction, for a change that is part of a larger one (a complaint's remedy). */
export async function takeStepIn<T>(
  trx: Trx,
  actorId: string,
  inspectionId: string,
  step: InspectionStep,
  change: (trx: Trx, inspection: InspectionRow, audit: Audit) => Promise<T>,
  options: StepOptions = {},
): Promise<T> {
  if (!isUuid(inspectionId)) throw notFound();
  const held = trx.selectFrom('inspections').selectAll().where('id', '=', inspectionId);
  const row = await (options.hold === 'share' ? held.forShare() : held.forUpdate()).executeTakeFirst();
  if (!row) throw notFound();
  const { version } = options;
  if (version?.seen !== undefined && version.seen !== row.version) throw conflict(version.changed);
  const refusal = refusalFor(step, { status: row.status as InspectionStatus });
  if (refusal) throw refusal;
  let audited = false;
  const audit: Audit = async (note) => {
    audited = true;
    await recordAudit(trx, { actorId, entityType: 'inspection', entityId: inspectionId, ...note });
  };
  const result = await change(trx, row, audit);
  if (!audited) throw new Error(`The inspection step '${step}' changed the inspection without auditing it`);
  return result;
}

/** Starts an inspection (its team, on arrival) or completes it (a manager, after moderation). */
export async function moveInspection(
  db: Db,
  actorId: string,
  id: string,
  to: 'on-site' | 'completed',
  version?: number,
) {
  const changed = 'Someone else changed this inspection after you opened it. Reload it and try again.';
  await takeStep(
    db,
    actorId,
    id,
    to === 'on-site' ? 'start' : 'complete',
    // Completing says moderation is done, if it was not signed off before.
    (trx, row, audit) =>
      setStatus(
        trx,
        audit,
        row,
        to,
        to === 'completed' && !row.moderation_signed_off_at
          ? { moderation_signed_off_at: new Date(), moderation_signed_off_by: actorId }
          : {},
      ),
    { version: { seen: version, changed } },
  );
}

/** Moves the inspection to a new status (with any columns that go with it), a new version of it. */
export async function setStatus(
  trx: Trx,
  audit: Audit,
  row: { id: string; status: string; version: number },
  to: InspectionStatus,
  extra: object = {},
) {
  await trx
    .updateTable('inspections')
    .set({ status: to, updated_at: new Date(), version: row.version + 1, ...extra })
    .where('id', '=', row.id)
    .execute();
  await audit({
    action: `inspection.${to}`,
    before: { status: row.status },
    after: { status: to, ...extra },
  });
}

// ---- The flawed-inspection protocol ----

export async function declareIncomplete(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: {
    condition: FlawCondition;
    reasons: string;
    additionalVisit: { startDate: string; endDate: string; leadInspectorId: string; team: string[] };
  },
  followers: InspectionFollowers,
) {
  const inspection = await findInspection(db, inspectionId);
  if (!inspection) throw notFound();
  const refusal = refusalFor('declare-incomplete', inspection);
  if (refusal) throw refusal;
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
  const changed = 'The inspection changed meanwhile. Check it and try again.';
  return takeStep(
    db,
    actorId,
    inspectionId,
    'declare-incomplete',
    async (trx, row, audit) => {
      await setStatus(trx, audit, row, 'incomplete', {
        flaw_condition: input.condition,
        flaw_reasons: input.reasons,
      });
      const visitId = await insertInspection(trx, actorId, visit, inspectionId);
      await followers.declaredIncomplete(trx, {
        actorId,
        inspectionId,
        note: `the inspection was declared incomplete because ${FLAW_CONDITIONS[input.condition].charAt(0).toLowerCase()}${FLAW_CONDITIONS[input.condition].slice(1)}.`,
      });
      return visitId;
    },
    { version: { seen: inspection.version, changed } },
  );
}
