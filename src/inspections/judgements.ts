import type { Selectable } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import type { JudgementsTable } from '../db/schema.js';
import { frameworkById, judgementAreasInForce, overallGrade, RuleError } from '../frameworks/rules.js';
import type { Framework } from '../frameworks/types.js';
import { conflict, notFound, unprocessable, type FieldError } from '../refusal.js';
import { currentEvidence, unknownEvidence } from './evidence.js';
import type { InspectionFollowers } from './followers.js';
import { signOffProblems, type ModerationOutcome } from './rules.js';
import { takeStep, takeStepIn, type Audit } from './store.js';

/** Judgements: given by the team on site, moderated by a manager after feedback, changed by a complaint. */

export async function giveJudgement(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { areaId: string; grade: string; evidenceIds: string[]; rationale: string },
) {
  return takeStep(db, actorId, inspectionId, 'record', async (trx, inspection, audit) => {
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
    await audit({
      action: 'judgement.given',
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

/** The latest version of one area's judgement, if the area was graded. */
async function latestJudgement(trx: Trx, inspectionId: string, areaId: string) {
  return trx
    .selectFrom('judgements')
    .selectAll()
    .where('inspection_id', '=', inspectionId)
    .where('area_id', '=', areaId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A manager's change of grade: a new version with its reason; the inspector's grade stays on record.
 * A report already issued follows it (`followers`), in the same transaction.
 */
export async function moderateJudgement(
  db: Db,
  actorId: string,
  inspectionId: string,
  areaId: string,
  input: { grade: string; reason: string; version?: number | undefined },
  followers: InspectionFollowers,
) {
  return takeStep(db, actorId, inspectionId, 'moderate', async (trx, inspection, audit) => {
    const current = await latestJudgement(trx, inspectionId, areaId);
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
    const version = await changeGrade(trx, actorId, audit, 'judgement.moderated', framework, current, input);
    const area = framework.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
    await followers.gradesChanged(trx, {
      actorId,
      inspectionId,
      note: `The grade for ${area.toLowerCase()} was changed by moderation: ${input.reason}`,
    });
    return version;
  });
}

/**
 * The manager signs moderation off: done (every grade checked), or waived with the reason. Once only,
 * after feedback; the draft report is issued only after it (or after the inspection is completed).
 */
export async function signOffModeration(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { outcome: ModerationOutcome; reason?: string | undefined; version?: number | undefined },
) {
  const changed = 'Someone else changed this inspection after you opened it. Reload it and try again.';
  return takeStep(
    db,
    actorId,
    inspectionId,
    'sign-off-moderation',
    async (trx, row, audit) => {
      if (row.moderation_signed_off_at)
        throw conflict('Moderation of this inspection is already signed off.');
      const problems = signOffProblems(input);
      if (problems.length) throw unprocessable(problems);
      const waiver = input.outcome === 'waived' ? input.reason!.trim() : null;
      await trx
        .updateTable('inspections')
        .set({
          moderation_signed_off_at: new Date(),
          moderation_signed_off_by: actorId,
          moderation_waiver: waiver,
          version: row.version + 1,
          updated_at: new Date(),
        })
        .where('id', '=', inspectionId)
        .execute();
      await audit({
        action: `moderation.${input.outcome}`,
        before: null,
        after: { outcome: input.outcome, waiver },
      });
    },
    { version: { seen: input.version, changed } },
  );
}

/**
 * A new version of one area's judgement with a changed grade, on the same rationale and evidence, of kind
 * 'moderation' with its reason; the overall grade follows, and the change is audited. Returns the version.
 */
async function changeGrade(
  trx: Trx,
  actorId: string,
  audit: Audit,
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
  await audit({
    action,
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
  return takeStepIn(trx, actorId, inspectionId, 'revise-judgement', async (trx, inspection, audit) => {
    const current = await latestJudgement(trx, inspectionId, areaId);
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
    const action = 'judgement.changed-by-complaint';
    const version = await changeGrade(trx, actorId, audit, action, framework, current, input);
    return { version, previousGrade: current.grade_id };
  });
}
