import { expect } from 'vitest';

/** A request through the API as a demo role, as the integration tests make them. */
export type Post = (
  role: string,
  url: string,
  payload: object,
) => Promise<{ statusCode: number; body: string }>;

/** The manager signs moderation off (done), after which the draft report may be issued. */
export async function signOffModeration(post: Post, inspectionId: string) {
  const signedOff = await post('manager', `/api/inspections/${inspectionId}/moderation`, { outcome: 'done' });
  expect(signedOff.statusCode, signedOff.body).toBe(200);
}

/** The manager completes the inspection, which its report's publication waits for. */
export async function completeInspection(post: Post, inspectionId: string) {
  const completed = await post('manager', `/api/inspections/${inspectionId}/status`, { status: 'completed' });
  expect(completed.statusCode, completed.body).toBe(200);
}

/** The three areas of a children's home inspection under the SCCIF, the headline area first. */
export const CHILDRENS_HOME_AREAS = [
  'overall-experiences-and-progress',
  'help-and-protection',
  'leaders-and-managers',
] as const;

/**
 * A children's home inspection held through the API up to its feedback: five pieces of evidence from
 * different sources, a judgement for each area with the grades given, the conduct comments, and the
 * feedback. Returns its id; moderation is not signed off.
 */
export async function heldToFeedback(
  post: (role: string, url: string, payload: object) => Promise<{ statusCode: number; body: string }>,
  input: { providerId: string; inspectorId: string; startDate: string; endDate: string; grades: string[] },
): Promise<string> {
  const created = await post('planner', '/api/inspections', {
    providerId: input.providerId,
    frameworkId: 'childrens-homes',
    notice: 'announced',
    startDate: input.startDate,
    endDate: input.endDate,
    leadInspectorId: input.inspectorId,
  });
  expect(created.statusCode, created.body).toBe(201);
  const id: string = JSON.parse(created.body).id;
  await conductToFeedback(post, id, input.grades);
  return id;
}

/**
 * An inspection planned already (an additional visit, say) conducted through the API up to its
 * feedback, as `heldToFeedback` does.
 */
export async function conductToFeedback(
  post: (role: string, url: string, payload: object) => Promise<{ statusCode: number; body: string }>,
  id: string,
  grades: string[],
): Promise<void> {
  const started = await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' });
  expect(started.statusCode, started.body).toBe(200);
  const evidence: string[] = [];
  for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking']) {
    const recorded = await post('inspector', `/api/inspections/${id}/evidence`, {
      source,
      summary: `What the ${source} showed`,
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    evidence.push(JSON.parse(recorded.body).id);
  }
  for (const [index, areaId] of CHILDRENS_HOME_AREAS.entries()) {
    const given = await post('inspector', `/api/inspections/${id}/judgements`, {
      areaId,
      grade: grades[index],
      evidenceIds: evidence,
      rationale: 'The evidence shows it',
    });
    expect(given.statusCode, given.body).toBe(201);
  }
  await post('inspector', `/api/inspections/${id}/dialogue`, {
    kind: 'conduct-comment',
    summary: 'No comments on the conduct of the inspection',
  });
  const feedback = await post('inspector', `/api/inspections/${id}/feedback`, {
    summary: 'Feedback given to the registered manager',
    acknowledgeWarnings: true,
  });
  expect(feedback.statusCode, feedback.body).toBe(200);
}
