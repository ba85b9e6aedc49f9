import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import {
  frameworkById,
  gradeById,
  guideById,
  instrumentTitleOf,
  judgementAreasInForce,
  overallGrade,
  regulationById,
  RuleError,
} from '../frameworks/rules.js';
import { substantiation, type EvidenceSource, type Substantiation } from './rules.js';
import { findInspection, type Inspection } from './store.js';

/** The whole picture of an inspection, read back from everything recorded on it. */

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
    /** The title of the regulation's instrument; null for a regulation not in the catalogue. */
    instrumentTitle: string | null;
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
    instrumentTitle: instrumentTitleOf(r.regulation_id),
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
