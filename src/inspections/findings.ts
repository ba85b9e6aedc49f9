import type { Db, Trx } from '../db/database.js';
import { citationProblems } from '../frameworks/rules.js';
import { unprocessable } from '../refusal.js';
import { currentEvidence } from './evidence.js';
import {
  recommendationProblems,
  requirementProblems,
  type CitationCheck,
  type EvidenceSource,
} from './rules.js';
import { takeStep, type InspectionRow } from './store.js';

/** The findings written on site: requirements, recommendations, and minor errors put right. */

/** Citations checked against the provider's type, the framework and the dates of this inspection. */
async function citationsAt(trx: Trx, inspection: InspectionRow): Promise<CitationCheck> {
  const provider = await trx
    .selectFrom('providers')
    .select('type')
    .where('id', '=', inspection.provider_id)
    .executeTakeFirstOrThrow();
  const context = {
    providerType: provider.type,
    frameworkId: inspection.framework_id,
    startDate: inspection.start_date,
    endDate: inspection.end_date,
  };
  return (citation) => citationProblems(context, citation);
}

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
  return takeStep(db, actorId, inspectionId, 'record', async (trx, inspection, audit) => {
    const evidence = await currentEvidence(trx, inspectionId);
    const errors = requirementProblems(input, {
      citationProblems: await citationsAt(trx, inspection),
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
    await audit({ action: 'requirement.added', before: null, after: { requirementId: id, ...input } });
    return id;
  });
}

export async function addRecommendation(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { guideId?: string; page?: number; paragraph?: string; text?: string },
) {
  return takeStep(db, actorId, inspectionId, 'record', async (trx, inspection, audit) => {
    const errors = recommendationProblems(input, { citationProblems: await citationsAt(trx, inspection) });
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
    await audit({
      action: 'recommendation.added',
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
  return takeStep(db, actorId, inspectionId, 'record', async (trx, _inspection, audit) => {
    const { id } = await trx
      .insertInto('errors_put_right')
      .values({ inspection_id: inspectionId, description, recorded_by: actorId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit({ action: 'error-put-right.recorded', before: null, after: { id, description } });
    return id;
  });
}
