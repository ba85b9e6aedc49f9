import { isUuid } from '../fields.js';
import type { Db, Trx } from '../db/database.js';
import { frameworkById, judgementAreasInForce } from '../frameworks/rules.js';
import { conflict, invalid, notFound, unprocessable, type FieldError } from '../refusal.js';
import { concernRefusal, type EvidenceSource } from './rules.js';
import { takeStep } from './store.js';

/** What the team records on site: evidence, key lines of enquiry, and the professional dialogue log. */

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
  return takeStep(
    db,
    actorId,
    inspectionId,
    'record',
    async (trx, _inspection, audit) => {
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
      await audit({ action: 'evidence.recorded', before: null, after: { evidenceId: id, ...input } });
      return id;
    },
    { hold: 'share' },
  );
}

/** A correction is a new version; the earlier versions stay as they were. */
export async function correctEvidence(
  db: Db,
  actorId: string,
  inspectionId: string,
  evidenceId: string,
  input: EvidenceInput & { reason: string },
): Promise<number> {
  return takeStep(db, actorId, inspectionId, 'record', async (trx, _inspection, audit) => {
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
    await audit({
      action: 'evidence.corrected',
      before: { evidenceId, version: latest.version, source: latest.source, summary: latest.summary },
      after: { evidenceId, version, source: input.source, summary: input.summary, reason: input.reason },
    });
    return version;
  });
}

/** The latest version of each piece of evidence on an inspection, in the order it was first recorded. */
export async function currentEvidence(db: Db, inspectionId: string) {
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

/** Evidence cited that is not recorded on the inspection, as an error against `field`. */
export function unknownEvidence(
  ids: readonly string[],
  known: readonly { id: string }[],
  field: string,
): FieldError[] {
  const missing = ids.filter((id) => !known.some((e) => e.id === id));
  return missing.length
    ? [{ field, message: `Evidence ${missing.join(', ')} is not recorded on this inspection` }]
    : [];
}

// ---- Lines of enquiry ----

export async function openLineOfEnquiry(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { title: string; areaId?: string | null | undefined },
) {
  return takeStep(db, actorId, inspectionId, 'record', async (trx, inspection, audit) => {
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
    await audit({ action: 'line-of-enquiry.opened', before: null, after: { lineOfEnquiryId: id, ...input } });
    return id;
  });
}

export async function closeLineOfEnquiry(
  db: Db,
  actorId: string,
  inspectionId: string,
  lineId: string,
  input: { conclusion: string; evidenceIds: string[] },
) {
  await takeStep(db, actorId, inspectionId, 'record', async (trx, _inspection, audit) => {
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
    await audit({
      action: 'line-of-enquiry.closed',
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
  return takeStep(db, actorId, inspectionId, 'record', async (trx, _inspection, audit) => {
    const resolution = input.kind === 'provider-concern' ? (input.resolution ?? null) : null;
    const { id } = await trx
      .insertInto('dialogue_entries')
      .values({
        inspection_id: inspectionId,
        kind: input.kind,
        summary: input.summary,
        resolution,
        resolved_at: resolution ? new Date() : null,
        resolved_by: resolution ? actorId : null,
        snapshot: null,
        recorded_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: `dialogue.${input.kind}`, before: null, after: { entryId: id, ...input } });
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
  await takeStep(db, actorId, inspectionId, 'resolve-concern', async (trx, _inspection, audit) => {
    const entry = isUuid(entryId)
      ? await trx
          .selectFrom('dialogue_entries')
          .selectAll()
          .where('id', '=', entryId)
          .where('inspection_id', '=', inspectionId)
          .executeTakeFirst()
      : undefined;
    if (!entry || entry.kind !== 'provider-concern') throw notFound();
    const refusal = concernRefusal('resolve', { ...entry, escalatedAt: entry.escalated_at });
    if (refusal) throw refusal;
    await trx
      .updateTable('dialogue_entries')
      .set({ resolution, resolved_at: new Date(), resolved_by: actorId })
      .where('id', '=', entryId)
      .execute();
    await audit({
      action: 'dialogue.concern-resolved',
      before: { entryId, resolution: null },
      after: { entryId, resolution },
    });
  });
}
